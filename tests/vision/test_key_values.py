"""Key-value reading: the value parsers, label-to-value geometry, a blank page, and the pipeline's use of it."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from tests.vision.trade_pages import LANGS
from vision import packing_fields, pipeline
from vision.doc_type import DocType
from vision.field_values import (
    parse_amount,
    parse_container,
    parse_country,
    parse_currency,
    parse_date,
    parse_incoterm,
    parse_incoterm_place,
)
from vision.key_values import DISAGREE_CAP, UNPARSED_CAP, FieldSpec, phrases, read_key_values
from vision.ocr import BBox, Word
from vision.pipeline import Settings, read_page
from vision.synth import generate
from vision.trade_fields import TRADE_KINDS, read_trade_fields
from vision.trade_labels import TOTAL_NET_KG, parse_invoice_number
from vision.trade_truth import expected_fields


@pytest.mark.parametrize(("text", "iso"), [
    ("04/02/2025", "2025-02-04"), ("31.12.2024", "2024-12-31"), ("2025-07-31", "2025-07-31"),
    ("31 Jul 2025", "2025-07-31"), ("Date: 5.3.2026 г.", "2026-03-05"),
    ("31/02/2025", None), ("12345", None), ("", None),
])
def test_dates_become_iso_or_nothing(text: str, iso: str | None) -> None:
    assert parse_date(text) == iso


@pytest.mark.parametrize(("text", "decimal"), [
    ("101 808,00 TRY", "101808.00"), ("12,345.60 USD", "12345.60"), ("3 030,1", "3030.1"),
    ("1.234.567,89", "1234567.89"), ("3030", "3030"), ("kg", None),
])
def test_amounts_become_decimal_strings(text: str, decimal: str | None) -> None:
    assert parse_amount(text) == decimal


def test_codes_are_checked_against_their_lists() -> None:
    assert parse_currency("679 640,56 TRY") == "TRY"
    assert parse_currency("XYZ") is None
    assert parse_incoterm("DAP Tbilisi") == "DAP"
    assert parse_incoterm("DAT Tbilisi") is None  # Incoterms 2010, gone from 2020
    assert parse_incoterm_place("FCA Poti port") == "Poti port"
    assert parse_country("Türkiye") == parse_country("Tirkiye") == "TR"
    assert parse_country("Россия") == "RU"
    assert parse_country("Atlantis") is None
    assert parse_container("TGHU 967631 2") == "TGHU9676312"
    assert parse_container("TGHU9676313") is None  # check digit fails


def _word(text: str, left: int, top: int, height: int = 30, confidence: float = 0.96) -> Word:
    return Word(text, confidence, (left, top, left + 20 * len(text), top + height))


DATE = FieldSpec("date", (r"\bdate\b",), parse_date)


def test_value_right_of_below_or_after_the_colon() -> None:
    beside = [_word("Date:", 100, 100), _word("04/02/2025", 600, 102)]
    below = [_word("Date", 100, 100, 20), _word("04/02/2025", 110, 140)]
    after = [_word("Date:", 100, 100), _word("04/02/2025", 210, 100)]
    for words in (beside, below, after):
        assert read_key_values([DATE], words)["date"].value == "2025-02-04"


def test_phrases_split_at_wide_gaps_only() -> None:
    words = [_word("Total", 100, 100), _word("net:", 220, 100), _word("1 234,5", 900, 100), _word("x", 100, 300)]
    assert [p.text for p in phrases(words)] == ["Total net:", "1 234,5", "x"]


def test_a_value_that_does_not_parse_is_kept_but_never_trusted() -> None:
    reading = read_key_values([DATE], [_word("Date:", 100, 100), _word("31/02/2025", 600, 100)])["date"]
    assert reading.value == "31/02/2025"
    assert reading.confidence <= UNPARSED_CAP


def test_confidence_is_the_least_sure_word_of_the_value() -> None:
    words = [_word("Date:", 100, 100, confidence=0.5), _word("04/02/2025", 600, 100, confidence=0.8)]
    assert read_key_values([DATE], words)["date"].confidence == 0.8


def test_russian_labels_read_by_the_english_pass_still_match() -> None:
    """The page pass reads English only: `Вес нетто, кг:` comes back as Latin look-alikes."""
    words = [_word("Bec", 100, 100), _word("HeTTO,", 180, 100), _word("Kr:", 320, 100), _word("8 831,7", 900, 100)]
    assert read_key_values([TOTAL_NET_KG], words)["total_net_kg"].value == "8831.7"


def test_a_colon_inside_a_word_starts_the_value() -> None:
    plate = FieldSpec("plate", (r"транспортное",), lambda text: text if text == "03 X 6823" else None)
    words = [_word("Транспортное", 100, 100), _word("средство:03", 360, 100), _word("X", 600, 100),
             _word("6823", 640, 100)]
    assert read_key_values([plate], words)["plate"].value == "03 X 6823"


def test_a_plate_spaced_out_in_a_monospaced_font_is_read_whole() -> None:
    """`GD  87289`: the monospaced space is wider than a phrase's gap, so the parts are phrases of their own."""
    words = [_word("Means", 100, 100), _word("of", 230, 100), _word("transport:", 290, 100),
             _word("GD", 600, 100), _word("87289", 690, 100)]
    assert read_key_values(packing_fields.SPECS, words)["vehicle_plate"].value == "GD 87289"
    far = [*words[:4], _word("87289", 1200, 100)]  # another value further along the row is not a part
    alone = read_key_values(packing_fields.SPECS, far)["vehicle_plate"]
    assert (alone.value, alone.confidence <= UNPARSED_CAP) == ("GD", True)


