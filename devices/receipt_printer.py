"""Thermal receipt printer driver (ESC/POS) over any transport URL.

python-escpos composes the bytes (its `Dummy` printer only collects them); our own transport sends
them, so the same driver serves a network printer (socket://), a USB-serial one (serial://) and the
simulator. Before printing it asks the printer's real status (DLE EOT 1, 2 and 4: online, cover open,
paper end, paper near end), and after sending a job it asks again: a job the roll ran out under is
reported as not printed, so the print queue (`devices.print_queue`) prints it again, whole.

python-escpos prints characters outside the printer's code pages (Georgian, often Cyrillic) as '?', so
such lines are rendered with DejaVuSans into a raster image (GS v 0) instead.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from escpos.printer import Dummy

from devices.state import DeviceState, DeviceStatus
from devices.text_image import needs_image, render_lines
from devices.transport import Transport, TransportBusy, TransportError, open_transport

log = logging.getLogger(__name__)

KIND = "receipt_printer"
DLE_EOT = b"\x10\x04"
STATUS_FIXED_MASK, STATUS_FIXED_BITS = 0x93, 0x12  # bits every Epson status byte has (1, 4 set; 0, 7 clear)
OFFLINE_BIT, COVER_OPEN_BIT, PAPER_STOP_BIT = 0x08, 0x04, 0x20
PAPER_NEAR_END_BITS, PAPER_END_BITS = 0x0C, 0x60
QR_MODULE_SIZE = 6
PROFILE = "TM-T88V"  # an 80 mm, 512-dot profile: python-escpos then checks image widths quietly
DRAIN_S = 0.01  # long enough for bytes already on the way; short, as every query starts with it


class PrinterUnavailable(RuntimeError):
    """The printer cannot print now: unreachable, silent, offline or out of paper (see `status`)."""

    def __init__(self, status: DeviceStatus) -> None:
        super().__init__(f"{status.name} cannot print: {status.state.value}: {status.detail}")
        self.status = status


@dataclass(frozen=True)
class Receipt:
    """What a kiosk receipt says. Lines in any script; the QR payload is ASCII (a URL or reference)."""

    title: str
    lines: list[str]
    reference: str
    qr_payload: str


@dataclass(frozen=True)
class PrinterReport:
    """A status query's result: the device status, and whether a job may be sent now."""

    status: DeviceStatus
    can_print: bool


def render_receipt(receipt: Receipt) -> bytes:
    """ESC/POS bytes of a receipt: title, lines, the reference large and bold, a native QR code, a cut."""
    _check_line("title", receipt.title)
    for index, line in enumerate(receipt.lines):
        _check_line(f"lines[{index}]", line)
    _check_line("reference", receipt.reference)
    if not (receipt.qr_payload.isascii() and receipt.qr_payload.isprintable()):
        raise ValueError("receipt qr_payload must be printable ASCII")
    if not receipt.qr_payload:
        raise ValueError("receipt qr_payload must not be empty")
    printer = Dummy(profile=PROFILE)
    printer.hw("INIT")
    printer.set(align="center", bold=True, double_width=True, double_height=True)
    _text(printer, receipt.title, bold=True, center=True, size=40)
    printer.set(align="left", bold=False, normal_textsize=True)
    for line in receipt.lines:
        _text(printer, line, bold=False, center=False, size=24)
    printer.ln()
    printer.set(align="center", bold=True, double_width=True, double_height=True)
    _text(printer, receipt.reference, bold=True, center=True, size=40)
    printer.set(bold=False, normal_textsize=True)
    printer.qr(receipt.qr_payload, native=True, size=QR_MODULE_SIZE)
    printer.set(align="left")
    printer.cut()
    output: bytes = printer.output
    return output


def _text(printer: Dummy, line: str, *, bold: bool, center: bool, size: int) -> None:
    if needs_image(line):
        printer.image(render_lines([line], size=size, bold=bold, center=center), impl="bitImageRaster")
    else:
        printer.textln(line)


def _check_line(field: str, text: str) -> None:
    if not text.isprintable():
        raise ValueError(f"receipt {field} must be printable text on one line")


