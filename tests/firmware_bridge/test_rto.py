"""The RFC 6298 estimator: the RFC's formulas, the clamp, backoff and its end."""

from __future__ import annotations

import pytest

from firmware_bridge.rto import RtoEstimator


def test_first_sample_sets_srtt_and_half_variance() -> None:
    rto = RtoEstimator(initial=1.0, low=0.001, high=10)
    rto.sample(0.1)
    assert rto.srtt == pytest.approx(0.1)
    assert rto.rttvar == pytest.approx(0.05)
    assert rto.rto == pytest.approx(0.1 + 4 * 0.05)


def test_later_samples_smooth_with_one_eighth_and_one_quarter() -> None:
    rto = RtoEstimator(initial=1.0, low=0.001, high=10)
    rto.sample(0.1)
    rto.sample(0.3)
    assert rto.srtt is not None
    assert rto.rttvar == pytest.approx(0.75 * 0.05 + 0.25 * 0.2)
    assert rto.srtt == pytest.approx(0.875 * 0.1 + 0.125 * 0.3)
    assert rto.rto == pytest.approx(rto.srtt + 4 * rto.rttvar)


def test_rto_is_clamped_both_ways() -> None:
    fast = RtoEstimator(low=0.02, high=2.0)
    fast.sample(0.0001)
    assert fast.rto == 0.02
    slow = RtoEstimator(low=0.02, high=2.0)
    slow.sample(5.0)
    assert slow.rto == 2.0


def test_backoff_doubles_until_progress_returns_to_the_estimate() -> None:
    rto = RtoEstimator(low=0.02, high=2.0)
    rto.progress()
    assert rto.rto == 0.2  # no estimate yet: keep the initial value
    rto.backoff()
    rto.progress()
    assert rto.rto == 0.4  # still no sample: the backoff stands
    rto.sample(0.05)
    estimate = rto.rto
    rto.backoff()
    rto.backoff()
    assert rto.rto == pytest.approx(min(2.0, estimate * 4))
    rto.progress()
    assert rto.rto == estimate
