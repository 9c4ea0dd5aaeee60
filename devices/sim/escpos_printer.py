"""ESC/POS thermal receipt printer simulator: what a network printer on port 9100 (or a serial one) does.

It listens on a free TCP port of 127.0.0.1 and, if asked, on a pty; every connection's bytes go through
the real ESC/POS parser, status requests (DLE EOT n) are answered with Epson status bytes, and printed
output is grouped into receipts that end at a cut. Tests and the demo look at `receipts` or wait for the
next one; `paper` scripts the paper sensor ("ok", "low", "out"): without paper nothing prints.
"""

from __future__ import annotations

import logging
import os
import select
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from devices.pty_pair import PtyPair, open_pty_pair
from devices.sim.escpos_parser import EscposEvent, EscposParser
from devices.sim.tcp_server import TcpServer

log = logging.getLogger(__name__)

PTY_POLL_S = 0.1
PRINTING_KINDS = frozenset({"text", "feed", "qr", "barcode", "image", "cut"})
# Epson DLE EOT answers: bits 1 and 4 are always set; bit 3 = offline; n=2 bit 5 = stopped by paper end;
# n=4 bits 2-3 = paper near end, bits 5-6 = paper end.
STATUS_FIXED = 0x12
OFFLINE, PAPER_END_STOP, NEAR_END, PAPER_END = 0x08, 0x20, 0x0C, 0x60


@dataclass
class PrintedReceipt:
    """One receipt as it came out of the printer: text lines (blank feeds left out), codes, and the cut."""

    lines: list[str] = field(default_factory=list)
    qr_payloads: list[str] = field(default_factory=list)
    barcodes: list[str] = field(default_factory=list)
    images: int = 0
    cut: bool = False
    events: list[EscposEvent] = field(default_factory=list)


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
        self, *, pty: bool = False, on_receipt: Callable[[PrintedReceipt], None] | None = None
    ) -> None:
        self.on_receipt = on_receipt
        self.paper = "ok"
        self._want_pty = pty
        self._server = TcpServer(self._serve_connection, "escpos-sim")
        self._pty: PtyPair | None = None
        self._pty_thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._changed = threading.Condition()
        self._builder = _ReceiptBuilder()
        self._receipts: list[PrintedReceipt] = []
        self._taken = 0
        self.url = ""
        self.serial_url: str | None = None

    def start(self) -> str:
        """Start listening; returns the `socket://127.0.0.1:PORT` URL."""
        self._stopping.clear()
        port = self._server.start()
        self.url = f"socket://127.0.0.1:{port}"
        if self._want_pty:
            self._pty = open_pty_pair()
            self.serial_url = f"serial://{self._pty.slave_path}"
            self._pty_thread = threading.Thread(target=self._serve_pty, name="escpos-sim-pty", daemon=True)
            self._pty_thread.start()
        log.info("ESC/POS printer simulator listening on %s", self.url)
        return self.url

    def stop(self) -> None:
        """Stop serving; an uncut receipt still in the printer is kept with `cut=False`."""
        self._stopping.set()
        self._server.stop()
        if self._pty_thread is not None:
            self._pty_thread.join()
            self._pty_thread = None
        if self._pty is not None:
            self._pty.close()
            self._pty = None
        with self._changed:
            leftover = self._builder.finish()
        if leftover is not None:
            self._complete(leftover)

    @property
    def receipts(self) -> list[PrintedReceipt]:
        """Every receipt printed so far, oldest first."""
        with self._changed:
            return list(self._receipts)

    def wait_for_receipt(self, timeout: float) -> PrintedReceipt | None:
        """The oldest receipt not yet returned by this method, waiting up to `timeout` for one."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self._receipts) > self._taken, timeout):
                return None
            self._taken += 1
            return self._receipts[self._taken - 1]

    def status_byte(self, n: int) -> int:
        """The answer to DLE EOT n for the current paper state."""
        status = STATUS_FIXED
        if self.paper == "out":
            status |= {1: OFFLINE, 2: PAPER_END_STOP, 4: PAPER_END | NEAR_END}.get(n, 0)
        elif self.paper == "low" and n == 4:
            status |= NEAR_END
        return status

    def _handle(self, data: bytes, parser: EscposParser, reply: Callable[[bytes], None]) -> None:
        completed: list[PrintedReceipt] = []
        for event in parser.feed(data):
            if event.kind == "status_request":
                reply(bytes([self.status_byte(int(str(event.data["n"])))]))
            elif event.kind == "unknown":
                log.debug("ESC/POS simulator: unknown command (%s bytes)", event.data["length"])
            if self.paper == "out" and event.kind in PRINTING_KINDS:
                continue  # no paper: the data is received but nothing comes out
            with self._changed:
                receipt = self._builder.add(event)
            if receipt is not None:
                completed.append(receipt)
        for receipt in completed:
            self._complete(receipt)

    def _complete(self, receipt: PrintedReceipt) -> None:
        with self._changed:
            self._receipts.append(receipt)
            number = len(self._receipts)
            self._changed.notify_all()
        log.info("ESC/POS simulator: receipt %d printed", number)
        if self.on_receipt is not None:
            try:
                self.on_receipt(receipt)
            except Exception:
                log.exception("ESC/POS simulator: on_receipt callback failed")

    def _serve_connection(self, connection: socket.socket) -> None:
        parser = EscposParser()
        while data := connection.recv(4096):
            self._handle(data, parser, connection.sendall)

    def _serve_pty(self) -> None:
        assert self._pty is not None
        master = self._pty.master_fd
        parser = EscposParser()
        while not self._stopping.is_set():
            ready, _, _ = select.select([master], [], [], PTY_POLL_S)
            if ready:
                self._handle(os.read(master, 4096), parser, lambda answer: _write_all(master, answer))


def _write_all(fd: int, data: bytes) -> None:
    while data:
        data = data[os.write(fd, data) :]
