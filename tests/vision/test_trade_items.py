"""Line items and the arithmetic that vouches for them: parsers, the checks, a generated invoice's table."""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np
import pytest

from tests.vision.trade_pages import LANGS, assert_reads, read_generated
from vision.cmr_values import FieldReading
from vision.key_values import DISAGREE_CAP
from vision.ocr import BBox, Word
from vision.straighten import straighten
from vision.synth import generate
from vision.trade_checks import CHECKED, check_sums, check_weights
from vision.trade_fields import read_trade_fields
from vision.trade_items import COO_TABLE, INVOICE_TABLE, parse_code, parse_hs_code, parse_unit, read_items
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


@pytest.mark.parametrize(("text", "code"), [
    ("Exp-202518114", "EXP-202518114"), ("R0-2026-37150", "RO-2026-37150"), ("IT-O1", "IT-01"),
    ("2976/2O26", "2976/2026"), ("GE892O147", "GE8920147"), ("GE-01", "GE-01"), ("INV 123456", None), ("", None),
])
def test_codes_are_read_in_capitals_with_o_and_zero_put_right(text: str, code: str | None) -> None:
    """Small print reads `Exp` for `EXP`, `R0` for `RO`: the truth goes through the same parser, so both compare."""
    assert parse_code(text) == code


def _line(text: str, left: int, top: int, confidence: float = 0.95) -> list[Word]:
    words, x = [], left
    for token in text.split():
        words.append(Word(token, confidence, (x, top, x + 18 * len(token), top + 30)))
        x += 18 * len(token) + 14
    return words


def test_numbered_goods_lines_are_items_by_their_printed_number() -> None:
    """EUR.1 box 8: the second line missed leaves item 2 out; item 3 keeps its own number and mass."""
    words = [*_line("8. Item number; Marks and numbers; Description of goods", 100, 1100),
             *_line("9. Gross mass (kg)", 1900, 1100),
             *_line("1. 6 packages: Iron or steel; threaded wood screws", 130, 1190), *_line("2 161,4", 1960, 1190),
             *_line("3. 2 packages: Acids; aromatic", 130, 1340), *_line("2 152,3", 1960, 1342)]
    found = read_items(COO_TABLE, words)
    assert found["item_1_description"].value == "1. 6 packages: Iron or steel; threaded wood screws"
    assert (found["item_1_gross_kg"].value, found["item_3_gross_kg"].value) == ("2161.4", "2152.3")
    assert "item_2_description" not in found and "item_2_gross_kg" not in found


def test_a_goods_line_mass_read_differently_again_is_not_trusted() -> None:
    words = [*_line("1. 6 packages: Iron or steel", 130, 1190), *_line("2 161,4", 1960, 1190)]

    def reread(box: BBox, langs: str) -> tuple[Word, ...]:
        """A fixed second reading: the decision between two readings alone."""
        text = "2 181,4" if box[0] > 1000 else "1. 6 packages: Iron or steel"
        return (Word(text, 0.97, box),)

    found = read_items(COO_TABLE, words, reread)
    assert found["item_1_gross_kg"].value == "2181.4"
    assert found["item_1_gross_kg"].confidence <= DISAGREE_CAP
    assert found["item_1_description"].confidence == 0.97


@pytest.mark.slow
def test_an_eur1_s_goods_lines_are_read_and_vouched_for_by_the_gross_mass() -> None:
    checked = read_generated("certificate_of_origin", 500008, "scan", "eur1")
    items = {name for name in checked.expected if name.startswith("item_")}
    assert items, "the page prints goods lines"
    assert len(items & checked.right) >= 0.8 * len(items), {n: checked.read.get(n) for n in items - checked.right}
    assert_reads(checked)


_HEADER = [("Description", 100), ("HS", 800), ("code", 850), ("Qty", 1050), ("Unit", 1214), ("Unit", 1332),
           ("price", 1410), ("Amount", 1568), ("Net,", 1828), ("kg", 1910), ("Gross,", 2028), ("kg", 2150)]
