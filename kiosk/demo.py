"""`cez-kiosk demo`: the whole kiosk on one laptop, every device simulated.

It starts a local mosquitto (if one is installed), the reference central service, every
peripheral's simulator (`devices.sim.rig`, the same rig as `cez-kiosk devices check --simulate`, with
the document scanner swapped for one whose feeder holds generated CMRs), and `cez-kiosk core` as its
own process, exactly as on a kiosk: the core builds and supervises the devices from its config. Then
either the touchscreen app runs, or (`--headless`) a scenario drives the same API endpoints the
touchscreen's buttons call, and prints what happened as one JSON object.
"""

from __future__ import annotations

import itertools
import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devices.sim.escpos_printer import EscposPrinterSimulator
from devices.sim.rig import SimulatedKiosk
from devices.sim.scanner import ScannerSimulator
from kiosk.api.client import CoreUnavailable, KioskApiClient
from kiosk.customs.declaration import receipt_qr_payload
from sync.broker import MosquittoBroker, find_mosquitto, free_port
from sync.central import CentralService
from vision.synth import generate_cmr, png_bytes

log = logging.getLogger(__name__)

CORE_START_TIMEOUT_S = 30.0
PUBLISH_TIMEOUT_S = 20.0
DEVICES_READY_TIMEOUT_S = 20.0
DEMO_SHEETS = 50  # a stack of CMRs in the feeder; each sheet is a different generated note


@dataclass(frozen=True)
class DemoOptions:
    seed: int = 1
    data_dir: Path | None = None
    broker_binary: str | None = None
    api_port: int = 0


@dataclass
class DemoRig:
    """What a running demo consists of; `api` talks to the core like the touchscreen does."""

    api: KioskApiClient
    api_url: str
    printer: EscposPrinterSimulator
    central: CentralService | None
    broker_note: str | None


def cmr_feeder(seed: int) -> Callable[[], bytes | None]:
    """An endless feeder of generated CMR pages: seed, seed+1, ... (a stack of different notes)."""
    seeds = itertools.count(seed)

    def next_page() -> bytes | None:
        return png_bytes(generate_cmr(next(seeds)))

    return next_page


def write_core_config(path: Path, *, data_dir: Path, api_port: int, devices: dict[str, str], broker_port: int,
                      sync_extra: dict[str, str | float] | None = None) -> None:
    """A kiosk config whose devices are simulators: `devices` maps a device name to its URL."""
    device_lines = "".join(f'{name}_url = "{url}"\n' for name, url in devices.items())
    sync_lines = "".join(
        f"{key} = {value!r}\n" if not isinstance(value, str) else f'{key} = "{value}"\n'
        for key, value in (sync_extra or {}).items()
    )
    path.write_text(
        f"""# Written by `cez-kiosk demo`; every device is a simulator on a local pty or socket.
[kiosk]
id = "demo-kiosk"
site = "CEZ demo"

[store]
path = "{data_dir / 'kiosk.db'}"

[api]
port = {api_port}

[models]
registry_dir = "{data_dir / 'models'}"

[devices]
{device_lines}check_interval_s = 1.0

[sync]
broker_port = {broker_port}
resend_after_s = 5.0
{sync_lines}
[ui]
api_url = "http://127.0.0.1:{api_port}"
""",
        encoding="utf-8",
    )


