"""Turning a CMR box's OCR text into its field (`vision.cmr_values`) and putting back confused address words
(`vision.address_words`): the checks that keep a wrong reading's confidence low."""

from __future__ import annotations

import pytest

from vision.address_words import repair_address_words
from vision.cmr_values import (
    UNCHECKED_CAP,
    FieldReading,
    cmr_number,
    comma_before_country,
    compact_dates,
    count,
    goods_lines,
    hs_codes,
    plate,
    plausible_address,
    plausible_place_and_date,
    unspilled,
    weight,
)
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
        ("Ararat Brandy Export CjSC, 14 Abovyan Street", "Ararat Brandy Export CJSC, 14 Abovyan Street"),
        ("Ege Makina Sanayi AS, Ataturk Cad, No 15", "Ege Makina Sanayi AS, Ataturk Cad. No 15"),
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


@pytest.mark.parametrize(("printed", "value"), [("14 213,5 kg", "14213.5"), ("14.213,25 kg", "14213.25"),
                                                 ("14,213 kg", "14213"), ("1.5 kg", "1.5"), ("18 240. kg", "18240")])
def test_a_weight_keeps_its_decimals_and_drops_thousands_groups(printed: str, value: str) -> None:
    assert weight(_text(printed)).value == value


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


def test_a_break_before_a_small_letter_is_a_wrap_even_with_room_left() -> None:
    # "choline" (7) + " and" would have fitted in 20 characters, but an item never starts with a small letter
    text = _text("Salts; choline", "and its salts", "Wine; still")
    reading = goods_lines(text.lines, 200, 2)
    assert reading == goods_lines(text.lines, 200, None)
    assert reading.value == "Salts; choline and its salts, Wine; still" and reading.confidence > UNCHECKED_CAP


def test_when_room_cannot_tell_the_breaks_before_capitals_matching_box_10_s_count_are_the_items() -> None:
    # "hard rubber" leaves no room for "Quaternary" (10), so room alone finds one item where box 10 says two
    text = _text("Rubber; of hard rubber", "Quaternary salts")
    assert goods_lines(text.lines, 230, None).value == "Rubber; of hard rubber Quaternary salts"
    two = goods_lines(text.lines, 230, 2)
    assert two.value == "Rubber; of hard rubber, Quaternary salts" and two.confidence > UNCHECKED_CAP


def test_goods_with_a_character_no_description_is_written_with_are_not_trusted() -> None:
    assert goods_lines(_text("Machinery; for soi! preparation").lines, 400, 1).confidence == UNCHECKED_CAP
    assert goods_lines(_text("Machinery; for soil preparation").lines, 400, 1).confidence > UNCHECKED_CAP


@pytest.mark.parametrize(
    ("read", "expected"),
    [
        ("AZ2000 Gəncə. Azərbaycan", "AZ2000 Gəncə, Azərbaycan"),
        ("0108 თბილისი: საქართველო", "0108 თბილისი, საქართველო"),
        ("Atatürk Cad. No 15, 34010 İstanbul, Türkiye", "Atatürk Cad. No 15, 34010 İstanbul, Türkiye"),
        ("Nizami küç. 25", "Nizami küç. 25"),  # not followed by a country: left alone
        ("რუსთავი: საქართველო, 03.01.2026", "რუსთავი, საქართველო, 03.01.2026"),  # box 4: the date follows
    ],
)
def test_the_comma_before_a_country_s_name_is_put_back(read: str, expected: str) -> None:
    assert comma_before_country(read) == expected


@pytest.mark.parametrize(
    ("address", "plausible"),
    [
        ("Xəzər Ticarət MMC, Nizami küç. 25, AZ1000 Bakı, Azərbaycan", True),
        ("Rhein Spedition GmbH, Hafenstraße 12, 10115 Berlin", True),  # no country: nothing to compare
        ("Sumqayit, Azerbailan", False),  # a country's name one letter off
        ("Via Roma 18, 50123 Firenze, ltalia", False),
        ("34010 Istanbul, Turkiye", False),  # Türkiye lost its letter
        ("თაილისი, საქაოთველო", False),
        ("ul. Portovva 5, 30-001 Krakow, Poland", False),  # a w read as two v
    ],
)
def test_an_address_is_implausible_when_its_country_is_misspelt_or_a_w_split(address: str, plausible: bool) -> None:
    assert plausible_address(address) is plausible


@pytest.mark.parametrize(
    ("value", "plausible"),
    [
        ("Vilnius, Lithuania, 11.07.2025", True),
        ("İstanbul, Türkiye, 27/11/2025", True),
        ("Vilnius, Lithuania, 11.0742025", False),  # a dot read as a 4
        ("Vilnius, Lithuania, 31.02.2025", False),  # no such day
        ("Vilnius, Lithuania", False),  # the date lost
        ("Sumqayit, Azerbailan, 20.11.2025", False),
    ],
)
def test_taking_over_is_plausible_only_with_a_valid_date_last(value: str, plausible: bool) -> None:
    assert plausible_place_and_date(value) is plausible


def test_goods_are_not_trusted_when_box_10_holds_words_that_ran_on_from_box_9() -> None:
    goods = FieldReading("Fish; smoked, trout (Salmo trutta, Oncorhynchus mykiss/chryso", 0.9)
    assert unspilled(goods, FieldReading("0305.39, 0305.43, aster),", 0.5)).confidence == UNCHECKED_CAP
    assert unspilled(goods, FieldReading("0305.39, 0305.43", 0.9)) == goods


def test_characters_no_plate_is_printed_with_are_dropped() -> None:
    reading = plate(_text("46-DU-818に世"))
    assert reading.value == "46-DU-818" and reading.confidence > UNCHECKED_CAP
