"""The customs fields of an upright CMR page, read zone by zone.

Each field's box is found in the page's ruling (`vision.form_cells`), so publishers' layouts that
move the boxes still read; a page whose ruling cannot be followed falls back to the classic IRU
geometry of `vision.cmr_layout`. The label band is cut off, and only the content is read, by the
engine the field is configured for. Zones are read in threads: each OCR call is its own process
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
from vision.ocr import Layout, OcrText, engine_for
from vision.plates import correct_plate

ZONE_MARGIN_MM = 0.8
"""Kept away from the box's ruled lines, which OCR would read as '|' or 'l'."""

UNFAMILIAR_PLATE_CONFIDENCE = 0.5
"""Ceiling for a plate that fits no known country shape: the driver should look at it."""


@dataclass(frozen=True)
class FieldReading:
    value: str
    confidence: float


def _address(text: OcrText) -> FieldReading:
    lines = (re.sub(r"\s+", " ", line.text).strip(" ,") for line in text.lines)
    return FieldReading(", ".join(line for line in lines if line), text.confidence)


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
        reading = interpret(engine.read(zone, langs=field_langs, layout=layout))
        return name, reading if reading.value else FieldReading("", 0.0)

    with ThreadPoolExecutor(max_workers=len(FIELD_READERS), thread_name_prefix="ocr-zone") as pool:
        return dict(pool.map(read, FIELD_READERS))
