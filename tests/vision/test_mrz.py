"""Reading machine readable zones with real Tesseract: generated passports and cards, and zones drawn here."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from vision import icao9303
from vision.mrz import (
    AGREED_CONFIDENCE,
    CHECKED_CONFIDENCE,
    FAILED_CONFIDENCE,
    Parse,
    _best_parse,
    _has_stem,
    _reading,
    find_bands,
    read_mrz,
)
from vision.synth.fonts import mrz_font_path
from vision.synth.generator import generate

HOLDER = icao9303.Holder("P", "GEO", "15AB34567", "GEO", "850312", "M", "310101", "BERIDZE", "DAVIT")


def _card(lines: tuple[str, ...]) -> np.ndarray:
    """A plain 125 x 88 mm page at 300 dpi with the zone printed at its bottom in the MRZ font."""
    image = Image.new("L", (1476, 1039), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(mrz_font_path()), 44)
    draw.text((60, 120), "PASSPORT", font=ImageFont.truetype(str(mrz_font_path()), 60), fill=0)
    for i, line in enumerate(lines):
        draw.text((50, 860 + 70 * i), line, font=font, fill=0)
    return np.asarray(image)


def test_a_printed_td3_zone_reads_with_every_check_digit_holding() -> None:
    reading = read_mrz(_card(icao9303.compose_td3(HOLDER)))
    assert reading is not None and reading.valid
    values = {name: field.value for name, field in reading.fields.items()}
    assert values["document_number"] == "15AB34567"
    assert values["birth_date"] == "12.03.1985" and values["expiry_date"] == "01.01.2031"
    assert (values["surname"], values["given_names"], values["sex"]) == ("BERIDZE", "DAVIT", "M")
    for name in ("document_number", "birth_date", "expiry_date"):
        assert reading.fields[name].confidence >= CHECKED_CONFIDENCE


def test_a_wrong_check_digit_makes_its_field_doubtful() -> None:
    line1, line2 = icao9303.compose_td3(HOLDER)
    wrong = str((int(line2[19]) + 1) % 10)
    reading = read_mrz(_card((line1, line2[:19] + wrong + line2[20:])))
    assert reading is not None and not reading.valid
    assert reading.fields["birth_date"].confidence <= FAILED_CONFIDENCE
    # its own check holds, but in a zone where another fails (a line may sit off by a character): not vouched for
    assert FAILED_CONFIDENCE < reading.fields["document_number"].confidence < CHECKED_CONFIDENCE


def test_a_page_without_a_zone_gives_none() -> None:
    assert read_mrz(_card(("NO ZONE HERE",))) is None


@pytest.mark.parametrize("seed", [5, 8, 11])
def test_generated_documents_read_their_checked_fields(seed: int) -> None:
    page = generate("id_document", seed)
    reading = read_mrz(np.asarray(page.image.convert("L")))
    assert reading is not None and reading.valid
    truth = page.truth["fields"]
    assert reading.fields["document_number"].value == truth["document_number"]
    for name in ("birth_date", "expiry_date"):
        assert [c for c in reading.fields[name].value if c.isdigit()] == [c for c in truth[name] if c.isdigit()]


@pytest.mark.parametrize("layout", ["td1-copy", "td3-copy", "td3-passport", "td1-card"])
@pytest.mark.parametrize("turned", [False, True])
def test_the_zone_is_found_and_read_either_way_up(layout: str, turned: bool) -> None:
    """A scanned card or its A4 copy, upright or upside down: the band is found, read, and says which way up."""
    page = generate("id_document", 3, variant=layout, degrade="scan")
    gray = np.asarray(page.image.convert("L"))
    if turned:
        gray = np.ascontiguousarray(np.rot90(gray, 2))
    reading = read_mrz(gray)
    assert reading is not None and reading.valid
    assert reading.upside_down is turned
    assert reading.fields["document_number"].value == page.truth["fields"]["document_number"]


def test_bands_cover_the_zone_and_little_else() -> None:
    page = generate("id_document", 3, variant="td3-copy")
    gray = np.asarray(page.image.convert("L"))
    lines = [page.truth["regions"][f"mrz_line{i}"]["box"] for i in (1, 2)]
    bands = find_bands(gray)
    assert bands
    band = bands[0]
    assert band.left <= min(box[0] for box in lines) and band.top <= min(box[1] for box in lines)
    assert band.bottom >= max(box[3] for box in lines)
    assert (band.bottom - band.top) * (band.right - band.left) < 0.06 * gray.size  # a line and a half more each way
    assert band.upright_first


def test_a_page_of_plain_text_has_no_band() -> None:
    image = Image.new("L", (2480, 3508), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(mrz_font_path()), 40)
    for i in range(8):
        draw.text((200, 300 + 200 * i), "SHORT LINE", font=font, fill=0)
    assert find_bands(np.asarray(image)) == []
    assert read_mrz(np.asarray(image)) is None


def _parsed(lines: tuple[str, ...]) -> Parse:
    return Parse(icao9303.parse(lines))


def test_a_check_blind_document_number_is_vouched_for_only_when_a_second_reading_agrees() -> None:
    """'00FG43444' read '00F643444' holds its check digit: one reading of it is not enough."""
    holder = icao9303.Holder("P", "D", "00F643444", "D", "850312", "M", "310101", "MUELLER", "ANNA")
    once = _reading(_parsed(icao9303.compose_td3(holder)), False, [])
    assert once.valid and once.fields["document_number"].confidence < CHECKED_CONFIDENCE
    assert once.fields["birth_date"].confidence >= CHECKED_CONFIDENCE  # digits only where only digits stand
    zone = icao9303.parse(icao9303.compose_td3(holder))
    twice = _reading(Parse(zone), False, [zone])
    assert twice.fields["document_number"].confidence >= CHECKED_CONFIDENCE
    plain = icao9303.Holder("P", "D", "C5PTJ2ZAY", "D", "850312", "M", "310101", "MUELLER", "ANNA")
    assert _reading(_parsed(icao9303.compose_td3(plain)), False, []).fields["document_number"].confidence \
        >= CHECKED_CONFIDENCE


def test_a_date_that_is_no_date_gets_no_confidence_from_its_check_digit() -> None:
    """A card's second line read a character off ('70047F' for '720404'), its check digit holding by chance."""
    line1, line2, line3 = icao9303.compose_td1(HOLDER)
    date = "70047F"
    line2 = date + icao9303.check_digit(date) + line2[7:]
    line2 = line2[:29] + icao9303.check_digit(line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29])
    reading = _reading(_parsed((line1, line2, line3)), False, [])
    assert reading.valid
    assert reading.fields["birth_date"].confidence <= FAILED_CONFIDENCE


