"""Device specs: which driver each URL means, watched paths, and drivers registered from elsewhere."""

from pathlib import Path

import pytest

from devices.a4_printer import A4Printer
from devices.barcode import HidBarcodeReader, SerialBarcodeReader
from devices.camera import CameraScanner
from devices.inventory import BoardCheck, DeviceSpec, build, canonical_name, register_driver, unregister_driver
from devices.receipt_printer import ReceiptPrinter
from devices.sane_scanner import SaneScanner
from devices.scanner import NetworkScanner
from devices.state import DeviceState, DeviceStatus


@pytest.mark.parametrize(("name", "url", "driver", "path"), [
    ("barcode_reader", "serial:///dev/cez-barcode?baudrate=9600", SerialBarcodeReader, "/dev/cez-barcode"),
    ("barcode_reader", "file:///dev/cez-barcode-kbd", HidBarcodeReader, "/dev/cez-barcode-kbd"),
    ("scanner", "sane:fujitsu:fi-7160:1", SaneScanner, None),
    ("scanner", "camera:/dev/cez-camera", CameraScanner, None),
    ("scanner", "socket://127.0.0.1:9200", NetworkScanner, None),
    ("receipt_printer", "usb://04b8:0e28", ReceiptPrinter, None),
    ("a4_printer", "cups:office?server=/run/cups/cups.sock", A4Printer, None),
    ("mcu_board", "serial:///dev/cez-mcu", BoardCheck, "/dev/cez-mcu"),
])
def test_each_url_builds_its_driver(name: str, url: str, driver: type, path: str | None) -> None:
    spec = DeviceSpec(name, url)
    assert isinstance(build(spec), driver)
    assert spec.path == path


def test_a4_url_carries_queue_and_server() -> None:
    printer = build(DeviceSpec("a4_printer", "cups:office?server=/run/cups/cups.sock"))
    assert isinstance(printer, A4Printer)
    assert (printer.queue, printer.server) == ("office", "/run/cups/cups.sock")


def test_unconfigured_devices_and_aliases() -> None:
    assert build(DeviceSpec("camera", None)) is None
    assert canonical_name("printer") == "receipt_printer"
    with pytest.raises(ValueError, match="unknown device"):
        canonical_name("toaster")


def test_missing_board_is_absent_not_raised(tmp_path: Path) -> None:
    board = build(DeviceSpec("mcu_board", f"serial://{tmp_path / 'ttyACM0'}"))
    assert board is not None and board.self_test().state is DeviceState.ABSENT


def test_a_registered_driver_is_built_from_its_spec(tmp_path: Path) -> None:
    class Board:
        def __init__(self, url: str) -> None:
            self.name, self.url = "mcu_board", url

        def status(self) -> DeviceStatus:
            return DeviceStatus(self.name, "mcu_board", DeviceState.READY, self.url)

        def self_test(self) -> DeviceStatus:
            return self.status()

    register_driver("mcu", lambda spec: Board(str(spec.url)))
    try:
        board = build(DeviceSpec("mcu_board", "serial:///dev/cez-mcu"))
        assert board is not None and board.status().detail == "serial:///dev/cez-mcu"
    finally:
        unregister_driver("mcu_board")