def test_a_stray_mark_before_an_invoice_number_is_dropped() -> None:
    assert parse_invoice_number("y EXP-202643006") == parse_invoice_number("-EXP-202643006") == "EXP-202643006"
    assert parse_invoice_number("INV 123456") == "INV 123456"


def test_an_invoice_number_s_o_and_zero_are_put_right_by_position() -> None:
    """Digits follow a two-letter country prefix (`TRO019834`); a leading prefix holds letters (`R0-2026-...`)."""
    assert parse_invoice_number("TRO019834") == "TR0019834"
    assert parse_invoice_number("R0-2026-37150") == "RO-2026-37150"
    assert parse_invoice_number("RO1234567") == "RO1234567"  # Romania's prefix: the O is a letter
    assert parse_invoice_number("2976/2O26") == "2976/2026"
    assert parse_invoice_number("no digits") is None


def _reread_saying(text: str, confidence: float = 0.97) -> Callable[[BBox, str], tuple[Word, ...]]:
    """The decision between two readings alone (a fixed second reading); real re-reads run in the page tests."""
    def reread(box: BBox, langs: str) -> tuple[Word, ...]:
        return (Word(text, confidence, box),)
    return reread


def test_two_readings_that_agree_keep_the_surer_confidence() -> None:
    words = [_word("Date:", 100, 100), _word("04/02/2025", 600, 100, confidence=0.7)]
    reading = read_key_values([DATE], words, _reread_saying("04/02/2025"))["date"]
    assert (reading.value, reading.confidence) == ("2025-02-04", 0.97)


def test_two_readings_that_differ_give_the_sharp_one_never_trusted() -> None:
    words = [_word("Date:", 100, 100), _word("04/02/2025", 600, 100)]
    reading = read_key_values([DATE], words, _reread_saying("01/02/2025"))["date"]
    assert reading.value == "2025-02-01"
    assert reading.confidence <= DISAGREE_CAP


def test_a_column_total_is_the_last_number_under_its_label() -> None:
    mass = FieldSpec("gross_mass", (r"gross\s+mass",), parse_amount, column_total=True)
    words = [_word("Gross", 100, 100), _word("mass", 220, 100), _word("2161,4", 110, 200),
             _word("1 845,5", 110, 260), _word("4 006,9", 110, 320), _word("Declaration", 60, 500)]
    assert read_key_values([mass], words)["gross_mass"].value == "4006.9"


def test_one_value_claimed_by_two_labels_is_trusted_for_neither() -> None:
    """A camera's slant put the origin's value under the destination's caption too."""
    origin = FieldSpec("origin_country", (r"^origin$",), parse_country)
    destination = FieldSpec("destination_country", (r"^destination$",), parse_country)
    words = [_word("origin", 100, 100), _word("destination", 260, 100), _word("Lithuania", 150, 160)]
    found = read_key_values([origin, destination], words)
    assert found["origin_country"].value == found["destination_country"].value == "LT"
    assert all(reading.confidence <= DISAGREE_CAP for reading in found.values())


def test_an_unknown_kind_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="no trade reader for 'cmr'"):
        read_trade_fields("cmr", np.full((400, 300), 250, np.uint8))


@pytest.mark.parametrize("kind", sorted(TRADE_KINDS))
def test_a_blank_page_gives_no_fields(kind: str) -> None:
    assert read_trade_fields(kind, np.full((3508, 2480), 250, np.uint8), langs="eng") == {}


@pytest.mark.slow
def test_the_pipeline_reads_the_fields_of_a_page_classified_as_an_invoice(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fields stage alone: the kind is fixed, since telling kinds apart is `vision.doc_type`'s job."""
    monkeypatch.setattr(pipeline, "classify", lambda *args, **kwargs: DocType("invoice", "test", 0.0))
    page = generate("invoice", 22, degrade="scan", variant="invoice-letterhead")
    reading = read_page(np.asarray(page.image.convert("L")), Settings.with_calibration(None, langs=LANGS))
    expected = expected_fields("invoice", page.truth["fields"])
    right = {name for name, r in reading.fields.items() if r.value == expected.get(name)}
    assert len(right) >= len(expected) / 2, reading.to_dict()["fields"]
    assert all(reading.fields[name].value == expected.get(name) for name, ok in reading.accepted.items() if ok)
    assert "fields" in reading.timings_ms