def test_a_field_a_rival_valid_reading_disputes_is_not_vouched_for() -> None:
    """Stray characters can be cut many ways, and some cut may make every check hold by chance: a field that
    another valid reading, nearly as likely, gives otherwise keeps no check-digit confidence."""
    zone = icao9303.parse(icao9303.compose_td3(HOLDER))
    reading = _reading(Parse(zone, frozenset({"document_number", "sex"})), False, [zone])
    assert reading.fields["document_number"].confidence < CHECKED_CONFIDENCE
    assert reading.fields["sex"].confidence < AGREED_CONFIDENCE
    assert reading.fields["birth_date"].confidence >= CHECKED_CONFIDENCE


def test_an_issuing_state_no_state_has_is_not_vouched_for_nor_the_code_before_it() -> None:
    """'I<RUS' read 'IRUS' shifts line 1 by a character: the type reads 'IR' and the state 'USI'; the line's
    check digits do not cover either, so only the list of state codes tells."""
    shifted = icao9303.Holder("IR", "USI", "15AB34567", "RUS", "850312", "M", "310101", "IVANOVA", "OLGA")
    zone = icao9303.parse(icao9303.compose_td1(shifted))
    reading = _reading(Parse(zone), False, [zone])
    assert reading.valid
    assert reading.fields["issuing_state"].confidence < AGREED_CONFIDENCE
    assert reading.fields["document_type"].confidence < AGREED_CONFIDENCE
    assert reading.fields["nationality_code"].confidence == AGREED_CONFIDENCE  # RUS is a state
    right = icao9303.parse(icao9303.compose_td1(icao9303.Holder("I", "RUS", "15AB34567", "RUS", "850312", "M",
                                                                "310101", "IVANOVA", "OLGA")))
    assert _reading(Parse(right), False, [right]).fields["issuing_state"].confidence == AGREED_CONFIDENCE


