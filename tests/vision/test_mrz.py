"""Reading machine readable zones with real Tesseract: generated passports and cards, and zones drawn here."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from vision import icao9303
from vision.mrz import CHECKED_CONFIDENCE, FAILED_CONFIDENCE, find_bands, read_mrz
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
    assert reading.fields["document_number"].confidence >= CHECKED_CONFIDENCE


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
    assert (band.bottom - band.top) * (band.right - band.left) < 0.05 * gray.size
    assert band.upright_first


def test_a_page_of_plain_text_has_no_band() -> None:
    image = Image.new("L", (2480, 3508), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(mrz_font_path()), 40)
    for i in range(8):
        draw.text((200, 300 + 200 * i), "SHORT LINE", font=font, fill=0)
    assert find_bands(np.asarray(image)) == []
    assert read_mrz(np.asarray(image)) is None
