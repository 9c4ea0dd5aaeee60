"""Receipts end to end: driver -> python-escpos -> pty/socket -> simulator -> events and a PNG."""

import io

import numpy as np
import pytest
import zxingcpp
from PIL import Image

from devices.receipt_printer import Receipt, ReceiptPrinter
from devices.sim.escpos_printer import EscposPrinterSimulator
from devices.sim.receipt_png import render_png

GEORGIAN = Receipt(
    title="CEZ Kiosk",
    lines=["საბაჟო დეკლარაცია", "Таможенная декларация", "Gross weight: 12000 kg"],
    reference="CEZ-2026-000777",
    qr_payload="https://cez.example/v/0badf00d",
)


def _png(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("L"))


@pytest.mark.parametrize("over", ["socket", "pty"])
def test_receipt_png_shows_text_image_and_a_qr_that_decodes(printer_sim: EscposPrinterSimulator, over: str) -> None:
    url = printer_sim.url if over == "socket" else f"{printer_sim.serial_url}?baudrate=115200"
    ReceiptPrinter(url).print_receipt(GEORGIAN)
    printed = printer_sim.wait_for_receipt(timeout=5)
    assert printed is not None and printed.cut
    # ASCII lines stay text; Georgian and Cyrillic come as raster images (python-escpos would print '?').
    assert printed.lines == ["CEZ Kiosk", "Gross weight: 12000 kg", "CEZ-2026-000777"]
    assert printed.images == 2
    assert not any("?" in line for line in printed.lines)

    pixels = _png(render_png(printed.events))
    decoded = zxingcpp.read_barcodes(pixels)
    assert [code.text for code in decoded if code.format == zxingcpp.BarcodeFormat.QRCode] == [GEORGIAN.qr_payload]
    assert pixels.shape[1] == 576
    dark_rows = np.flatnonzero((pixels < 128).any(axis=1))
    assert len(dark_rows) > 200  # title, two image lines, text, reference and the QR all left ink


def test_georgian_image_is_drawn_not_blank(printer_sim: EscposPrinterSimulator) -> None:
    ReceiptPrinter(printer_sim.url).print_receipt(GEORGIAN)
    printed = printer_sim.wait_for_receipt(timeout=5)
    assert printed is not None
    images = [event for event in printed.events if event.kind == "image"]
    assert all(event.data["command"] == "GS v 0" for event in images)
    ink = [np.unpackbits(np.frombuffer(event.data["raster"], dtype=np.uint8)).sum() for event in images]  # type: ignore[call-overload]
    assert all(count > 200 for count in ink)


def test_barcodes_render_as_decodable_symbols() -> None:
    from escpos.printer import Dummy

    from devices.sim.escpos_parser import EscposParser

    printer = Dummy()
    printer.hw("INIT")
    printer.barcode("{BCEZ12345", "CODE128", function_type="B")
    printer.cut()
    events = EscposParser().feed(printer.output)
    decoded = zxingcpp.read_barcodes(_png(render_png(events)))
    assert [(code.format, code.text) for code in decoded] == [(zxingcpp.BarcodeFormat.Code128, "CEZ12345")]
