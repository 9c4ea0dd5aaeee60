"""Thermal receipt printer driver (ESC/POS) over any transport URL.

python-escpos composes the bytes (its `Dummy` printer only collects them); our own transport sends
them, so the same driver serves a network printer (socket://), a USB-serial one (serial://) and the
simulator. Before printing it asks the printer's status (DLE EOT), so a receipt is never reported as
printed by a printer that is offline or out of paper.

Text must be printable ASCII: python-escpos turns characters outside the printer's code pages (Georgian)
into '?', and a silently wrong receipt is worse than a clear ValueError. Georgian receipts will be
rendered as images by the Devices work; until then receipts in the skeleton are ASCII.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from escpos.printer import Dummy

from devices.state import DeviceState, DeviceStatus
from devices.transport import Transport, TransportError, open_transport

log = logging.getLogger(__name__)

KIND = "receipt_printer"
DLE_EOT = b"\x10\x04"
STATUS_FIXED_MASK, STATUS_FIXED_BITS = 0x93, 0x12  # bits every Epson status byte has (1, 4 set; 0, 7 clear)
OFFLINE_BIT, PAPER_NEAR_END_BITS, PAPER_END_BITS = 0x08, 0x0C, 0x60
QR_MODULE_SIZE = 6


class PrinterUnavailable(RuntimeError):
    """The printer cannot print now: unreachable, silent, offline or out of paper (see `status`)."""

    def __init__(self, status: DeviceStatus) -> None:
        super().__init__(f"{status.name} cannot print: {status.state.value}: {status.detail}")
        self.status = status


@dataclass(frozen=True)
class Receipt:
    """What a kiosk receipt says; every field printable ASCII (see the module docstring)."""

    title: str
    lines: list[str]
    reference: str
    qr_payload: str


def render_receipt(receipt: Receipt) -> bytes:
    """ESC/POS bytes of a receipt: title, lines, the reference large and bold, a native QR code, a cut."""
    _check_printable("title", receipt.title)
    for index, line in enumerate(receipt.lines):
        _check_printable(f"lines[{index}]", line)
    _check_printable("reference", receipt.reference)
    _check_printable("qr_payload", receipt.qr_payload)
    if not receipt.qr_payload:
        raise ValueError("receipt qr_payload must not be empty")
    printer = Dummy()
    printer.hw("INIT")
    printer.set(align="center", bold=True, double_width=True, double_height=True)
    printer.textln(receipt.title)
    printer.set(align="left", bold=False, normal_textsize=True)
    for line in receipt.lines:
        printer.textln(line)
    printer.ln()
    printer.set(align="center", bold=True, double_width=True, double_height=True)
    printer.textln(receipt.reference)
    printer.set(bold=False, normal_textsize=True)
    printer.qr(receipt.qr_payload, native=True, size=QR_MODULE_SIZE)
    printer.set(align="left")
    printer.cut()
    output: bytes = printer.output
    return output


def _check_printable(field: str, text: str) -> None:
    if not (text.isascii() and text.isprintable()):
        raise ValueError(
            f"receipt {field} must be printable ASCII on one line (non-Latin text would print as '?')"
        )


class ReceiptPrinter:
    """An ESC/POS receipt printer at `url` (socket://HOST:9100, serial:///dev/ttyUSB0, ...)."""

    def __init__(self, url: str, name: str = "receipt_printer", timeout: float = 2.0) -> None:
        self.url = url
        self.name = name
        self.timeout = timeout

    def status(self) -> DeviceStatus:
        """Ready when the printer answers online with paper; absent when unreachable."""
        try:
            transport = open_transport(self.url, self.timeout)
        except TransportError as exc:
            return self._status(DeviceState.ABSENT, str(exc))
        with transport:
            return self._query(transport)

    def print_receipt(self, receipt: Receipt) -> None:
        """Print one receipt; ValueError for text it cannot print, PrinterUnavailable when it cannot print."""
        data = render_receipt(receipt)
        try:
            transport = open_transport(self.url, self.timeout)
        except TransportError as exc:
            raise PrinterUnavailable(self._status(DeviceState.ABSENT, str(exc))) from exc
        with transport:
            status = self._query(transport)
            if status.state not in (DeviceState.READY, DeviceState.DEGRADED):
                raise PrinterUnavailable(status)
            try:
                transport.write(data)
            except TransportError as exc:
                raise PrinterUnavailable(self._status(DeviceState.ERROR, str(exc))) from exc
        log.info("%s: receipt sent (%d bytes)", self.name, len(data))

    def self_test(self) -> DeviceStatus:
        """Print a short test receipt when the printer can print; returns the status it found."""
        status = self.status()
        if status.state in (DeviceState.READY, DeviceState.DEGRADED):
            test = Receipt(title="CEZ Kiosk", lines=["Printer self-test", f"Device: {self.name}"],
                           reference="TEST", qr_payload="CEZ-KIOSK-SELF-TEST")
            try:
                self.print_receipt(test)
            except PrinterUnavailable as exc:
                return exc.status
        return status

    def _query(self, transport: Transport) -> DeviceStatus:
        try:
            online = self._ask(transport, 1)
            if online is None:
                return self._status(DeviceState.ERROR, "no valid reply to status request (DLE EOT)")
            if online & OFFLINE_BIT:
                paper = self._ask(transport, 4)
                if paper is not None and paper & PAPER_END_BITS == PAPER_END_BITS:
                    return self._status(DeviceState.ERROR, "out of paper")
                return self._status(DeviceState.ERROR, "printer offline")
            paper = self._ask(transport, 4)
        except TransportError as exc:
            return self._status(DeviceState.ERROR, str(exc))
        if paper is not None and paper & PAPER_NEAR_END_BITS == PAPER_NEAR_END_BITS:
            return self._status(DeviceState.DEGRADED, "paper low")
        return self._status(DeviceState.READY, "online")

    def _ask(self, transport: Transport, n: int) -> int | None:
        """One DLE EOT status byte, or None when the printer stays silent or answers nonsense."""
        transport.write(DLE_EOT + bytes([n]))
        answer = transport.read(1, self.timeout)
        if not answer or answer[0] & STATUS_FIXED_MASK != STATUS_FIXED_BITS:
            return None
        return answer[0]

    def _status(self, state: DeviceState, detail: str) -> DeviceStatus:
        return DeviceStatus(name=self.name, kind=KIND, state=state, detail=detail)