class ReceiptPrinter:
    """An ESC/POS receipt printer at `url` (socket://HOST:9100, serial:///dev/ttyUSB0, ...)."""

    def __init__(self, url: str, name: str = "receipt_printer", timeout: float = 2.0) -> None:
        self.url = url
        self.name = name
        self.timeout = timeout
        self.counters = {"jobs_printed": 0, "jobs_interrupted": 0, "status_queries": 0, "link_errors": 0}
        self._lock = threading.Lock()  # one conversation with the printer at a time, in this process

    def status(self) -> DeviceStatus:
        """Ready when online with paper; degraded when paper is low/out or the cover is open; absent
        when unreachable; error when it does not answer sensibly."""
        return self.report().status

    def report(self) -> PrinterReport:
        with self._lock:
            try:
                transport = open_transport(self.url, self.timeout)
            except TransportBusy as exc:
                return self._report(DeviceState.BUSY, str(exc), False)
            except TransportError as exc:
                return self._report(DeviceState.ABSENT, str(exc), False)
            with transport:
                return self._query(transport)

    def print_receipt(self, receipt: Receipt) -> None:
        """Print one receipt; ValueError for text it cannot print, PrinterUnavailable when it cannot print."""
        self.send(render_receipt(receipt))

    def send(self, data: bytes) -> None:
        """Send one whole job (ESC/POS bytes ending in a cut) and confirm it came out; PrinterUnavailable
        when it could not start or was interrupted (then nothing counts as printed)."""
        with self._lock:
            try:
                transport = open_transport(self.url, self.timeout)
            except TransportBusy as exc:
                raise PrinterUnavailable(self._status(DeviceState.BUSY, str(exc))) from exc
            except TransportError as exc:
                raise PrinterUnavailable(self._status(DeviceState.ABSENT, str(exc))) from exc
            with transport:
                self._send_job(transport, data)
        self.counters["jobs_printed"] += 1
        log.info("%s: job sent (%d bytes)", self.name, len(data))

    def _send_job(self, transport: Transport, data: bytes) -> None:
        before = self._query(transport)
        if not before.can_print:
            raise PrinterUnavailable(before.status)
        try:
            transport.write(data)
        except TransportError as exc:
            self.counters["link_errors"] += 1
            raise PrinterUnavailable(self._status(DeviceState.ERROR, str(exc))) from exc
        after = self._query(transport)  # did the roll run out (or the cover open) under the job?
        if not after.can_print:
            self.counters["jobs_interrupted"] += 1
            raise PrinterUnavailable(after.status)

    def self_test(self) -> DeviceStatus:
        """Print a short test receipt when the printer can print; returns the status it found."""
        report = self.report()
        if report.can_print:
            test = Receipt(title="CEZ Kiosk", lines=["Printer self-test", f"Device: {self.name}"],
                           reference="TEST", qr_payload="CEZ-KIOSK-SELF-TEST")
            try:
                self.print_receipt(test)
            except PrinterUnavailable as exc:
                return exc.status
        return report.status

    def _query(self, transport: Transport) -> PrinterReport:
        self.counters["status_queries"] += 1
        try:
            _drain(transport)
            online = self._ask(transport, 1)
            if online is None:
                return self._report(DeviceState.ERROR, "no valid reply to status request (DLE EOT)", False)
            cause = self._ask(transport, 2) if online & OFFLINE_BIT else 0
            paper = self._ask(transport, 4)
        except TransportError as exc:
            self.counters["link_errors"] += 1
            return self._report(DeviceState.ERROR, str(exc), False)
        if cause is None or paper is None:
            return self._report(DeviceState.ERROR, "no valid reply to status request (DLE EOT)", False)
        if cause & COVER_OPEN_BIT:
            return self._report(DeviceState.DEGRADED, "cover open", False)
        if paper & PAPER_END_BITS or cause & PAPER_STOP_BIT:
            return self._report(DeviceState.DEGRADED, "out of paper", False)
        if online & OFFLINE_BIT:
            return self._report(DeviceState.ERROR, "printer offline", False)
        if paper & PAPER_NEAR_END_BITS:
            return self._report(DeviceState.DEGRADED, "paper low", True)
        return self._report(DeviceState.READY, "online", True)

    def _ask(self, transport: Transport, n: int) -> int | None:
        """One DLE EOT status byte, or None when the printer stays silent or answers nonsense."""
        transport.write(DLE_EOT + bytes([n]))
        answer = transport.read(1, self.timeout)
        if not answer or answer[0] & STATUS_FIXED_MASK != STATUS_FIXED_BITS:
            _drain(transport)  # a confused reply must not poison the next question
            return None
        return answer[0]

    def _report(self, state: DeviceState, detail: str, can_print: bool) -> PrinterReport:
        return PrinterReport(self._status(state, detail), can_print)

    def _status(self, state: DeviceState, detail: str) -> DeviceStatus:
        return DeviceStatus(name=self.name, kind=KIND, state=state, detail=detail)


def _drain(transport: Transport) -> None:
    """Drop bytes left over from an earlier, garbled exchange."""
    while transport.read(4096, DRAIN_S):
        pass
