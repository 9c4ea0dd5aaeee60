"""Per-device wire logs a technician switches on at runtime: every byte to and from a device URL, kept
in a bounded ring in memory (never in the general log: scans and receipts can carry personal data).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass

RING_ENTRIES = 2000
SHOWN_BYTES = 256


@dataclass(frozen=True)
class WireRecord:
    at: float
    direction: str  # "tx" (to the device) or "rx"
    data: bytes

    def to_dict(self) -> dict[str, object]:
        return {"at": self.at, "dir": self.direction, "hex": self.data[:SHOWN_BYTES].hex(" "), "len": len(self.data)}


_lock = threading.Lock()
_rings: dict[str, deque[WireRecord]] = {}


def enable(url: str) -> None:
    """Start recording traffic of transports opened (or already open) on `url`."""
    with _lock:
        _rings.setdefault(url, deque(maxlen=RING_ENTRIES))


def disable(url: str) -> None:
    with _lock:
        _rings.pop(url, None)


def enabled(url: str) -> bool:
    return url in _rings


def record(url: str, direction: str, data: bytes) -> None:
    """Called by transports on every read and write; a dictionary miss when logging is off."""
    ring = _rings.get(url)
    if ring is not None and data:
        ring.append(WireRecord(time.time(), direction, bytes(data)))


def records(url: str) -> list[WireRecord]:
    with _lock:
        return list(_rings.get(url, ()))
