"""Acceptance thresholds: loading them safely and fitting them to a precision target."""

from __future__ import annotations

from pathlib import Path

import pytest

from vision.calibration import (
    DEFAULT_FILE,
    CalibrationError,
    Thresholds,
    choose_aim,
    fit_threshold,
    fit_thresholds,
    load_thresholds,
    tally,
    threshold_key,
)


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


def test_a_kinds_own_threshold_comes_before_the_bare_fields() -> None:
    thresholds = Thresholds(0.9, {"invoice_number": 0.8, "packing_list/invoice_number": 1.0})
    assert thresholds.accepts("invoice_number", 0.85, "invoice")
    assert not thresholds.accepts("invoice_number", 0.99, "packing_list")
    assert thresholds.accepts("invoice_number", 0.85)


def test_line_items_share_their_columns_threshold() -> None:
    thresholds = Thresholds(0.5, {"invoice/item_*_amount": 0.97})
    assert threshold_key("invoice", "item_12_amount") == "invoice/item_*_amount"
    assert not thresholds.accepts("item_3_amount", 0.96, "invoice")
    assert thresholds.accepts("item_3_amount", 0.97, "invoice")
    assert thresholds.accepts("item_3_amount", 0.6, "certificate_of_origin")  # another kind: the default


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


def test_a_field_whose_surest_reading_was_wrong_is_still_accepted_when_the_whole_stays_right() -> None:
    samples = {"cmr/sender": [(0.99, False)] + [(0.95, True)] * 150, "cmr/packages": [(0.9, True)] * 200}
    assert fit_threshold(samples["cmr/sender"], 0.995) == 1.0  # alone, it never meets 99.5 %
    fitted = fit_thresholds(samples, 0.995, floor=0.99)
    assert fitted == {"cmr/sender": 0.95, "cmr/packages": 0.9}  # 350 accepted, 1 wrong: 99.7 %


def test_no_field_is_accepted_below_the_floor() -> None:
    samples = {"cmr/sender": [(0.99, False)] * 2 + [(0.95, True)] * 98, "cmr/packages": [(0.9, True)] * 2000}
    assert fit_thresholds(samples, 0.995, floor=0.99)["cmr/sender"] == 1.0  # 98 %, though the whole is 99.9 %


def test_the_whole_is_held_to_the_target() -> None:
    # each field: 100 % right at 0.9, 99.4 % at 0.8; one field at 0.8 keeps the whole at 99.6 %, both: 99.4 %
    field = [(0.9, True)] * 150 + [(0.8, True)] * 196 + [(0.8, False)] * 2
    fitted = fit_thresholds({"a/x": field, "b/y": field}, 0.995, floor=0.99)
    assert sorted(fitted.values()) == [0.8, 0.9]


def test_tally_counts_what_thresholds_accept_and_the_wrong_among_them() -> None:
    samples = {"a/x": [(0.9, True), (0.8, False), (0.7, True)], "b/y": [(0.99, True)], "c/z": [(0.5, False)]}
    assert tally({"a/x": 0.8, "b/y": 1.0}, samples) == (2, 1)  # b/y accepts nothing at 1.0; c/z has no threshold


def test_the_aim_is_as_strict_as_the_other_half_of_the_pages_says() -> None:
    # a field right at 0.9; at 0.8 one half has 1 wrong reading in 100 and the other 8
    right = [(0.9, True)] * 400
    first = {"a/x": right + [(0.8, True)] * 99 + [(0.8, False)], "b/y": right}
    second = {"a/x": right + [(0.8, True)] * 92 + [(0.8, False)] * 8, "b/y": right}
    aim = choose_aim((first, second), 0.996, (0.99, 0.999), floor=0.95)
    # aimed at 99 %, both halves' fits take 0.8 (99.9 % and 99.1 % of 900): 9 wrong of 1,800 on the other halves
    assert aim.held_out[0.99] == 0.995
    assert aim.held_out[0.999] == 1.0  # neither half's fit takes 0.8
    assert aim.aim == 0.999


def test_with_no_aim_holding_the_strictest_is_taken() -> None:
    half = {"a/x": [(0.9, True)] * 90 + [(0.9, False)] * 10}
    aim = choose_aim((half, half), 0.996, (0.99, 0.999), floor=0.5)
    assert aim.aim == 0.999
    assert aim.held_out == {0.99: None, 0.999: None}  # 90 % right: neither aim accepts anything