_ROW = [("Coffee", 108), ("090121", 838), ("166", 1138), ("CIN", 1218), ("248,97", 1445), ("41 329,02", 1590),
        ("3 506,1", 1850), ("3 833,7", 2050)]


def _words(cells: list[tuple[str, int]], top: int, confidence: float = 0.95) -> list[Word]:
    return [Word(text, confidence, (left, top, left + 18 * len(text), top + 30)) for text, left in cells]


def _saying(words: list[Word]) -> Callable[[BBox, str], tuple[Word, ...]]:
    """A fixed second reading of the row (the decision between two readings alone; real re-reads run on pages)."""
    def reread(box: BBox, langs: str) -> tuple[Word, ...]:
        return tuple(words)
    return reread


def test_a_unit_a_look_alike_letter_away_is_put_right_but_left_to_the_driver() -> None:
    words = [*_words(_HEADER, 1214), *_words(_ROW, 1356)]
    found = read_items(INVOICE_TABLE, words)
    assert found["item_1_unit"].value == "CTN"
    assert found["item_1_unit"].confidence <= DISAGREE_CAP


def test_a_cell_only_the_re_read_found_needs_the_arithmetic_to_be_trusted() -> None:
    """The quick pass lost `166` into the unit's cell; the re-read has it, unsure until quantity x price = amount."""
    quick = [*_words(_HEADER, 1214), *_words([cell for cell in _ROW if cell[0] != "166"], 1356)]
    found = read_items(INVOICE_TABLE, quick, _saying(_words(_ROW, 1356, 0.97)))
    assert found["item_1_quantity"].value == "166"
    assert found["item_1_quantity"].confidence <= DISAGREE_CAP
    found["total_amount"] = FieldReading("41329.02", 0.9)
    check_sums(found, [("total_amount", "amount")], products=True)
    assert found["item_1_quantity"].confidence >= CHECKED
    wrong = read_items(INVOICE_TABLE, quick, _saying(_words([*_ROW[:2], ("186", 1138), *_ROW[3:]], 1356, 0.97)))
    wrong["total_amount"] = FieldReading("41329.02", 0.9)
    check_sums(wrong, [("total_amount", "amount")], products=True)
    assert wrong["item_1_quantity"].value == "186"
    assert wrong["item_1_quantity"].confidence <= DISAGREE_CAP


def test_an_item_whose_anchor_was_read_unsurely_still_counts_beside_two_other_numbers() -> None:
    """A certificate's first row with `5 317,6` read at 0: dropping it gave every later row the wrong number."""
    anchor_unsure = [*_words([*_ROW[:5], *_ROW[6:]], 1356), *_words(_ROW[5:6], 1356, 0.0)]  # the amount
    found = read_items(INVOICE_TABLE, [*_words(_HEADER, 1214), *anchor_unsure])
    assert found["item_1_hs_code"].value == "090121"
    refused = _words([*_ROW[:5], ("41 329,02.", 1590), *_ROW[6:]], 1356)  # `945,0` read `945.0.`: no number yet
    found = read_items(INVOICE_TABLE, [*_words(_HEADER, 1214), *refused], _saying(_words(_ROW, 1356, 0.97)))
    assert found["item_1_amount"].value == "41329.02"
    assert found["item_1_amount"].confidence <= DISAGREE_CAP
    header_noise = [("Koa", 838), ("5", 1600), ("En.", 1218)]  # a header row in another script: one number
    assert read_items(INVOICE_TABLE, [*_words(_HEADER, 1214), *_words(header_noise, 1300, 0.9)]) == {}


def test_a_weight_header_whose_unit_reads_ke_still_makes_its_column() -> None:
    """`Gross, kg` read `Gross, ke`: without the column its weights fell into the net column and were lost."""
    header = [*_HEADER[:-1], ("ke", 2150)]
    found = read_items(INVOICE_TABLE, [*_words(header, 1214), *_words(_ROW, 1356)])
    assert (found["item_1_net_kg"].value, found["item_1_gross_kg"].value) == ("3506.1", "3833.7")
