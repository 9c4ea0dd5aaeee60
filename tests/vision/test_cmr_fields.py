"""CMR parties read per script with real Tesseract on generated pages (Cyrillic, Azerbaijani, French, German,
Turkish, Georgian, and Polish, Lithuanian, Romanian with their own packs), where one six-language call mixed
look-alikes and dropped letters."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from vision.calibration import load_thresholds
from vision.cmr_fields import (
    CUSTOMS_FIELDS,
    FIELD_NAMES,
    FIELD_SPECS,
    FieldReading,
    cross_checked,
    read_fields,
    truth_value,
)
from vision.cmr_values import UNCHECKED_CAP
from vision.form_cells import find_cells, locate_cmr_boxes
from vision.pipeline import read_cmr
from vision.plates import fits_a_shape
from vision.straighten import straighten
from vision.synth.generator import generate

PAGE_LANGS = "kat+rus+eng+tur+aze+deu+fra+pol+lit+ron"


@pytest.mark.parametrize("seed", [1, 2, 4])
def test_parties_in_every_script_read_exactly(seed: int) -> None:
    page = generate("cmr", seed, degrade="scan")
    upright = straighten(np.asarray(page.image.convert("L")), find_the_page=False).image
    fields = read_fields(upright, langs=PAGE_LANGS, cells=locate_cmr_boxes(find_cells(upright)))
    for name in ("sender", "consignee"):
        assert fields[name].value == page.truth["fields"][name]
        assert 0 < fields[name].confidence <= 1


@pytest.mark.parametrize("seed", [54, 16, 150])  # a Lithuanian sender and carrier; a Polish carrier; a Romanian sender
def test_an_address_with_letters_of_its_country_s_own_pack_reads_exactly_and_is_not_capped(seed: int) -> None:
    page = generate("cmr", seed, degrade="scan")
    upright = straighten(np.asarray(page.image.convert("L")), find_the_page=False).image
    fields = read_fields(upright, langs=PAGE_LANGS, cells=locate_cmr_boxes(find_cells(upright)),
                         names=("sender", "carrier"))
    for name, reading in fields.items():
        assert reading.value == truth_value(page.truth, name)
        assert reading.confidence > UNCHECKED_CAP, name


def test_without_the_country_s_pack_such_an_address_stays_capped() -> None:
    page = generate("cmr", 54, degrade="scan")
    upright = straighten(np.asarray(page.image.convert("L")), find_the_page=False).image
    fields = read_fields(upright, langs="kat+rus+eng+tur+aze+deu+fra", cells=locate_cmr_boxes(find_cells(upright)),
                         names=("sender",))
    assert fields["sender"].confidence <= UNCHECKED_CAP


def _regions_centre(page_truth: dict[str, Any], key: str) -> tuple[float, float]:
    left, top, right, bottom = page_truth["regions"][key]["box"]
    return (left + right) / 2, (top + bottom) / 2


@pytest.mark.parametrize("layout", ["iru-classic", "iru-compact", "iru-ruled"])
def test_every_field_s_box_is_found_in_the_ruling_of_each_layout(layout: str) -> None:
    page = generate("cmr", 11, variant=layout)
    gray = np.asarray(page.image.convert("L"))
    cells = locate_cmr_boxes(find_cells(gray))
    printed = {"vehicle_plate": "vehicle_reg", "gross_weight_kg": "gross_weight", "cmr_number": "cmr_number"}
    for name in FIELD_NAMES:
        cell = cells["title" if name == "cmr_number" else name]
        x, y = _regions_centre(page.truth, printed.get(name, name))
        assert cell.left <= x <= cell.right and cell.top <= y <= cell.bottom, name


def test_a_blank_page_gives_every_field_empty_and_unsure() -> None:
    fields = read_fields(np.full((3508, 2480), 255, np.uint8), langs=PAGE_LANGS)
    assert set(fields) == set(FIELD_NAMES)
    assert all(reading == FieldReading("", 0.0) for reading in fields.values())


def test_the_truth_of_a_field_is_its_box_as_printed_and_none_when_not_printed() -> None:
    truth = {"fields": {"sender": "A, B"}, "boxes": {"goods": "Fish; frozen, Wine", "packages": "",
                                                     "marks": "GE-1"}}
    assert truth_value(truth, "sender") == "A, B"
    assert truth_value(truth, "goods") == "Fish; frozen, Wine"
    assert truth_value(truth, "packages") is None  # not printed on this page
    assert truth_value(truth, "marks") is None  # a box the reader does not read


NEW_FIELDS = ("cmr_number", "carrier", "place_of_delivery", "taking_over", "packages", "goods", "statistical_number")


@pytest.mark.parametrize("seed", [3, 8])
def test_the_declaration_s_other_boxes_read_as_printed_and_what_is_accepted_is_right(seed: int) -> None:
    page = generate("cmr", seed, degrade="scan")
    upright = straighten(np.asarray(page.image.convert("L")), find_the_page=False).image
    fields = read_fields(upright, langs=PAGE_LANGS, cells=locate_cmr_boxes(find_cells(upright)))
    assert {name: fields[name].value for name in NEW_FIELDS} == {
        name: truth_value(page.truth, name) for name in NEW_FIELDS}
    thresholds = load_thresholds()
    for name, reading in fields.items():
        if thresholds.accepts(name, reading.confidence):
            assert reading.value == truth_value(page.truth, name), name


def test_read_cmr_keeps_the_four_contract_fields() -> None:
    result = read_cmr(generate("cmr", 3).png_bytes(), langs="eng")
    assert set(result.fields) == set(CUSTOMS_FIELDS) == {"sender", "consignee", "vehicle_plate", "gross_weight_kg"}


def test_an_unknown_field_name_is_refused_before_reading() -> None:
    with pytest.raises(ValueError, match="no CMR field named seal_number"):
        read_fields(np.full((100, 100), 255, np.uint8), names=("sender", "seal_number"))


def test_views_of_a_lone_number_vote_and_a_disagreement_is_not_trusted() -> None:
    from vision.cmr_fields import _vote

    agreed = _vote([FieldReading("23", 0.97), FieldReading("", 0.0), FieldReading("23", 0.82)])
    assert agreed == FieldReading("23", 0.97)
    split = _vote([FieldReading("23", 0.97), FieldReading("20", 0.72), FieldReading("23", 0.82)])
    assert split.value == "23" and split.confidence == UNCHECKED_CAP
    assert _vote([FieldReading("", 0.0), FieldReading("4", 0.3)]) == FieldReading("4", 0.3)


def _reprinted(seed: int, name: str, lines: tuple[str, ...]) -> np.ndarray:
    """A generated CMR page whose box `name` holds `lines` instead of its own content (label band kept)."""
    gray = np.asarray(generate("cmr", seed).image.convert("L"))
    cell = locate_cmr_boxes(find_cells(gray))[name]
    image = Image.fromarray(gray.copy())
    draw = ImageDraw.Draw(image)
    top = cell.top + 67  # below the two label lines (5.5 pt at 300 dpi)
    draw.rectangle((cell.left + 12, top, cell.right - 12, cell.bottom - 12), fill=255)
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 40)
    for row, text in enumerate(lines):
        draw.text((cell.left + 24, top + 8 + row * 52), text, font=font, fill=0)
    return np.asarray(image)


@pytest.mark.parametrize(("date", "capped"), [("11.07.2025", False), ("31.02.2025", True)])
def test_a_place_of_taking_over_whose_date_is_no_date_is_not_trusted(date: str, capped: bool) -> None:
    page = _reprinted(500_002, "taking_over", ("Vilnius, Lithuania,", date))
    reading = read_fields(page, langs=PAGE_LANGS, names=("taking_over",))["taking_over"]
    assert reading.value == f"Vilnius, Lithuania, {date}"
    assert (reading.confidence <= UNCHECKED_CAP) is capped


def test_an_address_whose_country_is_misspelt_is_not_trusted() -> None:
    page = _reprinted(500_003, "consignee", ("Caucasus Wine Export Ltd", "0108 Tbilisi, Georgla"))
    reading = read_fields(page, langs=PAGE_LANGS, names=("consignee",))["consignee"]
    assert reading.value == "Caucasus Wine Export Ltd, 0108 Tbilisi, Georgla"
    assert reading.confidence <= UNCHECKED_CAP


def test_the_plate_is_read_by_rapidocr_which_reads_plates_tesseract_misreads() -> None:
    page = generate("cmr", 500_101, degrade="scan")  # Tesseract reads its 23 GP 853 as 23 GP 653
    upright = straighten(np.asarray(page.image.convert("L")), find_the_page=False).image
    cells = locate_cmr_boxes(find_cells(upright))
    plate = read_fields(upright, langs=PAGE_LANGS, cells=cells, names=("vehicle_plate",))["vehicle_plate"]
    assert plate.value == truth_value(page.truth, "vehicle_plate")
    assert FIELD_SPECS["vehicle_plate"].engine == "rapidocr"


def test_a_plate_another_engine_read_as_another_valid_plate_is_not_trusted() -> None:
    read = FieldReading("40 Y 740", 0.988)
    assert cross_checked(read, "40 JY 740", fits_a_shape) == FieldReading("40 Y 740", UNCHECKED_CAP)
    assert cross_checked(read, "40 Y 740", fits_a_shape) == read  # both engines agree
    assert cross_checked(read, "4O-Y 74", fits_a_shape) == read  # the other reading is no plate: it tells nothing


def test_an_address_ocr_gave_back_fewer_lines_than_its_ink_holds_lost_one() -> None:
    from vision.cmr_fields import _lost_a_line
    from vision.ocr import Line, OcrText, Word

    image = Image.new("L", (900, 200), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 40)
    for row, text in enumerate(("Black Sea Agro Ltd", "45 Aghmashenebeli Ave", "6000 Batumi, Georgia")):
        draw.text((10, 8 + row * 62), text, font=font, fill=0)
    zone = np.asarray(image)
    lines = tuple(Line(text, 0.96, (10, 8 + row * 62, 500, 50 + row * 62), (Word(text, 0.96, (10, 0, 500, 40)),))
                  for row, text in enumerate(("45 Aghmashenebeli Ave", "6000 Batumi, Georgia")))
    px_per_mm = 300 / 25.4
    assert _lost_a_line(zone, OcrText("test", lines), px_per_mm)
    assert not _lost_a_line(zone, OcrText("test", (lines[0], *lines)), px_per_mm)
