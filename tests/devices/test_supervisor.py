"""The supervisor against simulators behind socat ptys that are removed and recreated mid-session."""

import threading
import time
from collections.abc import Callable
from pathlib import Path

from devices.barcode import BarcodeScan, SerialBarcodeReader
from devices.receipt_printer import Receipt, ReceiptPrinter
from devices.sim.barcode_reader import SerialBarcodeSimulator
from devices.sim.escpos_printer import EscposPrinterSimulator
from devices.state import DeviceState
from devices.supervisor import Backoff, DeviceEvent, Supervisor
from tests.devices.conftest import SocatLink

RECEIPT = Receipt(title="CEZ Kiosk", lines=["after replug"], reference="R-9", qr_payload="R-9")


class Events:
    def __init__(self) -> None:
        self.items: list[DeviceEvent] = []
        self.changed = threading.Condition()

    def __call__(self, event: DeviceEvent) -> None:
        with self.changed:
            self.items.append(event)
            self.changed.notify_all()

    def wait_state(self, name: str, state: DeviceState, timeout: float = 10) -> bool:
        def seen() -> bool:
            states = [e.data["state"] for e in self.items if e.type == "state" and e.name == name]
            return bool(states) and states[-1] == state.value
        with self.changed:
            return self.changed.wait_for(seen, timeout)

    def wait_data(self, count: int, timeout: float = 10) -> list[BarcodeScan]:
        with self.changed:
            self.changed.wait_for(lambda: len(self.data()) >= count, timeout)
            return self.data()

    def data(self) -> list[BarcodeScan]:
        return [e.data for e in self.items if e.type == "data"]


def test_barcode_reader_replugged_mid_session_reconnects_and_scans(
    tmp_path: Path, socat_link: Callable[[str, str], SocatLink]
) -> None:
    sim = SerialBarcodeSimulator()
    sim_path = sim.start()
    link = socat_link("barcode", f"OPEN:{sim_path},raw,echo=0")
    events = Events()
    supervisor = Supervisor(events, check_interval_s=0.2)
    supervisor.add(SerialBarcodeReader(f"serial://{link.link}", "barcode"), "barcode_reader", path=str(link.link))
    supervisor.start()
    try:
        assert events.wait_state("barcode", DeviceState.READY)
        sim.scan("BEFORE")
        assert [s.data for s in events.wait_data(1)] == ["BEFORE"]

        link.remove()
        assert events.wait_state("barcode", DeviceState.ABSENT)
        link.create()
        assert events.wait_state("barcode", DeviceState.READY)
        time.sleep(0.1)  # socat has the new pty open; give it a beat to open the simulator side
        sim.scan("AFTER")
        assert [s.data for s in events.wait_data(2)] == ["BEFORE", "AFTER"]
    finally:
        supervisor.stop()
        sim.stop()


def test_printer_replugged_mid_session_prints_the_next_receipt(
    printer_sim: EscposPrinterSimulator, socat_link: Callable[[str, str], SocatLink]
) -> None:
    link = socat_link("printer", f"TCP:{printer_sim.url.removeprefix('socket://')}")
    events = Events()
    printer = ReceiptPrinter(f"serial://{link.link}", "printer", timeout=1)
    supervisor = Supervisor(events, check_interval_s=0.2)
    supervisor.add(printer, "receipt_printer", path=str(link.link))
    supervisor.start()
    try:
        assert events.wait_state("printer", DeviceState.READY)
        link.remove()
        assert events.wait_state("printer", DeviceState.ABSENT)
        link.create()
        assert events.wait_state("printer", DeviceState.READY)
        printer.print_receipt(RECEIPT)
        printed = printer_sim.wait_for_receipt(timeout=5)
        assert printed is not None and printed.qr_payloads == ["R-9"]
    finally:
        supervisor.stop()


def test_failing_device_backs_off_until_the_budget_is_spent(tmp_path: Path) -> None:
    not_a_tty = tmp_path / "ttyUSB0"
    not_a_tty.write_text("")  # the path exists but cannot be opened as a serial port
    events = Events()
    supervisor = Supervisor(events, backoff=lambda: Backoff(initial=0.01, maximum=0.02, budget=3, window_s=60))
    supervisor.add(SerialBarcodeReader(f"serial://{not_a_tty}", "barcode"), "barcode_reader", path=str(not_a_tty))
    supervisor.start()
    try:
        assert events.wait_state("barcode", DeviceState.ERROR)
        assert "restart budget exhausted" in supervisor.status("barcode").detail
        retries = [e for e in events.items if e.type == "state" and "retry" in e.data["detail"]]
        assert len(retries) == 3
    finally:
        supervisor.stop()


def test_backoff_doubles_and_budget_refills_after_its_window() -> None:
    backoff = Backoff(initial=0.1, maximum=0.3, budget=3, window_s=10)
    assert [backoff.next_delay(t) for t in (0, 1, 2, 3)] == [0.1, 0.2, 0.3, None]
    assert backoff.next_delay(10.5) == 0.3
    backoff.reset()
    assert backoff.next_delay(11) == 0.1


def test_wire_log_switches_on_at_runtime(printer_sim: EscposPrinterSimulator) -> None:
    supervisor = Supervisor()
    printer = ReceiptPrinter(printer_sim.url, "printer")
    supervisor.add(printer, "receipt_printer")
    printer.status()
    assert supervisor.wire_records("printer") == []
    supervisor.set_wire_log("printer", True)
    printer.status()
    records = supervisor.wire_records("printer")
    assert [r.direction for r in records][:2] == ["tx", "rx"] and records[0].data == b"\x10\x04\x01"
    supervisor.set_wire_log("printer", False)
    assert supervisor.wire_records("printer") == []
    assert supervisor.counters("printer")["status_queries"] == 2
