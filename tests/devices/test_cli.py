"""`cez-kiosk devices ...` end to end: real simulators, real drivers, the JSON and exit codes."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from devices.receipt_printer import Receipt, ReceiptPrinter
from kiosk.cli import main

CEZ_KIOSK = [sys.executable, "-m", "kiosk.cli"]


def run(*args: str) -> tuple[int, dict[str, list[dict[str, str]]]]:
    result = CliRunner().invoke(main, ["devices", *args], catch_exceptions=False)
    return result.exit_code, json.loads(result.stdout) if result.stdout.startswith("{") else {}


def states(document: dict[str, list[dict[str, str]]]) -> dict[str, str]:
    return {device["name"]: device["state"] for device in document["devices"]}


def test_simulated_check_finds_every_device_ready() -> None:
    code, document = run("check", "--simulate", "--json")
    assert code == 0
    assert all(set(device) == {"name", "kind", "state", "detail"} for device in document["devices"])
    assert states(document) == {"barcode_reader": "ready", "scanner": "ready", "camera": "ready",
                                "receipt_printer": "ready", "a4_printer": "ready", "mcu_board": "ready"}


@pytest.mark.parametrize(("fault", "device", "state"), [
    ("printer:paper_out", "receipt_printer", "degraded"),
    ("printer:cover_open", "receipt_printer", "degraded"),
    ("barcode:unplug", "barcode_reader", "absent"),
    ("scanner:jammed", "scanner", "error"),
    ("scanner:empty", "scanner", "degraded"),
    ("a4:stopped", "a4_printer", "error"),
    ("camera:missing", "camera", "absent"),
])
def test_a_simulated_fault_shows_and_fails_the_check(fault: str, device: str, state: str) -> None:
    code, document = run("check", "--simulate", "--fault", fault, "--json")
    assert code == 1
    found = states(document)
    assert found[device] == state
    others = {d["name"]: (d["state"], d["detail"]) for d in document["devices"] if d["name"] != device}
    assert all(state == "ready" for state, _ in others.values()), others


def test_bad_fault_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["devices", "check", "--simulate", "--fault", "printer:melted"])
    assert result.exit_code == 2 and "unknown fault" in result.stderr
    result = CliRunner().invoke(main, ["devices", "check", "--fault", "printer:paper_out"])
    assert result.exit_code == 2 and "--simulate" in result.stderr


def test_list_and_check_follow_the_config(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text('[devices]\nreceipt_printer_url = "socket://127.0.0.1:9"\n')
    code, document = run("list", "--config", str(config), "--json")
    assert code == 0
    printer = next(d for d in document["devices"] if d["name"] == "receipt_printer")
    assert printer == {"name": "receipt_printer", "kind": "receipt_printer", "url": "socket://127.0.0.1:9",
                       "required": True}
    code, document = run("check", "--config", str(config), "--json")
    assert code == 1 and states(document)["receipt_printer"] == "absent"


def test_sim_runs_a_printer_on_a_pty_that_a_real_driver_prints_to(tmp_path: Path) -> None:
    link = tmp_path / "receipt"
    pngs = tmp_path / "pngs"
    process = subprocess.Popen([*CEZ_KIOSK, "devices", "sim", "printer", "--link", str(link), "--png-dir", str(pngs)],
                               stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        assert process.stdout is not None
        info = json.loads(process.stdout.readline())
        assert info["name"] == "receipt_printer" and info["path"] == str(link) and link.is_symlink()
        assert info["url"] == f"serial://{link}" and info["tcp_url"].startswith("socket://127.0.0.1:")
        for url in (info["url"], info["tcp_url"]):
            printer = ReceiptPrinter(url)
            assert printer.status().detail == "online"
            printer.print_receipt(Receipt("CEZ", ["from a real driver"], "R-1", "R-1"))
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0
    assert not link.exists()
    assert sorted(path.name for path in pngs.iterdir()) == ["receipt-0001.png", "receipt-0002.png"]


def test_sim_with_the_default_link_is_reachable_as_sim_url(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "CEZ_SIM_DIR": str(tmp_path)}
    process = subprocess.Popen([*CEZ_KIOSK, "devices", "sim", "barcode"], stdout=subprocess.PIPE, text=True,
                               env=env)
    try:
        assert process.stdout is not None
        info = json.loads(process.stdout.readline())
        assert info == {"name": "barcode_reader", "path": str(tmp_path / "barcode_reader"),
                        "url": "sim://barcode_reader"}
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0


def test_a_registered_simulator_joins_the_simulated_check() -> None:
    from devices.inventory import DeviceSpec, register_driver, unregister_driver
    from devices.sim.rig import register_simulator, unregister_simulator
    from devices.state import DeviceState, DeviceStatus

    class Board:
        def __init__(self, spec: DeviceSpec) -> None:
            self.name, self.url = spec.name, str(spec.url)

        def status(self) -> DeviceStatus:
            broken = self.url.endswith("tamper")
            return DeviceStatus(self.name, "mcu_board", DeviceState.ERROR if broken else DeviceState.READY, "")

        def self_test(self) -> DeviceStatus:
            return self.status()

    register_driver("mcu_board", Board)
    register_simulator("mcu_board", lambda stack, folder, faults: DeviceSpec(
        "mcu_board", f"sim://board-{'tamper' if faults else 'ok'}"), faults=("tamper",))
    try:
        code, document = run("check", "--simulate", "--json")
        assert code == 0 and set(states(document).values()) == {"ready"} and len(document["devices"]) == 6
        code, document = run("check", "--simulate", "--fault", "mcu:tamper", "--json")
        assert code == 1 and states(document)["mcu_board"] == "error"
    finally:
        unregister_simulator("mcu_board")
        unregister_driver("mcu_board")
