"""Barcode reader simulators on a pty: a serial reader (prefix, AIM id, code, suffix; answers trigger
commands with the code "in front of it") and a keyboard wedge (input_event records, US layout).

Scripted faults: unplug/replug (the pty and its link vanish and come back), garbage (line noise before
the next code), slow (codes sent late), partial (a code in one-byte pieces).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

from devices.barcode import (
    EV_KEY,
    INPUT_EVENT,
    KEY_ENTER,
    KEY_PRESS,
    KEY_RELEASE,
    KEYMAP,
    TRIGGER_ON,
)
from devices.sim.faults import LinkFaults
from devices.sim.pty_endpoint import PtyEndpoint

log = logging.getLogger(__name__)

EV_SYN = 0
KEY_LEFTSHIFT = 42
BARCODE_FAULTS = ("unplug", "slow", "garbage", "partial")
_CHAR_KEYS = {char: (code, shifted) for code, pair in KEYMAP.items()
              for shifted, char in enumerate(pair) if not (shifted and pair[0] == pair[1])}


class _PtyReaderSim:
    def __init__(self, name: str, link: Path | None) -> None:
        self.link_faults = LinkFaults()
        self._endpoint = PtyEndpoint(self._on_bytes, name, link)

    @property
    def path(self) -> str:
        return self._endpoint.path

    def start(self) -> str:
        """Plug in; returns the path a driver opens."""
        return self._endpoint.plug()

    def stop(self) -> None:
        self._endpoint.unplug()

    def set_fault(self, name: str, on: bool = True) -> None:
        if name == "unplug":
            self._endpoint.unplug() if on else self._endpoint.plug()
        else:
            self.link_faults.set(name, on)

    def _send(self, data: bytes) -> None:
        self.link_faults.deliver(self._endpoint.send, data)

    def _on_bytes(self, data: bytes, reply: Callable[[bytes], None]) -> None:
        """What the host sent; readers mostly ignore it."""


class SerialBarcodeSimulator(_PtyReaderSim):
    """Sends `prefix + AIM id + code + suffix` for each scan; a trigger command scans `in_view`."""

    def __init__(self, *, link: Path | None = None, prefix: bytes = b"", suffix: bytes = b"\r",
                 aim: bool = True, in_view: str | None = "CEZ-SELF-TEST") -> None:
        super().__init__("barcode-sim", link)
        self.prefix, self.suffix, self.aim = prefix, suffix, aim
        self.in_view = in_view
        self.triggers = 0

    def scan(self, code: str, aim_id: str = "]C0") -> None:
        """A code passes under the reader."""
        body = (aim_id if self.aim else "") + code
        self._send(self.prefix + body.encode("latin-1") + self.suffix)

    def _on_bytes(self, data: bytes, reply: Callable[[bytes], None]) -> None:
        if TRIGGER_ON in data:
            self.triggers += 1
            if self.in_view is not None:
                self.scan(self.in_view, "]Q1")


class HidBarcodeSimulator(_PtyReaderSim):
    """A keyboard wedge: each scan types the code as key presses and releases, then Enter."""

    def __init__(self, *, link: Path | None = None) -> None:
        super().__init__("hid-barcode-sim", link)
        self.link_faults.partial_chunk = INPUT_EVENT.size // 3 + 1  # records cut mid-way, not byte by byte

    def scan(self, code: str) -> None:
        records = bytearray()
        for char in code:
            if char not in _CHAR_KEYS:
                raise ValueError("a US keyboard wedge cannot type this character")
            key, shifted = _CHAR_KEYS[char]
            if shifted:
                records += _key(KEY_LEFTSHIFT, KEY_PRESS)
            records += _key(key, KEY_PRESS) + _key(key, KEY_RELEASE)
            if shifted:
                records += _key(KEY_LEFTSHIFT, KEY_RELEASE)
        records += _key(KEY_ENTER, KEY_PRESS) + _key(KEY_ENTER, KEY_RELEASE)
        self._send(bytes(records))


def _key(code: int, value: int) -> bytes:
    now = time.time()
    seconds, micros = int(now), int(now % 1 * 1e6)
    return INPUT_EVENT.pack(seconds, micros, EV_KEY, code, value) + INPUT_EVENT.pack(seconds, micros, EV_SYN, 0, 0)