@pytest.mark.parametrize("code", ["GEO", "RUS", "TUR", "D", "XXA", "UNO", "GBD"])
def test_states_and_doc_9303_codes_are_known(code: str) -> None:
    assert icao9303.known_state(code)


@pytest.mark.parametrize("code", ["USI", "GGO", "DE", "", "R<S"])
def test_codes_no_state_has_are_unknown(code: str) -> None:
    assert not icao9303.known_state(code)


def test_a_line_read_whole_with_every_check_holding_has_no_rival() -> None:
    parse = _best_parse("TD3", list(icao9303.compose_td3(HOLDER)))
    assert parse is not None and parse.mrz.valid and parse.disputed == frozenset()


def test_names_with_a_k_keep_it_and_fillers_read_as_k_are_dropped() -> None:
    holder = icao9303.Holder("P", "TUR", "U12345678", "TUR", "850312", "M", "310101", "CELIK", "ERK")
    reading = read_mrz(_card(icao9303.compose_td3(holder)))
    assert reading is not None and reading.valid
    assert (reading.fields["surname"].value, reading.fields["given_names"].value) == ("CELIK", "ERK")


def test_fields_read_with_high_confidence_on_generated_pages_are_right() -> None:
    """What the calibration could accept (check digits, or two readings agreeing) equals the truth's MRZ, on a
    scanned page of each layout; a zone read badly says so instead (at least half the fields are sure)."""
    sure: dict[tuple[str, str], tuple[str, str]] = {}
    for layout in ("td3-passport", "td1-card", "td3-copy", "td1-copy"):
        page = generate("id_document", 5, variant=layout, degrade="scan")
        reading = read_mrz(np.asarray(page.image.convert("L")))
        assert reading is not None
        truth = icao9303.parse(page.truth["mrz"]["lines"]).holder
        expected = {"document_type": truth.document_code, "issuing_state": truth.issuing_state,
                    "document_number": truth.document_number, "surname": truth.surname,
                    "given_names": truth.given_names, "nationality_code": truth.nationality, "sex": truth.sex,
                    "birth_date": truth.birth_date, "expiry_date": truth.expiry_date}
        for name, field in reading.fields.items():
            if field.confidence >= AGREED_CONFIDENCE:
                want = expected[name]
                if name.endswith("_date"):  # DD.MM.YYYY against YYMMDD
                    want = f"{want[4:6]}.{want[2:4]}.{field.value[-4:-2]}{want[:2]}"
                sure[(layout, name)] = (field.value, want)
    assert len(sure) >= 18
    assert {key: value for key, (value, want) in sure.items() if value != want} == {}


def test_a_k_has_a_stem_and_a_filler_has_none() -> None:
    """The zone's pitch puts each character in its cell: 'LEVAN<' and 'LEVANK' differ in the sixth cell."""
    font = ImageFont.truetype(str(mrz_font_path()), 40)
    pitch = font.getlength("<")
    for text, stem in (("LEVANK<<", True), ("LEVAN<<<", False)):
        image = Image.new("L", (400, 80), 255)
        ImageDraw.Draw(image).text((10, 10), text, font=font, fill=0)
        ink = (np.asarray(image) < 128).astype(np.uint8)
        rows, columns = np.nonzero(ink)
        box = (int(columns.min()), int(rows.min()), int(columns.max()) + 1, int(rows.max()) + 1)
        assert _has_stem(ink, box, pitch, 5) is stem
        assert _has_stem(ink, box, pitch, 0)  # the L
