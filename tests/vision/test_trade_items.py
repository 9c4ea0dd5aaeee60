"""Line items and the arithmetic that vouches for them: parsers, the checks, a generated invoice's table."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from tests.vision.trade_pages import LANGS, assert_reads, read_generated
from vision.cmr_values import FieldReading
from vision.key_values import DISAGREE_CAP
from vision.straighten import straighten
from vision.synth import generate
from vision.trade_checks import CHECKED, check_sums, check_weights
from vision.trade_fields import read_trade_fields
from vision.trade_items import parse_hs_code, parse_unit
from vision.trade_truth import expected_fields


def test_hs_codes_and_units_are_normalised_or_refused() -> None:
    assert parse_hs_code("0901.21") == parse_hs_code("090121") == "090121"
    assert parse_hs_code("09O1") is None
    assert parse_unit("PCS") == "PCS"
    assert parse_unit("pieces") is None


def _invoice(amount: str, total: str) -> dict[str, FieldReading]:
    return {"item_1_quantity": FieldReading("62", 0.9), "item_1_unit_price": FieldReading("193.86", 0.9),
            "item_1_amount": FieldReading(amount, 0.9), "item_2_quantity": FieldReading("2", 0.9),
            "item_2_unit_price": FieldReading("10.00", 0.9), "item_2_amount": FieldReading("20.00", 0.9),
            "total_amount": FieldReading(total, 0.9)}


def test_numbers_that_add_up_are_trusted() -> None:
    fields = _invoice("12019.32", "12039.32")
    check_sums(fields, [("total_amount", "amount")], products=True)
    assert all(reading.confidence >= CHECKED for reading in fields.values())


def test_numbers_that_do_not_add_up_are_left_to_the_driver() -> None:
    fields = _invoice("17736", "12039.32")  # `12 019,32` misread: its product and the total both fail
    check_sums(fields, [("total_amount", "amount")], products=True)
    assert fields["item_1_amount"].confidence <= DISAGREE_CAP
    assert fields["total_amount"].confidence <= DISAGREE_CAP
    assert fields["item_2_amount"].confidence <= DISAGREE_CAP  # its product holds, but the list is not vouched for


def test_items_are_trusted_only_when_the_list_adds_up_to_its_total() -> None:
    """Row 1 missed: every later row moves up a number and still multiplies out; only the total can tell."""
    shifted = {"item_1_quantity": FieldReading("2", 0.9), "item_1_unit_price": FieldReading("10.00", 0.9),
               "item_1_amount": FieldReading("20.00", 0.9), "total_amount": FieldReading("12039.32", 0.9)}
    check_sums(shifted, [("total_amount", "amount")], products=True)
    assert all(reading.confidence <= DISAGREE_CAP for reading in shifted.values())


def test_a_weight_that_lost_its_decimals_or_weighs_less_gross_than_net_is_left_to_the_driver() -> None:
    fields = {"total_net_kg": FieldReading("9727.3", 0.97), "total_gross_kg": FieldReading("10225", 0.97)}
    check_weights(fields)
    assert fields["total_gross_kg"].confidence <= DISAGREE_CAP < fields["total_net_kg"].confidence
    swapped = {"total_net_kg": FieldReading("10225.7", 0.97), "total_gross_kg": FieldReading("9727.3", 0.97)}
    check_weights(swapped)
    assert all(reading.confidence <= DISAGREE_CAP for reading in swapped.values())


@pytest.mark.slow
def test_an_invoice_s_line_items_are_read_and_accepted_only_when_right() -> None:
    checked = read_generated("invoice", 21, "none", "invoice-grid")
    items = {name for name in checked.expected if name.startswith("item_")}
    assert items, "the page prints line items"
    assert len(items & checked.right) >= 0.8 * len(items), {n: checked.read.get(n) for n in items - checked.right}
    assert_reads(checked)


@pytest.mark.slow
def test_a_page_straightening_left_upside_down_is_read_turned() -> None:
    page = generate("invoice", 22, degrade="none", variant="invoice-grid")
    upright = straighten(np.asarray(page.image.convert("L"))).image
    expected = expected_fields("invoice", page.truth["fields"])
    read = read_trade_fields("invoice", cv2.rotate(upright, cv2.ROTATE_180), langs=LANGS)
    right = {name for name, value in expected.items() if name in read and read[name].value == value}
    assert len(right) >= 0.8 * len(expected), {n: (expected[n], read.get(n)) for n in expected if n not in right}
