import socket

import pytest

from devices.receipt_printer import PrinterUnavailable, Receipt, ReceiptPrinter
from devices.sim.escpos_printer import EscposPrinterSimulator, PrintedReceipt
from devices.state import DeviceState

RECEIPT = Receipt(
    title="CEZ Kiosk",
    lines=["Export declaration draft", "CMR: 7 pages"],
    reference="CEZ-2025-000123",
    qr_payload="https://cez.example/v/9f1c2e4a",
)


def test_receipt_prints_end_to_end_over_tcp(printer_sim: EscposPrinterSimulator) -> None:
    printer = ReceiptPrinter(printer_sim.url)
    assert printer.status().state is DeviceState.READY

    printer.print_receipt(RECEIPT)
    printed = printer_sim.wait_for_receipt(timeout=5)

    assert printed is not None
    assert printed.lines == ["CEZ Kiosk", "Export declaration draft", "CMR: 7 pages", "CEZ-2025-000123"]
    assert printed.qr_payloads == ["https://cez.example/v/9f1c2e4a"]
    assert printed.cut
    reference = next(e for e in printed.events if e.kind == "text" and e.data["text"] == RECEIPT.reference)
    style = reference.data["style"]
    assert style.bold and style.width >= 2 and style.height >= 2


def test_receipt_prints_over_a_serial_pty(printer_sim: EscposPrinterSimulator) -> None:
    assert printer_sim.serial_url is not None
    printer = ReceiptPrinter(f"{printer_sim.serial_url}?baudrate=115200")
    printer.print_receipt(RECEIPT)
    printed = printer_sim.wait_for_receipt(timeout=5)
    assert printed is not None
    assert printed.lines[-1] == "CEZ-2025-000123"
    assert printed.qr_payloads == [RECEIPT.qr_payload]


def test_on_receipt_callback_sees_each_receipt() -> None:
    seen: list[PrintedReceipt] = []
    sim = EscposPrinterSimulator(on_receipt=seen.append)
    printer = ReceiptPrinter(sim.start())
    try:
        printer.print_receipt(RECEIPT)
        printer.self_test()
        assert sim.wait_for_receipt(timeout=5) is not None
        assert sim.wait_for_receipt(timeout=5) is not None
    finally:
        sim.stop()
    assert [receipt.qr_payloads for receipt in seen] == [[RECEIPT.qr_payload], ["CEZ-KIOSK-SELF-TEST"]]


def test_unreachable_printer_is_absent_and_refuses_to_print(dead_url: str) -> None:
    printer = ReceiptPrinter(dead_url, timeout=0.5)
    status = printer.status()
    assert status.state is DeviceState.ABSENT
    assert dead_url in status.detail
    with pytest.raises(PrinterUnavailable, match="absent") as raised:
        printer.print_receipt(RECEIPT)
    assert raised.value.status.state is DeviceState.ABSENT
    assert printer.self_test().state is DeviceState.ABSENT


def test_silent_device_is_an_error_not_ready() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:  # accepts, never answers
        printer = ReceiptPrinter(f"socket://127.0.0.1:{server.getsockname()[1]}", timeout=0.2)
        status = printer.status()
    assert status.state is DeviceState.ERROR
    assert "no valid reply" in status.detail


def test_paper_out_stops_printing_and_low_paper_degrades(printer_sim: EscposPrinterSimulator) -> None:
    printer = ReceiptPrinter(printer_sim.url)
    printer_sim.paper = "out"
    assert printer.status().detail == "out of paper"
    with pytest.raises(PrinterUnavailable, match="out of paper"):
        printer.print_receipt(RECEIPT)

    printer_sim.paper = "low"
    status = printer.status()
    assert (status.state, status.detail) == (DeviceState.DEGRADED, "paper low")
    printer.print_receipt(RECEIPT)
    printed = printer_sim.wait_for_receipt(timeout=5)
    assert printed is not None and printed.qr_payloads == [RECEIPT.qr_payload]


@pytest.mark.parametrize("receipt", [
    Receipt(title="CEZ Kiosk", lines=["two\nlines"], reference="R-1", qr_payload="x"),
    Receipt(title="CEZ Kiosk", lines=[], reference="R-1\x1bi", qr_payload="x"),
    Receipt(title="CEZ Kiosk", lines=[], reference="R-1", qr_payload=""),
    Receipt(title="CEZ Kiosk", lines=[], reference="R-1", qr_payload="https://cez.example/გ"),
])
def test_unprintable_text_is_refused_before_anything_is_sent(
    printer_sim: EscposPrinterSimulator, receipt: Receipt
) -> None:
    with pytest.raises(ValueError, match="receipt"):
        ReceiptPrinter(printer_sim.url).print_receipt(receipt)
    printer_sim.stop()
    assert printer_sim.receipts == []


def test_garbage_does_not_break_the_simulator(printer_sim: EscposPrinterSimulator) -> None:
    with socket.create_connection(("127.0.0.1", int(printer_sim.url.rsplit(":", 1)[1]))) as raw:
        raw.sendall(bytes(range(256)) * 4 + b"\x1d(k\xff\xff")  # ends inside a never-finished command
    printer = ReceiptPrinter(printer_sim.url)
    assert printer.status().state is DeviceState.READY
    printer.print_receipt(RECEIPT)
    printed = printer_sim.wait_for_receipt(timeout=5)
    # Uncut garbage stays on the paper above the receipt, as on a real printer; the receipt itself is whole.
    assert printed is not None and printed.cut
    assert printed.lines[-4:] == ["CEZ Kiosk", *RECEIPT.lines, RECEIPT.reference]
    assert printed.qr_payloads == [RECEIPT.qr_payload]


def test_uncut_output_is_kept_as_an_uncut_receipt() -> None:
    sim = EscposPrinterSimulator()
    url = sim.start()
    with socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1]))) as raw:
        raw.sendall(b"\x1b@hanging\n")
    assert sim.wait_for_receipt(timeout=0.2) is None
    sim.stop()
    assert [(r.lines, r.cut) for r in sim.receipts] == [(["hanging"], False)]