class CoreProcess:
    """`cez-kiosk core` as its own OS process, as systemd runs it: start, SIGTERM, SIGKILL, restart."""

    def __init__(self, config_path: Path, api_url: str, log_path: Path | None = None) -> None:
        self.config_path = config_path
        self.api = KioskApiClient(api_url)
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, extra_env: dict[str, str] | None = None) -> None:
        """Start and wait until /health answers; raise if the core exits or stays silent."""
        with ExitStack() as stack:
            log = stack.enter_context(self.log_path.open("ab")) if self.log_path else None
            self.process = subprocess.Popen(
                [sys.executable, "-m", "kiosk.cli", "core", "--config", str(self.config_path)],
                env={**os.environ, **(extra_env or {})},
                stderr=log,
            )
        deadline = time.monotonic() + CORE_START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"cez-kiosk core exited with code {self.process.returncode} during start")
            try:
                self.api.health()
                return
            except CoreUnavailable:
                time.sleep(0.1)
        raise RuntimeError("cez-kiosk core did not answer /health in time")

    def wait(self, timeout: float) -> int:
        assert self.process is not None
        return self.process.wait(timeout=timeout)

    def stop(self) -> int | None:
        """SIGTERM (graceful), then SIGKILL if it hangs; return the exit code."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


@contextmanager
def running_demo(options: DemoOptions) -> Iterator[DemoRig]:
    """Start everything; on exit stop the core with SIGTERM (as systemd would) and the rest after."""
    with ExitStack() as stack:
        data_dir = options.data_dir or Path(
            stack.enter_context(tempfile.TemporaryDirectory(prefix="cez-demo-"))
        )
        data_dir.mkdir(parents=True, exist_ok=True)

        binary = options.broker_binary if options.broker_binary is not None else find_mosquitto()
        broker_port = free_port()
        central: CentralService | None = None
        note: str | None = None
        if binary and Path(binary).exists():
            broker = stack.enter_context(MosquittoBroker(binary=binary, port=broker_port))
            central = CentralService(broker.host, broker.port, data_dir / "central.db")
            central.start()
            stack.callback(central.stop)
            central.wait_subscribed(timeout=10)
        else:
            note = "no mosquitto broker is installed: declarations wait in the outbox"
            print(f"cez-kiosk demo: {note}", file=sys.stderr)

        simulators = stack.enter_context(SimulatedKiosk())
        scanner = ScannerSimulator(cmr_feeder(options.seed), sheets=DEMO_SHEETS)
        stack.callback(scanner.stop)
        devices = {spec.name: spec.url for spec in simulators.specs if spec.url is not None}
        devices["scanner"] = scanner.start()  # the rig's SANE test scanner has no CMRs in its feeder
        printer = simulators.printer

        api_port = options.api_port or free_port()
        config_path = data_dir / "kiosk.toml"
        write_core_config(config_path, data_dir=data_dir, api_port=api_port, devices=devices,
                          broker_port=broker_port)
        api_url = f"http://127.0.0.1:{api_port}"
        core = CoreProcess(config_path, api_url)
        stack.callback(core.stop)
        core.start()
        yield DemoRig(api=core.api, api_url=api_url, printer=printer, central=central, broker_note=note)


def wait_for_devices(api: KioskApiClient, timeout: float) -> list[dict[str, Any]]:
    """The core's devices once every required one is ready (or as they are when `timeout` ends):
    right after start the supervisor may still be connecting them."""
    deadline = time.monotonic() + timeout
    while True:
        devices = api.devices()
        if all(device["state"] == "ready" for device in devices if device["required"]):
            return devices
        if time.monotonic() > deadline:
            return devices
        time.sleep(0.1)


def run_cmr_scenario(rig: DemoRig) -> dict[str, Any]:
    """Scan, confirm as read, wait for delivery and the receipt: the driver's whole visit."""
    started = time.monotonic()
    devices = wait_for_devices(rig.api, DEVICES_READY_TIMEOUT_S)
    scan = rig.api.scan_cmr()
    confirmation = rig.api.confirm(scan.session_id, {})
    published = False
    state: dict[str, Any] = {}
    if rig.central is not None:
        deadline = time.monotonic() + PUBLISH_TIMEOUT_S
        while time.monotonic() < deadline:
            state = rig.api.declaration(confirmation.uuid)
            delivered = rig.central.deliveries(confirmation.uuid) > 0
            if delivered and state["broker_acked"] and state["central_acked"]:
                published = True
                break
            time.sleep(0.1)
    receipt = rig.printer.wait_for_receipt(timeout=10)
    expected_qr = receipt_qr_payload(confirmation.uuid, confirmation.reference)
    receipt_printed = bool(
        confirmation.receipt_printed
        and receipt is not None
        and receipt.cut
        and any(confirmation.reference in line for line in receipt.lines)
        and expected_qr in receipt.qr_payloads
    )
    result: dict[str, Any] = {
        "scenario": "cmr",
        "fields": {name: {"value": f.value, "confidence": f.confidence} for name, f in scan.fields.items()},
        "uuid": confirmation.uuid,
        "reference": confirmation.reference,
        "published": published,
        "receipt_printed": receipt_printed,
        "queued": rig.api.health()["outbox"]["queued"],
        "registration_number": state.get("registration_number"),
        "devices": {device["name"]: device["state"] for device in devices},
        "elapsed_s": round(time.monotonic() - started, 2),
    }
    if rig.broker_note:
        result["note"] = rig.broker_note
    return result
