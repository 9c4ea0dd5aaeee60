"""`cez-kiosk devices list|check|sim`: what a technician runs at the kiosk (or over SSH) to see every
peripheral's state, test them, or put a simulator on a pty for real tools to talk to."""

from __future__ import annotations

import signal
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import click

from devices.inventory import DeviceSpec, build, canonical_name
from devices.sim.rig import SimulatedKiosk, parse_fault
from devices.state import DeviceState, DeviceStatus
from devices.transport import sim_dir
from kiosk.commands.common import CONFIG_OPTION, emit, emit_line, fail, load
from kiosk.core.config import KioskConfig
from kiosk.core.devices import device_specs

SIMULATORS = ("receipt_printer", "barcode_reader", "hid_barcode_reader")


def configured_specs(config: KioskConfig) -> list[DeviceSpec]:
    """Every device kind with its `<name>_url` from the [devices] config section (None: not configured),
    required unless listed in `devices.optional`: the same specs the core supervises."""
    return device_specs(config.devices)


def check_specs(specs: list[DeviceSpec], self_test: bool) -> list[DeviceStatus]:
    """Each device's status (or self-test result), checked in parallel: slow devices do not add up."""

    def one(spec: DeviceSpec) -> DeviceStatus:
        driver = build(spec)
        if driver is None:
            return DeviceStatus(spec.name, spec.kind, DeviceState.ABSENT, "not configured")
        try:
            status = driver.self_test() if self_test else driver.status()
        except Exception as exc:  # a driver's failure is this device's error, not the command's
            return DeviceStatus(spec.name, spec.kind, DeviceState.ERROR, f"{type(exc).__name__}: {exc}"[:200])
        return DeviceStatus(spec.name, spec.kind, status.state, status.detail)

    with ThreadPoolExecutor(max_workers=len(specs) or 1) as pool:
        return list(pool.map(one, specs))


@click.group()
def devices() -> None:
    """List, check and simulate the kiosk's peripherals."""


@devices.command("list")
@CONFIG_OPTION
@click.option("--json", "as_json", is_flag=True)
def devices_list(config_path: Path | None, as_json: bool) -> None:
    """Every device kind, its configured URL and whether the kiosk needs it."""
    specs = configured_specs(load(config_path))
    if as_json:
        emit({"devices": [spec.to_dict() for spec in specs]}, True)
        return
    for spec in specs:
        click.echo(f"{spec.name:16} {spec.kind:17} {'required' if spec.required else 'optional':9} {spec.url or '-'}")


@devices.command("check")
@CONFIG_OPTION
@click.option("--simulate", is_flag=True, help="Start every simulator on a real pty/socket and test against it.")
@click.option("--fault", "faults", multiple=True, metavar="DEVICE:FAULT",
              help="With --simulate: a fault the simulator carries out (e.g. printer:paper_out). Repeatable.")
@click.option("--self-test", "self_test", is_flag=True,
              help="Run each driver's self-test (prints a test receipt and page) instead of a status query.")
@click.option("--json", "as_json", is_flag=True)
def devices_check(config_path: Path | None, simulate: bool, faults: tuple[str, ...], self_test: bool,
                  as_json: bool) -> None:
    """Each device's state; exit 1 when a required device is not ready."""
    try:
        parsed = [parse_fault(fault) for fault in faults]
    except ValueError as exc:
        fail(str(exc))
    if parsed and not simulate:
        fail("--fault needs --simulate (faults are carried out inside the simulators)")
    if simulate:
        try:
            with SimulatedKiosk(parsed) as rig:
                statuses, specs = check_specs(rig.specs, self_test=True), rig.specs
        except (OSError, RuntimeError) as exc:
            fail(f"cannot start the simulators: {exc}")
    else:
        specs = configured_specs(load(config_path))
        statuses = check_specs(specs, self_test)
    document: dict[str, Any] = {"devices": [status.to_dict() for status in statuses]}
    if as_json:
        emit(document, True)
    else:
        for status in statuses:
            click.echo(f"{status.name:16} {status.state.value:10} {status.detail}")
    required = {spec.name for spec in specs if spec.required}
    if any(status.name in required and status.state is not DeviceState.READY for status in statuses):
        raise SystemExit(1)


@devices.command("sim")
@click.argument("name")
@click.option("--link", type=click.Path(path_type=Path), default=None,
              help="Path of the pty's link (default: $CEZ_SIM_DIR/NAME, which sim://NAME opens).")
@click.option("--fault", "faults", multiple=True, metavar="FAULT", help="Start with this fault on. Repeatable.")
@click.option("--png-dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="receipt_printer: write each printed receipt there as receipt-NNNN.png.")
def devices_sim(name: str, link: Path | None, faults: tuple[str, ...], png_dir: Path | None) -> None:
    """Run one simulator on a pty, print {"name","path","url"} as a JSON line, serve until interrupted
    (the receipt printer also listens on TCP: "tcp_url").

    NAME: receipt_printer (printer), barcode_reader (barcode), hid_barcode_reader."""
    from devices.sim.barcode_reader import HidBarcodeSimulator, SerialBarcodeSimulator
    from devices.sim.escpos_printer import EscposPrinterSimulator

    if name != "hid_barcode_reader":
        try:
            name = canonical_name(name)
        except ValueError as exc:
            fail(str(exc))
    if name not in SIMULATORS:
        fail(f"no pty simulator for {name}; choose one of: {', '.join(SIMULATORS)}")
    if link is None:
        sim_dir().mkdir(parents=True, exist_ok=True)
        link = sim_dir() / name
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    sim: EscposPrinterSimulator | SerialBarcodeSimulator | HidBarcodeSimulator
    info = {"name": name, "path": str(link), "url": f"sim://{name}" if link == sim_dir() / name else f"serial://{link}"}
    if name == "receipt_printer":
        if png_dir is not None:
            png_dir.mkdir(parents=True, exist_ok=True)
        sim = EscposPrinterSimulator(pty=True, link=link, png_dir=png_dir)
        info["tcp_url"] = sim.start()
    else:
        sim = SerialBarcodeSimulator(link=link) if name == "barcode_reader" else HidBarcodeSimulator(link=link)
        sim.start()
    try:
        for fault in faults:
            try:
                sim.set_fault(fault)
            except ValueError as exc:
                fail(str(exc))
        emit_line(info)
        stop.wait()
    finally:
        sim.stop()
