"""Network document-scanner simulator: a sheet feeder behind a small line protocol on TCP.

It stands in for the sheet-fed scanner until the SANE driver lands. The page images come from a
callable the wiring passes in (the synthetic document generator), so `devices` never imports `vision`.

Protocol (ASCII lines ending in LF; a trailing CR is ignored; one connection may send many commands):

    STATUS  ->  READY <pages_left>      pages in the feeder
            |   EMPTY                   nothing in the feeder
    SCAN    ->  PAGE <nbytes> image/png followed by exactly <nbytes> bytes of PNG
            |   ERR EMPTY               the feeder is empty
            |   ERR <REASON>            any other fault (one upper-case word, e.g. ERR INTERNAL)
    other   ->  ERR BAD_COMMAND         malformed or unknown; the connection stays usable

The feeder holds `sheets` pages (set at construction, added with `load`); scanning takes one and asks
the page source for its image. A source that returns None has run out: the feeder reports empty.
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable

from devices.sim.tcp_server import TcpServer

log = logging.getLogger(__name__)

MAX_COMMAND = 64  # longest command line accepted; longer lines are malformed


class ScannerSimulator:
    """A sheet-fed scanner on `socket://127.0.0.1:PORT` serving pages from `pages`."""

    def __init__(self, pages: Callable[[], bytes | None], sheets: int = 0) -> None:
        if sheets < 0:
            raise ValueError("sheets must be >= 0")
        self._pages = pages
        self._sheets = sheets
        self._lock = threading.Lock()
        self._server = TcpServer(self._serve_connection, "scanner-sim")
        self.url = ""

    @property
    def sheets(self) -> int:
        """Pages waiting in the feeder."""
        with self._lock:
            return self._sheets

    def load(self, sheets: int = 1) -> None:
        """Put more pages in the feeder."""
        if sheets < 1:
            raise ValueError("load at least one sheet")
        with self._lock:
            self._sheets += sheets

    def unload(self) -> None:
        """Take every page out of the feeder (a scripted fault: the feeder runs empty)."""
        with self._lock:
            self._sheets = 0

    def start(self) -> str:
        """Start listening; returns the `socket://127.0.0.1:PORT` URL."""
        self.url = f"socket://127.0.0.1:{self._server.start()}"
        log.info("scanner simulator listening on %s", self.url)
        return self.url

    def stop(self) -> None:
        self._server.stop()

    def answer(self, command: bytes) -> bytes:
        """The reply to one command line (without its LF)."""
        command = command.rstrip(b"\r")
        if command == b"STATUS":
            sheets = self.sheets
            return f"READY {sheets}\n".encode() if sheets else b"EMPTY\n"
        if command == b"SCAN":
            return self._scan()
        return b"ERR BAD_COMMAND\n"

    def _scan(self) -> bytes:
        with self._lock:
            if not self._sheets:
                return b"ERR EMPTY\n"
            try:
                page = self._pages()
            except Exception:
                log.exception("scanner simulator: page source failed")
                return b"ERR INTERNAL\n"
            if page is None:
                self._sheets = 0
                return b"ERR EMPTY\n"
            self._sheets -= 1
        log.info("scanner simulator: page scanned (%d bytes)", len(page))
        return f"PAGE {len(page)} image/png\n".encode() + page

    def _serve_connection(self, connection: socket.socket) -> None:
        with connection.makefile("rb") as lines:
            while line := lines.readline(MAX_COMMAND + 1):
                if not line.endswith(b"\n"):
                    if len(line) <= MAX_COMMAND:
                        return  # the client closed mid-line
                    while (rest := lines.readline(MAX_COMMAND + 1)) and not rest.endswith(b"\n"):
                        pass  # discard the rest of an overlong line
                    connection.sendall(b"ERR BAD_COMMAND\n")
                    continue
                connection.sendall(self.answer(line[:-1]))
