"""Document scanner driver for the network line protocol of `devices.sim.scanner` (see its docstring).

Until the SANE driver lands, the kiosk scans through this driver; it works over any transport URL.
Scanning is a mechanical job that can take many seconds, so `scan` has its own timeout, apart from the
short connect/status timeout.
"""

from __future__ import annotations

import logging
import time

from devices.state import DeviceState, DeviceStatus
from devices.transport import StreamReader, TransportError, TransportTimeout, open_transport

log = logging.getLogger(__name__)

KIND = "document_scanner"
MAX_REPLY_LINE = 128
MAX_PAGE_BYTES = 64 * 1024 * 1024  # a 600 dpi A4 colour PNG stays well below this
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class ScannerError(RuntimeError):
    """Scanning did not produce a page."""


class FeederEmpty(ScannerError):
    """There is no page in the feeder."""


class ScannerUnavailable(ScannerError):
    """The scanner cannot be reached, fails, or breaks its protocol."""


class NetworkScanner:
    """A sheet-fed scanner at `url` speaking the STATUS/SCAN line protocol."""

    def __init__(self, url: str, name: str = "scanner", timeout: float = 2.0) -> None:
        self.url = url
        self.name = name
        self.timeout = timeout

    def scan(self, timeout: float = 30) -> bytes:
        """Scan one page and return its PNG bytes; FeederEmpty or ScannerUnavailable otherwise."""
        deadline = time.monotonic() + timeout
        try:
            with open_transport(self.url, self.timeout) as transport:
                reader = StreamReader(transport)
                transport.write(b"SCAN\n")
                reply = reader.read_line(MAX_REPLY_LINE, timeout).decode("ascii", errors="replace").split()
                size = self._page_size(reply)
                page = reader.read_exactly(size, deadline - time.monotonic())
        except TransportError as exc:
            raise ScannerUnavailable(f"{self.name}: {exc}") from exc
        if not page.startswith(PNG_SIGNATURE):
            raise ScannerUnavailable(f"{self.name}: the page is not a PNG image")
        log.info("%s: page scanned (%d bytes)", self.name, len(page))
        return page

    def status(self) -> DeviceStatus:
        """Ready with pages in the feeder, degraded when it is empty, absent when unreachable."""
        try:
            transport = open_transport(self.url, self.timeout)
        except TransportError as exc:
            return self._status(DeviceState.ABSENT, str(exc))
        try:
            with transport:
                transport.write(b"STATUS\n")
                reply = StreamReader(transport).read_line(MAX_REPLY_LINE, self.timeout).split()
        except TransportTimeout:
            return self._status(DeviceState.ERROR, "no reply to STATUS")
        except TransportError as exc:
            return self._status(DeviceState.ERROR, str(exc))
        if reply == [b"EMPTY"]:
            return self._status(DeviceState.DEGRADED, "feeder empty")
        if len(reply) == 2 and reply[0] == b"READY" and reply[1].isdigit():
            return self._status(DeviceState.READY, f"{int(reply[1])} page(s) in feeder")
        return self._status(DeviceState.ERROR, "unexpected reply to STATUS")

    def self_test(self) -> DeviceStatus:
        """The protocol has no test command: a sane STATUS answer is the test."""
        return self.status()

    def _page_size(self, reply: list[str]) -> int:
        if reply == ["ERR", "EMPTY"]:
            raise FeederEmpty(f"{self.name}: feeder empty")
        if len(reply) == 2 and reply[0] == "ERR":
            raise ScannerUnavailable(f"{self.name}: scanner fault {reply[1]}")
        if len(reply) == 3 and reply[0] == "PAGE" and reply[1].isdigit() and reply[2] == "image/png":
            size = int(reply[1])
            if 0 < size <= MAX_PAGE_BYTES:
                return size
        raise ScannerUnavailable(f"{self.name}: unexpected reply to SCAN")

    def _status(self, state: DeviceState, detail: str) -> DeviceStatus:
        return DeviceStatus(name=self.name, kind=KIND, state=state, detail=detail)
