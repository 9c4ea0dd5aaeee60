"""Scripted link faults every simulator shares: slow replies, garbage bytes, replies in pieces.

Device-specific faults (paper out, cover open, a jam) live in each simulator; these are the ones a
flaky cable or a confused firmware produce on any device, applied to the bytes a simulator sends back.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

LINK_FAULTS = ("slow", "garbage", "partial")
SLOW_REPLY_S = 0.3
PARTIAL_CHUNK = 1
PARTIAL_PAUSE_S = 0.01
GARBAGE = b"\xff\x00\xfe\x81"


@dataclass
class LinkFaults:
    """What currently goes wrong on the wire; `deliver` sends a reply through it."""

    reply_delay_s: float = 0.0
    garbage_once: bytes = b""
    chunk: int = 0
    partial_chunk: int = PARTIAL_CHUNK
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def set(self, name: str, on: bool = True) -> None:
        """Switch a named link fault: slow (replies late), garbage (junk before the next reply), partial."""
        if name == "slow":
            self.reply_delay_s = SLOW_REPLY_S if on else 0.0
        elif name == "garbage":
            with self._lock:
                self.garbage_once = GARBAGE if on else b""
        elif name == "partial":
            self.chunk = self.partial_chunk if on else 0
        else:
            raise ValueError(f"unknown link fault {name!r}; known: {', '.join(LINK_FAULTS)}")

    def clear(self) -> None:
        for name in LINK_FAULTS:
            self.set(name, False)

    def deliver(self, send: Callable[[bytes], None], reply: bytes) -> None:
        """Send `reply` the way the current faults distort it."""
        if self.reply_delay_s:
            time.sleep(self.reply_delay_s)
        with self._lock:
            reply, self.garbage_once = self.garbage_once + reply, b""
        if not self.chunk:
            send(reply)
            return
        for start in range(0, len(reply), self.chunk):
            send(reply[start : start + self.chunk])
            time.sleep(PARTIAL_PAUSE_S)
