"""Every peripheral's simulator at once, on real ptys and sockets, for `cez-kiosk devices check
--simulate` and the demo: each yields a DeviceSpec the real driver is built from, and named faults are
carried out inside the simulators.

The scanner is SANE's own `test` backend (in a private SANE_CONFIG_DIR), the A4 printer a private
cupsd with a socket:// queue, the camera a generated page image, the MCU board firmware_bridge's
board simulator (a process on its own pty).
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

import cv2
import numpy as np

from devices.inventory import DeviceSpec, canonical_name
from devices.sim.barcode_reader import BARCODE_FAULTS, SerialBarcodeSimulator
from devices.sim.cups_server import CupsServer
from devices.sim.escpos_printer import PRINTER_FAULTS, EscposPrinterSimulator
from firmware_bridge.peers import PeerProcess, peer_command

SANE_FAULTS = {"jammed": "SANE_STATUS_JAMMED", "cover_open": "SANE_STATUS_COVER_OPEN",
               "busy": "SANE_STATUS_DEVICE_BUSY", "empty": "SANE_STATUS_NO_DOCS"}
FAULTS = {
    "receipt_printer": PRINTER_FAULTS,
    "barcode_reader": BARCODE_FAULTS,
    "scanner": tuple(SANE_FAULTS),
    "camera": ("missing",),
    "a4_printer": ("stopped", "missing"),
}
A4_QUEUE = "cez_a4"
# name -> starter(stack, folder, faults) -> spec: simulators whose drivers live in other modules (the MCU
# board's) join the rig with `register_simulator`, their cleanup pushed on the ExitStack.
SimulatorStarter = Callable[[contextlib.ExitStack, Path, list[str]], DeviceSpec]
_starters: dict[str, tuple[SimulatorStarter, tuple[str, ...]]] = {}


def register_simulator(name: str, starter: SimulatorStarter, faults: tuple[str, ...] = ()) -> None:
    """Add a device's simulator to every SimulatedKiosk (and its faults to `--fault`)."""
    _starters[canonical_name(name)] = (starter, faults)


def unregister_simulator(name: str) -> None:
    _starters.pop(canonical_name(name), None)


def parse_fault(text: str) -> tuple[str, str]:
    """'printer:paper_out' -> ('receipt_printer', 'paper_out'); ValueError naming what is allowed."""
    device, sep, fault = text.partition(":")
    if not sep:
        raise ValueError(f"fault {text!r} must look like DEVICE:FAULT, e.g. printer:paper_out")
    name = canonical_name(device)
    known = FAULTS.get(name, ()) + (_starters[name][1] if name in _starters else ())
    if fault not in known:
        raise ValueError(f"unknown fault {fault!r} for {name}; known: {', '.join(known) or 'none'}")
    return name, fault


class SimulatedKiosk:
    """Starts every simulator; `specs` then point the real drivers at them."""

    def __init__(self, faults: list[tuple[str, str]] | None = None) -> None:
        self.faults = faults or []
        self.specs: list[DeviceSpec] = []
        self.barcode: SerialBarcodeSimulator | None = None
        self.printer = EscposPrinterSimulator(pty=True)
        self.cups = CupsServer()
        self._dir = tempfile.TemporaryDirectory(prefix="cez-sim-")
        self._stack = contextlib.ExitStack()

    def __enter__(self) -> SimulatedKiosk:
        try:
            self._start()
        except BaseException:
            self._stack.close()
            raise
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stack.close()

    def _faults(self, name: str) -> list[str]:
        return [fault for device, fault in self.faults if device == name]

    def _start(self) -> None:
        root = Path(self._dir.name)
        self._stack.callback(self._dir.cleanup)

        self.barcode = SerialBarcodeSimulator(link=root / "barcode")
        self.barcode.start()
        self._stack.callback(self.barcode.stop)
        for fault in self._faults("barcode_reader"):
            self.barcode.set_fault(fault)

        sane_dir = root / "sane.d"
        sane_dir.mkdir()
        (sane_dir / "dll.conf").write_text("test\n")
        scanner_faults = self._faults("scanner")
        scanner_env = (("SANE_CONFIG_DIR", str(sane_dir)),)
        scanner_options = tuple(f"--read-return-value={SANE_FAULTS[fault]}" for fault in scanner_faults[-1:])

        pages = root / "camera"
        pages.mkdir()
        if "missing" not in self._faults("camera"):
            page = np.full((600, 800, 3), 235, dtype=np.uint8)
            cv2.putText(page, "CMR", (300, 320), cv2.FONT_HERSHEY_SIMPLEX, 3, (20, 20, 20), 6)
            cv2.imwrite(str(pages / "page.png"), page)

        self.printer.start()
        self._stack.callback(self.printer.stop)
        for fault in self._faults("receipt_printer"):
            self.printer.set_fault(fault)

        self.cups.start()
        self._stack.callback(self.cups.stop)
        a4_faults = self._faults("a4_printer")
        if "missing" not in a4_faults:
            self.cups.add_socket_queue(A4_QUEUE)
            if "stopped" in a4_faults:
                self.cups.run("cupsdisable", "-r", "simulated fault", A4_QUEUE)

        self.specs = [
            DeviceSpec("barcode_reader", f"serial://{root / 'barcode'}"),
            DeviceSpec("scanner", "sane:test", env=scanner_env, options=scanner_options),
            DeviceSpec("camera", f"camera:{pages}"),
            DeviceSpec("receipt_printer", f"{self.printer.serial_url}?baudrate=115200"),
            DeviceSpec("a4_printer", f"cups:{A4_QUEUE}?server={self.cups.socket_path}"),
        ]
        for name, (starter, _) in _starters.items():
            folder = root / name
            folder.mkdir()
            self.specs.append(starter(self._stack, folder, self._faults(name)))
        if "mcu_board" not in _starters:
            board = self._stack.enter_context(PeerProcess(peer_command("python", None)))
            self.specs.append(DeviceSpec("mcu_board", f"serial://{board.path}"))
