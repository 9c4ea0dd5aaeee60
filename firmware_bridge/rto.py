"""Retransmission timeout from measured round trips, after RFC 6298, clamped to the link's range.

Karn's rule applies at the caller: only frames sent once are sampled. A timeout doubles the RTO;
unlike TCP, the backoff ends at the next acknowledgement that makes progress (as Linux does), not
only at the next clean sample: a serial line has noise but no congestion, and after a burst of
damage the frames acked are mostly retransmitted ones, which cannot be sampled.
"""

from __future__ import annotations

from firmware_bridge.protocol import RTO_INITIAL_MS, RTO_MAX_MS, RTO_MIN_MS

CLOCK_GRANULARITY = 0.001


class RtoEstimator:
    """SRTT/RTTVAR smoothing (alpha 1/8, beta 1/4) and RTO = SRTT + max(G, 4 RTTVAR), in seconds."""

    def __init__(
        self, initial: float = RTO_INITIAL_MS / 1000, low: float = RTO_MIN_MS / 1000, high: float = RTO_MAX_MS / 1000
    ) -> None:
        self.low = low
        self.high = high
        self.srtt: float | None = None
        self.rttvar = 0.0
        self.rto = initial
        self._estimate = initial

    def sample(self, rtt: float) -> None:
        """Fold one round-trip measurement into the estimate."""
        if self.srtt is None:
            self.srtt = rtt
            self.rttvar = rtt / 2
        else:
            self.rttvar = 0.75 * self.rttvar + 0.25 * abs(self.srtt - rtt)
            self.srtt = 0.875 * self.srtt + 0.125 * rtt
        self._estimate = self.rto = self._clamp(self.srtt + max(CLOCK_GRANULARITY, 4 * self.rttvar))

    def backoff(self) -> None:
        """Double the timeout after it expired (RFC 6298 section 5.5)."""
        self.rto = self._clamp(self.rto * 2)

    def progress(self) -> None:
        """An acknowledgement advanced: drop the backoff, back to the estimate (once there is one)."""
        if self.srtt is not None:
            self.rto = self._estimate

    def _clamp(self, value: float) -> float:
        return min(self.high, max(self.low, value))
