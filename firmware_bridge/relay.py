"""Fault injection on the serial line: a relay between two ptys, so neither peer has test hooks.

The relay opens the peer's pty path as the far end and offers a new pty path to the host. Bytes are
forwarded in both directions through the same faults: corruption (a byte replaced by another value,
delimiters included) and drops at a per-byte rate, a fixed one-way delay, and a cut line (everything
discarded while `cut` is set). Faults can change while it runs; randomness is seeded for repeatability.
When the peer goes away (its pty master closed: reads give end of file or EIO), the relay stops polling that
side and discards what would go to it, like a line to an unplugged board, instead of spinning.
"""

from __future__ import annotations

import heapq
import os
import random
import select
import threading
import time
import tty
from dataclasses import dataclass, field
from types import TracebackType


@dataclass
class Faults:
    """What the relay does to each byte, per direction alike."""

    corrupt: float = 0.0
    drop: float = 0.0
    delay: float = 0.0
    cut: bool = False


@dataclass
class RelayStats:
    forwarded: int = 0
    corrupted: int = 0
    dropped: int = 0
    cut: int = 0
    discarded_after_hangup: int = 0


@dataclass(order=True)
class _Chunk:
    due: float
    order: int
    data: bytes = field(compare=False)


class FaultRelay:
    """Host side at `path`; far side at the peer's `upstream` pty path."""

    def __init__(self, upstream: str, faults: Faults | None = None, seed: int = 1) -> None:
        self.faults = faults or Faults()
        self.stats = RelayStats()
        self._random = random.Random(seed)
        self._far = os.open(upstream, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        tty.setraw(self._far)
        self._near, self._near_slave = os.openpty()
        tty.setraw(self._near_slave)
        os.set_blocking(self._near, False)
        self.path = os.ttyname(self._near_slave)
        self._queues: dict[int, list[_Chunk]] = {self._near: [], self._far: []}
        self._pending: dict[int, bytes] = {self._near: b"", self._far: b""}
        self._last_due: dict[int, float] = {self._near: 0.0, self._far: 0.0}
        self._order = 0
        self._hung_up: set[int] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="fault-relay", daemon=True)
        self._thread.start()

    @property
    def peer_gone(self) -> bool:
        """True once the far side hung up; the relay then discards what the host sends."""
        return self._far in self._hung_up

    def close(self) -> None:
        """Stop forwarding and close both sides; safe to call twice."""
        if not self._stop.is_set():
            self._stop.set()
            self._thread.join(timeout=5)
            for fd in (self._far, self._near, self._near_slave):
                os.close(fd)

    def __enter__(self) -> FaultRelay:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _mangle(self, data: bytes) -> bytes:
        faults = self.faults
        if faults.cut:
            self.stats.cut += len(data)
            return b""
        if not faults.corrupt and not faults.drop:
            return data
        out = bytearray()
        for byte in data:
            if faults.drop and self._random.random() < faults.drop:
                self.stats.dropped += 1
                continue
            if faults.corrupt and self._random.random() < faults.corrupt:
                byte = (byte + self._random.randrange(1, 256)) & 0xFF
                self.stats.corrupted += 1
            out.append(byte)
        return bytes(out)

    def _run(self) -> None:
        route = {self._near: self._far, self._far: self._near}
        while not self._stop.is_set():
            now = time.monotonic()
            for target, chunks in self._queues.items():
                while chunks and chunks[0].due <= now:
                    self._pending[target] += heapq.heappop(chunks).data
            dues = [chunks[0].due for chunks in self._queues.values() if chunks]
            timeout = min([0.05, *(max(0.0, d - now) for d in dues)])
            for fd in self._hung_up:
                self.stats.discarded_after_hangup += len(self._pending[fd])
                self._pending[fd] = b""
            readers = [fd for fd in (self._near, self._far) if fd not in self._hung_up]
            writers = [fd for fd, data in self._pending.items() if data]
            readable, writable, _ = select.select(readers, writers, [], timeout)
            for fd in writable:
                try:
                    written = os.write(fd, self._pending[fd])
                except BlockingIOError:
                    continue
                except OSError:
                    self._hung_up.add(fd)
                    continue
                self._pending[fd] = self._pending[fd][written:]
            for fd in readable:
                try:
                    data = os.read(fd, 4096)
                except BlockingIOError:
                    continue
                except OSError:
                    self._hung_up.add(fd)
                    continue
                if not data:  # a hung-up tty reads as end of file
                    self._hung_up.add(fd)
                    continue
                data = self._mangle(data)
                if data:
                    self.stats.forwarded += len(data)
                    self._order += 1
                    target = route[fd]
                    due = max(time.monotonic() + self.faults.delay, self._last_due[target])
                    self._last_due[target] = due
                    heapq.heappush(self._queues[target], _Chunk(due, self._order, data))
