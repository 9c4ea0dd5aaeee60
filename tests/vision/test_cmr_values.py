"""Turning a CMR box's OCR text into its field (`vision.cmr_values`) and putting back confused address words
(`vision.address_words`): the checks that keep a wrong reading's confidence low."""

from __future__ import annotations

import pytest

from vision.address_words import repair_address_words
from vision.cmr_values import UNCHECKED_CAP, cmr_number, compact_dates, count, goods_lines, hs_codes, weight
from vision.ocr import Line, OcrText, Word


def _text(*lines: str, confidence: float = 0.95, char_px: int = 10) -> OcrText:
    """OCR output laid out as a monospace printer would: each character `char_px` wide, lines 30 px apart."""
    built = []
    for row, text in enumerate(lines):
        words, x = [], 0
        for token in text.split():
            words.append(Word(token, confidence, (x, row * 30, x + char_px * len(token), row * 30 + 20)))
            x += char_px * (len(token) + 1)
        built.append(Line(text, confidence, (0, row * 30, words[-1].box[2], row * 30 + 20), tuple(words)))
    return OcrText("test", tuple(built))


@pytest.mark.parametrize(
    ("read", "expected"),
    [
        ("Polmar Trans Sp. 7 0.0., ul. Polna 33", "Polmar Trans Sp. z o.o., ul. Polna 33"),
        ("Ararat Brandy Export CUSC, 36 Mashtots Avenue", "Ararat Brandy Export CJSC, 36 Mashtots Avenue"),
        ("Black Sea Agro Lid, 45 Aghmashenebeli Ave", "Black Sea Agro Ltd, 45 Aghmashenebeli Ave"),
        ("Cumhuriyet Biv. N0 82", "Cumhuriyet Blv. No 82"),
        ("Trasporti Adriatico S.r.I., Via Roma 18", "Trasporti Adriatico S.r.l., Via Roma 18"),
    ],
)
def test_confused_legal_forms_and_street_words_are_put_back(read: str, expected: str) -> None:
    assert repair_address_words(read) == expected


@pytest.mark.parametrize("text", ["Lindenallee 45, 20095 Hamburg", "2 Abovyan Street 7", "ООО «Волга», ул. Мира, 101"])
def test_other_words_and_house_numbers_are_left_alone(text: str) -> None:
    assert repair_address_words(text) == text


def test_a_weight_is_its_digits_and_is_trusted_only_with_its_unit() -> None:
    assert weight(_text("14 213 kg")).value == "14213"
    assert weight(_text("14 213 kg")).confidence == pytest.approx(0.95)
    unitless = weight(_text("92"))
    assert unitless.value == "92" and unitless.confidence == UNCHECKED_CAP
    assert weight(_text("kg")).value == ""


def test_the_cmr_number_follows_no() -> None:
    read = cmr_number(_text("No GE 2557209"))
    assert read.value == "GE 2557209" and read.confidence == pytest.approx(0.95)
    assert cmr_number(_text("No GE 25")).confidence == UNCHECKED_CAP


def test_a_package_count_is_one_whole_number() -> None:
    assert count(_text("012")).value == "12"
    doubtful = count(_text("1 2"))
    assert doubtful.value == "12" and doubtful.confidence == UNCHECKED_CAP


def test_hs_codes_are_four_digits_a_dot_and_two_one_per_line() -> None:
    read = hs_codes(_text("0802.11", "2204 21"))
    assert read.value == "0802.11, 2204.21" and read.confidence == pytest.approx(0.95)
    assert hs_codes(_text("0802.1")).confidence == UNCHECKED_CAP


def test_goods_lines_end_an_item_where_the_next_word_would_have_fitted() -> None:
    # 20 characters wide: "Fish; frozen" (12) + " fillets" would have fitted, so that break ends an item;
    # "Wine; still, in" (15) + " containers" would not, so that break is a wrap.
    text = _text("Fish; frozen", "Wine; still, in", "containers")
    assert goods_lines(text.lines, 200, None).value == "Fish; frozen, Wine; still, in containers"
    sure = goods_lines(text.lines, 200, 2)
    assert sure.value == "Fish; frozen, Wine; still, in containers" and sure.confidence == pytest.approx(0.95)


def test_goods_whose_breaks_disagree_with_the_item_count_are_not_trusted() -> None:
    text = _text("Fish; frozen", "Wine; still, in", "containers")
    assert goods_lines(text.lines, 200, 3).confidence == UNCHECKED_CAP
    assert goods_lines((), 200, 1).value == ""


def test_a_date_split_by_a_space_is_closed_up_and_other_numbers_are_not() -> None:
    assert compact_dates("ბათუმი, საქართველო, 22/1 1/2025") == "ბათუმი, საქართველო, 22/11/2025"
    assert compact_dates("Tbilisi, 0 4.10.2025") == "Tbilisi, 04.10.2025"
    assert compact_dates("Taikos pr. 141, LT-44240 Kaunas") == "Taikos pr. 141, LT-44240 Kaunas"


def test_goods_ending_on_a_joining_word_lost_a_line_and_are_not_trusted() -> None:
    text = _text("Ignition or starting equipment; of a", "kind used for spark or")
    assert goods_lines(text.lines, 400, 1).confidence == UNCHECKED_CAP
