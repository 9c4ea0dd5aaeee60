from __future__ import annotations

from decimal import Decimal

import pytest

from kiosk.customs.validators import validate_item_weights, validate_weight_totals, weight_tolerance


@pytest.mark.parametrize(("gross", "net"), [("1250.500", "1200.000"), ("19850", "19850"), ("0.350", "0.300")])
def test_valid_item_weights(gross: str, net: str) -> None:
    assert validate_item_weights(Decimal(gross), Decimal(net), "invoice.items[0]") == []


@pytest.mark.parametrize(("gross", "net", "expected"), [
    ("1200.000", "1250.500", [("weights.gross_below_net", "invoice.items[0].gross_kg")]),
    ("0", "0", [("weights.gross_not_positive", "invoice.items[0].gross_kg"),
                ("weights.net_not_positive", "invoice.items[0].net_kg")]),
    ("100", "-5", [("weights.net_not_positive", "invoice.items[0].net_kg")]),
    ("-1", "-2", [("weights.gross_not_positive", "invoice.items[0].gross_kg"),
                  ("weights.net_not_positive", "invoice.items[0].net_kg")]),
])
def test_invalid_item_weights(gross: str, net: str, expected: list[tuple[str, str]]) -> None:
    found = validate_item_weights(Decimal(gross), Decimal(net), "invoice.items[0]")
    assert [(item.code, item.field) for item in found] == expected


def test_gross_below_net_message() -> None:
    (found,) = validate_item_weights(Decimal("980.0"), Decimal("1000.0"), "cmr.items[1]")
    assert found.message == "the gross mass 980.0 kg is below the net mass 1000.0 kg"


def test_tolerance_is_one_kilogram_or_half_a_percent() -> None:
    assert weight_tolerance(Decimal("120")) == Decimal("1")
    assert weight_tolerance(Decimal("200")) == Decimal("1")
    assert weight_tolerance(Decimal("20000")) == Decimal("100")


LINES = [(Decimal("10400.250"), Decimal("10000.000")), (Decimal("5200.125"), Decimal("5000.000"))]
"""Sums: gross 15600.375 kg, net 15000.000 kg."""


@pytest.mark.parametrize(("total_gross", "total_net"), [
    ("15600.375", "15000.000"),  # exact
    ("15600", "15000"),  # rounded to whole kilograms on the CMR
    ("15670", "14930"),  # 69.625 kg and 70 kg off, inside 0.5 % (78.35 kg and 74.65 kg)
])
def test_totals_within_tolerance(total_gross: str, total_net: str) -> None:
    assert validate_weight_totals(LINES, Decimal(total_gross), Decimal(total_net), "cmr") == []


@pytest.mark.parametrize(("total_gross", "total_net", "expected"), [
    ("15700", "15000", ["weights.gross_sum_mismatch"]),  # 99.625 kg off, tolerance 78.5 kg
    ("15600.375", "14900", ["weights.net_sum_mismatch"]),  # 100 kg off, tolerance 74.5 kg
    ("1560", "1500", ["weights.gross_sum_mismatch", "weights.net_sum_mismatch"]),  # a lost digit
    ("14000", "15000", ["weights.gross_below_net", "weights.gross_sum_mismatch"]),
])
def test_totals_beyond_tolerance(total_gross: str, total_net: str, expected: list[str]) -> None:
    found = validate_weight_totals(LINES, Decimal(total_gross), Decimal(total_net), "cmr")
    assert [item.code for item in found] == expected


def test_small_consignment_uses_the_one_kilogram_floor() -> None:
    lines = [(Decimal("12.5"), Decimal("11.0")), (Decimal("7.5"), Decimal("6.0"))]
    assert validate_weight_totals(lines, Decimal("21.0"), Decimal("17.0"), "cmr") == []
    (found,) = validate_weight_totals(lines, Decimal("21.5"), Decimal("17.0"), "cmr")
    assert found.code == "weights.gross_sum_mismatch"
    assert found.field == "cmr.gross_kg"
    assert found.message == "the lines' gross masses add up to 20.0 kg, but the total says 21.5 kg (tolerance 1 kg)"
