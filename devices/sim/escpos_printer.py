"""ESC/POS thermal receipt printer simulator: what a network printer on port 9100 (or a serial one) does.

It listens on a free TCP port of 127.0.0.1 and, if asked, on a pty (optionally behind a stable link
path); every connection's bytes go through the real ESC/POS parser, status requests (DLE EOT n) are
answered with Epson status bytes, and printed output is grouped into receipts that end at a cut; each
can be drawn as a PNG (`PrintedReceipt.png`, and written to `png_dir` as it comes out).

Scripted faults: `paper` ("ok", "low", "out"), `cover_open`, `run_out_after(lines)` (the roll ends in the
middle of a job), `unplug`/`replug`, and the link faults of `LinkFaults` (slow, garbage, partial).
Without paper or with the cover open nothing prints. A receipt the roll ran out in the middle of is
torn off as spoiled (`spoiled`), as a clerk would: it never counts as printed, so a job the driver
prints again after the paper is back shows as exactly one complete receipt.
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from devices.sim.escpos_parser import EscposEvent, EscposParser
from devices.sim.faults import LinkFaults
from devices.sim.pty_endpoint import PtyEndpoint
from devices.sim.receipt_png import render_png
from devices.sim.tcp_server import TcpServer

log = logging.getLogger(__name__)

PRINTING_KINDS = frozenset({"text", "feed", "qr", "barcode", "image", "cut"})
# Epson DLE EOT answers: bits 1 and 4 are always set; n=1 bit 3 = offline; n=2 bit 2 = cover open,
# bit 5 = stopped by paper end; n=4 bits 2-3 = paper near end, bits 5-6 = paper end.
STATUS_FIXED = 0x12
OFFLINE, COVER_OPEN, PAPER_END_STOP, NEAR_END, PAPER_END = 0x08, 0x04, 0x20, 0x0C, 0x60
PRINTER_FAULTS = ("paper_out", "paper_low", "cover_open", "unplug", "slow", "garbage", "partial")


@dataclass
class PrintedReceipt:
    """One receipt as it came out of the printer: text lines (blank feeds left out), codes, and the cut."""

    lines: list[str] = field(default_factory=list)
    qr_payloads: list[str] = field(default_factory=list)
    barcodes: list[str] = field(default_factory=list)
    images: int = 0
    cut: bool = False
    events: list[EscposEvent] = field(default_factory=list)

    def png(self) -> bytes:
        """The receipt as it looks on paper (see `receipt_png`)."""
        return render_png(self.events)


class _ReceiptBuilder:
    """Collects printing events into the receipt in progress; a cut completes it."""

    def __init__(self) -> None:
        self._receipt = PrintedReceipt()
        self._line: list[str] = []

    def add(self, event: EscposEvent) -> PrintedReceipt | None:
        receipt = self._receipt
        receipt.events.append(event)
        if event.kind == "init":
            self._line.clear()  # ESC @ discards text not yet printed
        elif event.kind == "text":
            self._line.append(str(event.data["text"]))
        elif event.kind == "qr":
            receipt.qr_payloads.append(str(event.data["payload"]))
        elif event.kind == "barcode":
            receipt.barcodes.append(str(event.data["data"]))
        elif event.kind == "image":
            receipt.images += 1
        if event.kind in ("feed", "cut"):
            self._end_line()
        if event.kind != "cut":
            return None
        receipt.cut = True
        self._receipt = PrintedReceipt()
        return receipt

    def finish(self) -> PrintedReceipt | None:
        """The uncut receipt in progress, if anything was printed on it."""
        self._end_line()
        receipt, self._receipt = self._receipt, PrintedReceipt()
        printed = any(event.kind in PRINTING_KINDS for event in receipt.events)
        return receipt if printed else None

    def _end_line(self) -> None:
        line = "".join(self._line)
        self._line.clear()
        if line:
            self._receipt.lines.append(line)


class EscposPrinterSimulator:
    """A receipt printer on `socket://127.0.0.1:PORT` (and `serial://<pty>` with `pty=True`)."""

    def __init__(
        self,
        *,
        pty: bool = False,
        link: Path | None = None,
        on_receipt: Callable[[PrintedReceipt], None] | None = None,
        png_dir: Path | None = None,
    ) -> None:
        self.on_receipt = on_receipt
        self.png_dir = png_dir
        self.paper = "ok"
        self.cover_open = False
        self.link_faults = LinkFaults()
        self._lines_left: int | None = None
        self._server = TcpServer(self._serve_connection, "escpos-sim")
        self._endpoint = PtyEndpoint(self._on_pty_bytes, "escpos-sim", link) if pty or link else None
        self._pty_parser = EscposParser()
        self._changed = threading.Condition()
        self._builder = _ReceiptBuilder()
        self._receipts: list[PrintedReceipt] = []
        self._spoiled: list[PrintedReceipt] = []
        self._taken = 0
        self._port = 0
        self.url = ""
        self.serial_url: str | None = None

    def start(self) -> str:
        """Start listening; returns the `socket://127.0.0.1:PORT` URL."""
        self._port = self._server.start(self._port)
        self.url = f"socket://127.0.0.1:{self._port}"
        if self._endpoint is not None:
            self.serial_url = f"serial://{self._endpoint.plug()}"
        log.info("ESC/POS printer simulator listening on %s", self.url)
        return self.url

    def stop(self) -> None:
        """Stop serving; an uncut receipt still in the printer is kept with `cut=False`."""
        self._server.stop()
        if self._endpoint is not None:
            self._endpoint.unplug()
        with self._changed:
            leftover = self._builder.finish()
        if leftover is not None:
            self._complete(leftover)

    def unplug(self) -> None:
        """The cable is pulled: connections drop, the port closes, the pty (and its link) vanish."""
        self._server.stop()
        if self._endpoint is not None:
            self._endpoint.unplug()

    def replug(self) -> None:
        """Plugged back: the same TCP port, a new pty behind the same link path."""
        self._server.start(self._port)
        if self._endpoint is not None:
            self.serial_url = f"serial://{self._endpoint.plug()}"

    def set_fault(self, name: str, on: bool = True) -> None:
        """Switch one of PRINTER_FAULTS on or off (what `devices check --fault printer:NAME` does)."""
        if name == "paper_out":
            self.paper = "out" if on else "ok"
        elif name == "paper_low":
            self.paper = "low" if on else "ok"
        elif name == "cover_open":
            self.cover_open = on
        elif name == "unplug":
            self.unplug() if on else self.replug()
        else:
            self.link_faults.set(name, on)

    def run_out_after(self, lines: int) -> None:
        """The roll ends after `lines` more printed lines (a job in progress is cut short)."""
        self._lines_left = lines

    @property
    def receipts(self) -> list[PrintedReceipt]:
        """Every receipt printed so far, oldest first."""
        with self._changed:
            return list(self._receipts)

    @property
    def spoiled(self) -> list[PrintedReceipt]:
        """Receipts torn off half-printed because the paper ran out under them."""
        with self._changed:
            return list(self._spoiled)

    def wait_for_receipt(self, timeout: float) -> PrintedReceipt | None:
        """The oldest receipt not yet returned by this method, waiting up to `timeout` for one."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self._receipts) > self._taken, timeout):
                return None
            self._taken += 1
            return self._receipts[self._taken - 1]

    def status_byte(self, n: int) -> int:
        """The answer to DLE EOT n for the current paper and cover state."""
        status = STATUS_FIXED
        if self.paper == "out":
            status |= {1: OFFLINE, 2: PAPER_END_STOP, 4: PAPER_END | NEAR_END}.get(n, 0)
        elif self.paper == "low" and n == 4:
            status |= NEAR_END
        if self.cover_open:
            status |= {1: OFFLINE, 2: COVER_OPEN}.get(n, 0)
        return status

    def _can_print(self) -> bool:
        return self.paper != "out" and not self.cover_open

    def _handle(self, data: bytes, parser: EscposParser, reply: Callable[[bytes], None]) -> None:
        completed: list[PrintedReceipt] = []
        for event in parser.feed(data):
            if event.kind == "status_request":
                self.link_faults.deliver(reply, bytes([self.status_byte(int(str(event.data["n"])))]))
            elif event.kind == "unknown":
                log.debug("ESC/POS simulator: unknown command (%s bytes)", event.data["length"])
            if event.kind in PRINTING_KINDS and not self._can_print():
                continue  # no paper or cover open: the data is received but nothing comes out
            with self._changed:
                receipt = self._builder.add(event)
                if event.kind == "feed":
                    self._count_line()
            if receipt is not None:
                completed.append(receipt)
        for receipt in completed:
            self._complete(receipt)

    def _count_line(self) -> None:
        if self._lines_left is None:
            return
        self._lines_left -= 1
        if self._lines_left > 0:
            return
        self._lines_left = None
        self.paper = "out"
        torn = self._builder.finish()
        if torn is not None:
            self._spoiled.append(torn)
            log.info("ESC/POS simulator: paper ran out mid-receipt; the partial receipt is spoiled")

    def _complete(self, receipt: PrintedReceipt) -> None:
        with self._changed:
            self._receipts.append(receipt)
            number = len(self._receipts)
            self._changed.notify_all()
        log.info("ESC/POS simulator: receipt %d printed", number)
        if self.png_dir is not None:
            (self.png_dir / f"receipt-{number:04d}.png").write_bytes(receipt.png())
        if self.on_receipt is not None:
            try:
                self.on_receipt(receipt)
            except Exception:
                log.exception("ESC/POS simulator: on_receipt callback failed")

    def _serve_connection(self, connection: socket.socket) -> None:
        parser = EscposParser()
        while data := connection.recv(4096):
            self._handle(data, parser, connection.sendall)

    def _on_pty_bytes(self, data: bytes, reply: Callable[[bytes], None]) -> None:
        self._handle(data, self._pty_parser, reply)
