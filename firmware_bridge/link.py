"""One side of the reliable link: sequence numbers, cumulative acks, naks, go-back-N retransmission.

Both peers run the same rules (the C firmware mirrors this file), and nothing here does I/O or reads
a clock: callers pass `now` and write what `drain()` returns, so the rules are testable on their own.

- Each direction numbers its sequenced frames 0..255, wrapping; at most `window` are unacknowledged.
- The receiver delivers frames in sequence order, each exactly once. A frame ahead of the next expected
  number (one before it went missing) is kept, up to `window` ahead, and answered with one NAK(next
  expected) per gap, repeated every RTO while the gap stays open; so is a damaged frame. Once the gap
  is filled, the kept frames are delivered too.
  Every delivery is answered with ACK(next expected), cumulative; an old frame (its ack was lost) is
  re-acked, never delivered again.
- The sender retransmits only the oldest unacked frame: when the RTO expires (then backs off), or on a
  NAK naming it, at most once per smoothed round trip. The cumulative ack then covers what the
  receiver kept, so one damaged frame costs one retransmission, not a window's worth.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from firmware_bridge.frame import Frame, encode_frame
from firmware_bridge.protocol import ACK, NAK, WINDOW
from firmware_bridge.rto import RtoEstimator

HALF_SPACE = 128


@dataclass
class _Unacked:
    seq: int
    wire: bytes
    sent_at: float
    retransmitted: bool = False


@dataclass
class LinkStats:
    """Counters for tests, benchmarks and device detail."""

    sent: int = 0
    retransmits: int = 0
    delivered: int = 0
    duplicates: int = 0
    naks_sent: int = 0
    naks_received: int = 0
    max_in_flight: int = 0
    rto_max_seen: float = 0.0


class ReliableLink:
    """Sender and receiver state of one peer; `reset()` is what a SYNC does."""

    def __init__(self, window: int = WINDOW, rto: RtoEstimator | None = None) -> None:
        if not 1 <= window < HALF_SPACE:
            raise ValueError("window must be 1..127")
        self.window = window
        self.rto = rto or RtoEstimator()
        self.stats = LinkStats()
        self._out = bytearray()
        self.reset()

    def reset(self) -> None:
        """Forget everything in flight in both directions; numbering restarts at 0."""
        self._tx_next = 0
        self._unacked: deque[_Unacked] = deque()
        self._queue: deque[tuple[int, bytes]] = deque()
        self._timer_start = 0.0
        self._last_retransmit = float("-inf")
        self._rx_expected = 0
        self._rx_kept: dict[int, Frame] = {}
        self._nak_sent = False
        self._nak_at = 0.0

    @property
    def in_flight(self) -> int:
        return len(self._unacked)

    @property
    def kept(self) -> int:
        """Received frames held ahead of a gap."""
        return len(self._rx_kept)

    def is_next(self, frame: Frame) -> bool:
        """Whether `frame` is the next sequenced frame this side would deliver."""
        return frame.seq == self._rx_expected

    @property
    def pending(self) -> int:
        """Frames queued or unacknowledged."""
        return len(self._queue) + len(self._unacked)

    def send(self, msg: int, payload: bytes) -> None:
        """Queue one sequenced message; `poll` puts it on the wire when the window allows."""
        self._queue.append((msg, payload))

    def send_link(self, msg: int, payload: bytes = b"", seq: int = 0) -> None:
        """An unsequenced link message (heartbeat, sync...), written at once."""
        self._out += encode_frame(Frame(seq, msg, payload))

    def drain(self) -> bytes:
        """Bytes to write to the line, in order."""
        data = bytes(self._out)
        self._out.clear()
        return data

    def receive(self, frame: Frame, now: float) -> list[Frame]:
        """Handle ACK/NAK and sequenced frames; returns the sequenced frames now deliverable, in order."""
        if frame.msg == ACK:
            self._acked(frame.seq, now)
            return []
        if frame.msg == NAK:
            self.stats.naks_received += 1
            self._acked(frame.seq, now)
            self._nakked(frame.seq, now)
            return []
        distance = (frame.seq - self._rx_expected) & 0xFF
        if distance >= HALF_SPACE:
            self.stats.duplicates += 1
            self.send_link(ACK, seq=self._rx_expected)
            return []
        if distance >= self.window:
            self.nak(now)
            return []
        if distance > 0:
            self._rx_kept.setdefault(frame.seq, frame)
            self.nak(now)
            return []
        delivered = [frame]
        self._rx_expected = (self._rx_expected + 1) & 0xFF
        while (kept := self._rx_kept.pop(self._rx_expected, None)) is not None:
            delivered.append(kept)
            self._rx_expected = (self._rx_expected + 1) & 0xFF
        self.stats.delivered += len(delivered)
        self._nak_sent = False
        self.send_link(ACK, seq=self._rx_expected)
        if self._rx_kept:
            self.nak(now)
        return delivered

    def nak(self, now: float, again: bool = False) -> None:
        """Ask for a retransmission of the next expected number (a gap or a damaged frame), once per gap."""
        if not self._nak_sent or again:
            self._nak_sent = True
            self._nak_at = now
            self.stats.naks_sent += 1
            self.send_link(NAK, seq=self._rx_expected)

    def poll(self, now: float) -> None:
        """Retransmit on timeout, repeat a NAK for a gap still open, send queued frames while the window has room."""
        if self._rx_kept and now - self._nak_at >= self.rto.rto:
            self.nak(now, again=True)
        if self._unacked and now - self._timer_start >= self.rto.rto:
            self.rto.backoff()
            self._retransmit_oldest(now)
        while self._queue and len(self._unacked) < self.window:
            msg, payload = self._queue.popleft()
            wire = encode_frame(Frame(self._tx_next, msg, payload))
            if not self._unacked:
                self._timer_start = now
            self._unacked.append(_Unacked(self._tx_next, wire, now))
            self._tx_next = (self._tx_next + 1) & 0xFF
            self._out += wire
            self.stats.sent += 1
        self.stats.max_in_flight = max(self.stats.max_in_flight, len(self._unacked))
        self.stats.rto_max_seen = max(self.stats.rto_max_seen, self.rto.rto)

    def deadline(self) -> float | None:
        """When `poll` must run next for a retransmission or a repeated NAK, if either is due."""
        times = []
        if self._unacked:
            times.append(self._timer_start + self.rto.rto)
        if self._rx_kept:
            times.append(self._nak_at + self.rto.rto)
        return min(times, default=None)

    def _acked(self, next_expected: int, now: float) -> None:
        if not self._unacked:
            return
        count = (next_expected - self._unacked[0].seq) & 0xFF
        if count == 0 or count > len(self._unacked):
            return
        newest = None
        for _ in range(count):
            newest = self._unacked.popleft()
        # Karn's rule, widened: a frame sent before the latest retransmission may have waited behind the
        # recovery of an older one, so its round trip says nothing about the line.
        if newest is not None and not newest.retransmitted and newest.sent_at > self._last_retransmit:
            self.rto.sample(now - newest.sent_at)
        else:
            self.rto.progress()
        self._timer_start = now

    def _nakked(self, seq: int, now: float) -> None:
        if not self._unacked or self._unacked[0].seq != seq:
            return
        oldest = self._unacked[0]
        if oldest.retransmitted and now - oldest.sent_at < (self.rto.srtt or 0.0):
            return
        self._retransmit_oldest(now)

    def _retransmit_oldest(self, now: float) -> None:
        oldest = self._unacked[0]
        oldest.retransmitted = True
        oldest.sent_at = now
        self._out += oldest.wire
        self.stats.retransmits += 1
        self._timer_start = now
        self._last_retransmit = now
