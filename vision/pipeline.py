"""Read the customs fields of a scanned CMR page.

The skeleton's pipeline: decode -> grayscale -> crop each field's box from the printed form's
geometry (`vision.cmr_layout`) -> Tesseract per zone -> normalise. Zones are read in parallel
threads: each Tesseract call is its own process, so threads use both cores. The page is assumed
upright and whole (straightening is the vision issue's next stage).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PIL import Image

from vision.cmr_layout import FIELD_AREAS, Box
from vision.images import MAX_PIXELS as MAX_PIXELS  # re-exported: callers know the pipeline's limits
from vision.images import UnreadableImage as UnreadableImage
from vision.images import load_gray
from vision.ocr import ZoneText, read_zone
from vision.plates import correct_plate

ZONE_MARGIN_MM = 0.8
"""Kept away from the box's ruled lines, which Tesseract would read as '|' or 'l'."""


@dataclass(frozen=True)
class FieldReading:
    value: str
    confidence: float


@dataclass
class PageResult:
    doc_type: str
    fields: dict[str, FieldReading]
    timings_ms: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "doc_type": self.doc_type,
            "fields": {
                name: {"value": reading.value, "confidence": round(reading.confidence, 3)}
                for name, reading in self.fields.items()
            },
            "timings_ms": self.timings_ms,
        }


def _crop(page: np.ndarray, box: Box) -> np.ndarray:
    height, width = page.shape
    left, top, right, bottom = box.content_rect.inset(ZONE_MARGIN_MM).to_pixels(width, height)
    return page[top:bottom, left:right]


UNFAMILIAR_PLATE_CONFIDENCE = 0.5
"""Ceiling for a plate that fits no known country shape: the driver should look at it."""


def _address(zone: ZoneText) -> FieldReading:
    lines = (re.sub(r"\s+", " ", line).strip(" ,") for line in zone.lines)
    return FieldReading(", ".join(line for line in lines if line), zone.confidence)


def _plate(zone: ZoneText) -> FieldReading:
    plate, familiar = correct_plate(" ".join(zone.lines))
    confidence = zone.confidence if familiar else min(zone.confidence, UNFAMILIAR_PLATE_CONFIDENCE)
    return FieldReading(plate, confidence)


def _weight(zone: ZoneText) -> FieldReading:
    """'14 213 kg' -> '14213': the first number on the line, thousands separators dropped.

    Only the number's words count for the confidence; the printed unit is not part of the value.
    """
    match = re.search(r"\d[\d\s.,]*", " ".join(zone.lines))
    if not match:
        return FieldReading("", 0.0)
    number_words = [conf for word, conf in zone.words if re.fullmatch(r"[\d.,]+", word)]
    return FieldReading(re.sub(r"\D", "", match.group()), min(number_words, default=0.0))


_FIELD_READERS: dict[str, tuple[bool, Callable[[ZoneText], FieldReading]]] = {
    # field: (printed on a single line?, how to turn the zone's text into the field)
    "sender": (False, _address),
    "consignee": (False, _address),
    "vehicle_plate": (True, _plate),
    "gross_weight_kg": (True, _weight),
}


def read_cmr(image: bytes | np.ndarray | Image.Image, *, langs: str = "eng") -> PageResult:
    """Read the four customs fields of an upright CMR page."""
    started = time.perf_counter()
    page = load_gray(image)
    decoded = time.perf_counter()

    def read(name: str) -> tuple[str, FieldReading]:
        single_line, interpret = _FIELD_READERS[name]
        reading = interpret(read_zone(_crop(page, FIELD_AREAS[name]), langs=langs, single_line=single_line))
        return name, reading if reading.value else FieldReading("", 0.0)

    with ThreadPoolExecutor(max_workers=len(_FIELD_READERS), thread_name_prefix="ocr-zone") as pool:
        fields = dict(pool.map(read, _FIELD_READERS))
    finished = time.perf_counter()
    return PageResult(
        "cmr",
        fields,
        {"decode": round((decoded - started) * 1000, 1), "ocr": round((finished - decoded) * 1000, 1)},
    )
