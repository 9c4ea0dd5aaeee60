"""The skeleton draft's gross weight: whole kilograms, thousands separators of any convention."""

from __future__ import annotations

import pytest

from kiosk.customs.declaration import parse_weight_kg


@pytest.mark.parametrize(("text", "kg"), [("18 240", 18240), ("18.240", 18240), ("18,240", 18240), ("92", 92)])
def test_whole_kilograms_are_read_whatever_the_grouping(text: str, kg: int) -> None:
    assert parse_weight_kg(text) == kg


@pytest.mark.parametrize("text", ["18 240,5", "18240.25", "12O0", "", "-5"])
def test_decimals_and_non_numbers_are_refused_not_misread(text: str) -> None:
    with pytest.raises(ValueError, match="whole number of kilograms"):
        parse_weight_kg(text)
