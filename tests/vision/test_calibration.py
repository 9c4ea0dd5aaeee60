"""Acceptance thresholds: loading them safely and fitting them to a precision target."""

from __future__ import annotations

from pathlib import Path

import pytest

from vision.calibration import DEFAULT_FILE, CalibrationError, Thresholds, fit_threshold, load_thresholds


def test_the_shipped_calibration_loads() -> None:
    thresholds = load_thresholds()
    assert 0.0 <= thresholds.default <= 1.0
    assert all(0.0 <= value <= 1.0 for value in thresholds.fields.values())
    assert DEFAULT_FILE.name == "calibration.json"


def test_a_field_threshold_overrides_the_default() -> None:
    thresholds = Thresholds(0.9, {"vehicle_plate": 0.97})
    assert thresholds.accepts("sender", 0.91)
    assert not thresholds.accepts("vehicle_plate", 0.96)
    assert thresholds.accepts("vehicle_plate", 0.97)


def test_a_threshold_of_one_accepts_nothing() -> None:
    assert not Thresholds(1.0).accepts("sender", 1.0)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "not JSON"),
        ('["a list"]', "expected"),
        ('{"default": 1.5}', "'default' must be a number in 0..1"),
        ('{"fields": {"sender": "high"}}', "'sender' must be a number in 0..1"),
        ('{"fields": {"sender": true}}', "'sender' must be a number in 0..1"),
    ],
)
def test_a_bad_file_is_refused(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "calibration.json"
    path.write_text(content)
    with pytest.raises(CalibrationError, match=message):
        load_thresholds(path)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CalibrationError, match="No such file"):
        load_thresholds(tmp_path / "absent.json")


def test_the_fit_is_the_lowest_threshold_meeting_the_precision() -> None:
    samples = [(0.99, True)] * 30 + [(0.9, True)] * 30 + [(0.8, False)] * 5 + [(0.7, True)] * 10
    assert fit_threshold(samples, 0.995) == 0.9
    assert fit_threshold(samples, 0.9) == 0.7  # 70 right of 75 accepted at 0.7: 93 %


def test_too_few_readings_vouch_for_nothing() -> None:
    assert fit_threshold([(0.99, True)] * 5, 0.995) == 1.0
    assert fit_threshold([(0.99, True)] * 5, 0.995, min_accepted=5) == 0.99


def test_no_threshold_reaches_an_impossible_target() -> None:
    assert fit_threshold([(0.9, True), (0.95, False)] * 20, 0.995) == 1.0
