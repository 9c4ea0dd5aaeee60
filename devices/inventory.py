"""The kiosk's peripherals as data: which device has which URL, and the driver each URL means.

URLs per kind (the transport URLs of `devices.transport` where a device speaks bytes):
- barcode_reader:  serial:///dev/cez-barcode?baudrate=9600 (serial reader) or
                   file:///dev/input/by-id/...-event-kbd (keyboard wedge);
- scanner:         sane:DEVICE (e.g. sane:fujitsu:fi-7160:1234, sane:test), camera:SOURCE, or socket://
                   for the network line protocol of `devices.sim.scanner`;
- camera:          camera:/dev/video0 (or an image, a folder of images, a video);
- receipt_printer: socket://HOST:9100, serial:///dev/cez-receipt?baudrate=115200;
- a4_printer:      cups:QUEUE, or cups:QUEUE?server=/run/cups/cups.sock;
- mcu_board:       serial:///dev/cez-mcu (`devices.mcu_board`, over firmware_bridge).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from devices.a4_printer import A4Printer
from devices.barcode import HidBarcodeReader, SerialBarcodeReader
from devices.camera import Camera, CameraScanner
from devices.mcu_board import McuBoard
from devices.receipt_printer import ReceiptPrinter
from devices.sane_scanner import SaneScanner
from devices.scanner import NetworkScanner
from devices.state import DeviceStatus
from devices.supervisor import Device
from devices.transport import sim_dir

KINDS = {
    "barcode_reader": "barcode_reader",
    "scanner": "document_scanner",
    "camera": "camera",
    "receipt_printer": "receipt_printer",
    "a4_printer": "a4_printer",
    "mcu_board": "mcu_board",
}
ALIASES = {"printer": "receipt_printer", "barcode": "barcode_reader", "a4": "a4_printer", "mcu": "mcu_board",
           "document_scanner": "scanner"}


@dataclass(frozen=True)
class DeviceSpec:
    """One configured device; `path` is the device node the supervisor watches (None: not watched)."""

    name: str
    url: str | None
    required: bool = True
    env: tuple[tuple[str, str], ...] = ()
    options: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        return KINDS[self.name]

    @property
    def path(self) -> str | None:
        if self.url is None:
            return None
        parts = urlsplit(self.url)
        if parts.scheme in ("serial", "file") and parts.path.startswith("/"):
            return parts.path
        if parts.scheme == "sim":
            return str(sim_dir() / parts.netloc)
        return None

    def to_dict(self) -> dict[str, object]:
        return {"name": self.name, "kind": self.kind, "url": self.url, "required": self.required}


def canonical_name(name: str) -> str:
    """The device name for a user-typed name or alias; ValueError for unknown ones."""
    name = ALIASES.get(name, name)
    if name not in KINDS:
        raise ValueError(f"unknown device {name!r}; known: {', '.join(KINDS)}")
    return name


DriverFactory = Callable[[DeviceSpec], Device]
_factories: dict[str, DriverFactory] = {}


def register_driver(name: str, factory: DriverFactory) -> None:
    """Let a driver that lives in its own module (the MCU board's) be built from its spec like the rest."""
    _factories[canonical_name(name)] = factory


def unregister_driver(name: str) -> None:
    _factories.pop(canonical_name(name), None)


def build(spec: DeviceSpec) -> Device | None:
    """The driver for `spec`; None when it is not configured or no driver is registered for it."""
    url = spec.url
    if url is None:
        return None
    if spec.name in _factories:
        return _factories[spec.name](spec)
    if spec.name == "mcu_board":
        return BoardCheck(McuBoard(url, spec.name))
    parts = urlsplit(url)
    env = dict(spec.env)
    if spec.name == "barcode_reader":
        if parts.scheme == "file":
            return HidBarcodeReader(url, spec.name)
        return SerialBarcodeReader(url, spec.name)
    if spec.name == "scanner":
        if parts.scheme == "sane":
            return SaneScanner(url.removeprefix("sane:"), spec.name, env=env, options=spec.options)
        if parts.scheme == "camera":
            return CameraScanner(Camera(url.removeprefix("camera:"), spec.name))
        return NetworkScanner(url, spec.name)
    if spec.name == "camera":
        return Camera(url.removeprefix("camera:"), spec.name)
    if spec.name == "receipt_printer":
        return ReceiptPrinter(url, spec.name)
    if spec.name == "a4_printer":
        server = parse_qs(parts.query).get("server", [None])[0]
        return A4Printer(parts.path, server=server, name=spec.name)
    raise ValueError(f"no driver for {spec.name}")



class BoardCheck:
    """The MCU board for a one-off check (the CLI): connect, identify, disconnect. The core instead
    keeps an `McuBoard` started, since its bridge holds the link up by itself."""

    def __init__(self, board: McuBoard) -> None:
        self.board = board
        self.name = board.name
        self.url = board.url

    def status(self) -> DeviceStatus:
        try:
            return self.board.start()
        finally:
            self.board.stop()

    def self_test(self) -> DeviceStatus:
        return self.status()
