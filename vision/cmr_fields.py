"""The customs fields of an upright CMR page, read zone by zone.

Each field's box is found in the page's ruling (`vision.form_cells`), so publishers' layouts that
move the boxes still read; a page whose ruling cannot be followed falls back to the classic IRU
geometry of `vision.cmr_layout`. The label band is cut off, and only the content is read, by the
engine the field is configured for. The parties' addresses are read per script (`vision.scripts`): a
first pass with one language per script says which script the zone is in, and only that script's
languages read it again. Zones are read in threads: each OCR call is its own process
(Tesseract) or releases the GIL (onnxruntime), so threads use both cores.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import cv2
import numpy as np

from vision.cmr_layout import FIELD_AREAS, PAGE_WIDTH_MM
from vision.form_cells import Cell, content_top, find_cells, locate_cmr_boxes
from vision.ocr import Layout, OcrEngine, OcrText, engine_for
from vision.plates import correct_plate
from vision.scripts import (
    SCRIPT_LANGS,
    dominant_script,
    first_pass_langs,
    letter_counts,
    page_scripts,
    repair_lookalikes,
    second_pass_langs,
)

ZONE_MARGIN_MM = 0.8
"""Kept away from the box's ruled lines, which OCR would read as '|' or 'l'."""

UNFAMILIAR_PLATE_CONFIDENCE = 0.5
"""Ceiling for a plate that fits no known country shape: the driver should look at it."""


@dataclass(frozen=True)
class FieldReading:
    value: str
    confidence: float


SURE_FIRST_PASS = 0.9
FIRST_PASS_SCALE = 0.6
"""The script-finding pass reads the zone at ~180 dpi: letters stay legible, Tesseract works on 0.36 of the pixels."""
"""A first pass this sure of every word, in one script, needs no second read (mostly plain ASCII)."""


def _label_words(name: str) -> re.Pattern[str]:
    """The first word of each language's label ('Sender', 'Отправитель', 'გამგზავნი'), to drop a label line OCR kept."""
    words = (part.split()[0] for part in FIELD_AREAS[name].label_parts if part)
    return re.compile("|".join(re.escape(word) for word in words), re.IGNORECASE)


def _address(text: OcrText, label: re.Pattern[str] | None = None) -> FieldReading:
    """Lines joined with ', '; leading lines that are the box's printed label (a label band the cut missed) dropped."""
    kept = list(text.lines)
    while label is not None and kept and label.search(kept[0].text):
        kept.pop(0)
    lines = (re.sub(r"\s+", " ", line.text).strip(" ,") for line in kept)
    confidence = min((word.confidence for line in kept for word in line.words), default=0.0)
    return FieldReading(", ".join(line for line in lines if line), confidence)


def read_address(zone: np.ndarray, engine: OcrEngine, langs: str, label: re.Pattern[str] | None = None
                 ) -> FieldReading:
    """A party's name and address, read with the languages of its own script only.

    When the page's languages span one script, one read with them. Else a first pass with one language
    per script finds the zone's script, and the zone is read again with that script's languages
    (`vision.scripts.second_pass_langs`), unless the first pass was sure of every word, saw one script
    only and no better language set is known (a Latin address naming its country gets that country's).
    """
    scripts = page_scripts(langs)
    if len(scripts) == 1:
        return _address(engine.read(zone, langs=langs, layout="block"), label)
    first_langs = first_pass_langs(scripts)
    small = cv2.resize(zone, None, fx=FIRST_PASS_SCALE, fy=FIRST_PASS_SCALE, interpolation=cv2.INTER_AREA)
    first = engine.read(small, langs=first_langs, layout="block")
    script = dominant_script(first.text)
    if script is None:
        return _address(first, label)
    text = first
    again = second_pass_langs(script, first.text)
    sure = len(letter_counts(first.text)) == 1 and first.confidence >= SURE_FIRST_PASS
    if not sure or again != SCRIPT_LANGS[script]:
        text = engine_for(again, engine.name).read(zone, langs=again, layout="block")
    reading = _address(text, label)
    return FieldReading(repair_lookalikes(reading.value, script), reading.confidence)


def _plate(text: OcrText) -> FieldReading:
    """The truck's plate: the first of 'truck / trailer' when both are written."""
    written = " ".join(line.text for line in text.lines).split("/")[0]
    plate, familiar = correct_plate(written)
    confidence = text.confidence if familiar else min(text.confidence, UNFAMILIAR_PLATE_CONFIDENCE)
    return FieldReading(plate, confidence)


def _weight(text: OcrText) -> FieldReading:
    """'14 213 kg' -> '14213': the first number on the line, thousands separators dropped.

    Only the number's words count for the confidence; the printed unit is not part of the value.
    """
    match = re.search(r"\d[\d\s.,]*", " ".join(line.text for line in text.lines))
    if not match:
        return FieldReading("", 0.0)
    number_words = [word.confidence for word in text.words if re.fullmatch(r"[\d.,]+", word.text)]
    return FieldReading(re.sub(r"\D", "", match.group()), min(number_words, default=0.0))


ADDRESS_FIELDS = ("sender", "consignee")
"""Read per script by `read_address`, not by one call with FIELD_READERS' languages."""

FIELD_READERS: dict[str, tuple[Layout, str | None, Callable[[OcrText], FieldReading]]] = {
    # field: (how its zone is laid out, its own languages (None: the page's), how to turn its text into the field)
    "sender": ("block", None, _address),
    "consignee": ("block", None, _address),
    "vehicle_plate": ("line", "eng", _plate),  # Latin letters and digits (Russian plates use Latin look-alikes)
    "gross_weight_kg": ("block", "eng", _weight),
}


def _fixed_zone(page: np.ndarray, name: str) -> np.ndarray:
    height, width = page.shape
    left, top, right, bottom = FIELD_AREAS[name].content_rect.inset(ZONE_MARGIN_MM).to_pixels(width, height)
    return page[top:bottom, left:right]


def _cell_zone(page: np.ndarray, cell: Cell, px_per_mm: float) -> np.ndarray:
    margin = round(ZONE_MARGIN_MM * px_per_mm)
    crop = page[cell.top + margin : cell.bottom - margin, cell.left + margin : cell.right - margin]
    return crop[content_top(crop, px_per_mm) :]


def _clean(zone: np.ndarray) -> np.ndarray:
    """Even out light across the zone and smooth sensor noise, so OCR's own binarisation holds."""
    if zone.size == 0:
        return zone
    background = cv2.morphologyEx(zone, cv2.MORPH_CLOSE, np.ones((15, 15), np.uint8))
    flat = cv2.divide(zone, background, scale=255)
    return cv2.medianBlur(flat, 3)


def zones(page: np.ndarray, cells: Mapping[str, Cell] | None = None) -> dict[str, np.ndarray]:
    """Each field's content area: from the ruling when it can be followed, else the classic geometry.

    `cells` are the boxes `locate_cmr_boxes` found, when the caller has looked already.
    """
    px_per_mm = page.shape[1] / PAGE_WIDTH_MM
    if cells is None:
        cells = locate_cmr_boxes(find_cells(page))
    return {
        name: _cell_zone(page, cells[name], px_per_mm) if name in cells else _fixed_zone(page, name)
        for name in FIELD_READERS
    }


def read_fields(
    page: np.ndarray,
    *,
    langs: str = "eng",
    engines: Mapping[str, str] | None = None,
    cells: Mapping[str, Cell] | None = None,
) -> dict[str, FieldReading]:
    """The four customs fields of an upright CMR; `engines` maps a field to its preferred OCR engine."""
    areas = zones(page, cells)
    chosen = engines or {}

    def read(name: str) -> tuple[str, FieldReading]:
        layout, own_langs, interpret = FIELD_READERS[name]
        zone = _clean(areas[name])
        if zone.size == 0 or min(zone.shape) < 8:
            return name, FieldReading("", 0.0)
        field_langs = own_langs or langs
        engine = engine_for(field_langs, chosen.get(name, "tesseract"))
        if name in ADDRESS_FIELDS:
            reading = read_address(zone, engine, field_langs, _label_words(name))
        else:
            reading = interpret(engine.read(zone, langs=field_langs, layout=layout))
        return name, reading if reading.value else FieldReading("", 0.0)

    with ThreadPoolExecutor(max_workers=len(FIELD_READERS), thread_name_prefix="ocr-zone") as pool:
        return dict(pool.map(read, FIELD_READERS))
