"""The page pipeline: quality gate -> straighten -> codes -> document kind -> fields -> acceptance.

Every stage is a function with a typed result (`vision.quality`, `vision.straighten`,
`vision.barcodes`, `vision.doc_type`, `vision.cmr_fields`, `vision.mrz`) and its own timing in
`timings_ms`. `read_page` is what `cez-kiosk vision read` prints; `read_cmr` is the core's
scanner path (a page known to be a CMR), kept to its original result shape.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

import cv2
import numpy as np
from PIL import Image

from vision.barcodes import Code, read_codes
from vision.calibration import Thresholds, load_thresholds
from vision.cmr_fields import CUSTOMS_FIELDS, FieldReading, read_fields
from vision.doc_type import DocType, active_classifier, classify
from vision.form_cells import find_cells, locate_cmr_boxes
from vision.images import MAX_PIXELS as MAX_PIXELS  # re-exported: callers know the pipeline's limits
from vision.images import UnreadableImage as UnreadableImage
from vision.images import load_gray
from vision.mrz import MrzReading, read_mrz
from vision.quality import Quality, assess
from vision.straighten import Straightened, straighten

__all__ = ["MAX_PIXELS", "FieldReading", "PageReading", "PageResult", "Settings", "UnreadableImage", "read_cmr",
           "read_page"]

UNTRUSTED_QUALITY = frozenset({"too_dark", "too_bright", "blurred"})
"""On a page failing these checks no field is accepted without the driver, whatever OCR says."""

T = TypeVar("T")


def _timed(timings: dict[str, float], stage: str, run: Callable[[], T]) -> T:
    started = time.perf_counter()
    result = run()
    timings[stage] = round((time.perf_counter() - started) * 1000, 1)
    return result


@dataclass(frozen=True)
class Settings:
    langs: str = "eng"
    engines: Mapping[str, str] = field(default_factory=dict)
    """Field name -> preferred OCR engine (`vision.ocr.engine_names`); Tesseract when absent."""
    thresholds: Thresholds = field(default_factory=Thresholds)
    find_page: bool = True
    """Look for a page inside a larger frame (a camera); harmless on a scan, where the page is the frame."""
    code_retries: bool = False
    """When the page pass finds no code: full resolution, then other binarisers (~0.8 s more a page at 300 dpi)."""
    classifier: bool = True
    """Let the `edge_models` document classifier name the kind when a bundle is active (else rules only)."""
    models_dir: Path | None = None
    """The model registry's folder (`cez-kiosk models`); None: the bundles shipped with the code."""

    @classmethod
    def with_calibration(cls, path: Path | None = None, **kwargs: Any) -> Settings:
        return cls(thresholds=load_thresholds(path), **kwargs)


@dataclass
class PageReading:
    """One page's result: the contract of `cez-kiosk vision read --json`."""

    doc_type: DocType
    quality: Quality
    straightened: Straightened
    codes: list[Code]
    fields: dict[str, FieldReading]
    accepted: dict[str, bool]
    timings_ms: dict[str, float]

    def to_dict(self, file: str = "", page: int = 1) -> dict[str, Any]:
        return {
            "file": file,
            "page": page,
            "doc_type": self.doc_type.kind,
            "doc_type_rule": self.doc_type.rule,
            "quality": self.quality.to_dict(),
            "straightened": self.straightened.to_dict(),
            "codes": [code.to_dict() for code in self.codes],
            "fields": {
                name: {
                    "value": reading.value,
                    "confidence": round(reading.confidence, 3),
                    "accepted": self.accepted[name],
                }
                for name, reading in self.fields.items()
            },
            "timings_ms": self.timings_ms,
        }


def _find_mrz(page: np.ndarray, upright: Straightened) -> tuple[MrzReading | None, np.ndarray, Straightened]:
    """The MRZ, and the page turned over when the zone read only that way (capitals and a patterned
    background give straightening's ascender rule little to go on; the zone's check digits are the judge)."""
    found = read_mrz(page)
    if found is None or not found.upside_down:
        return found, page, upright
    turned = cv2.rotate(page, cv2.ROTATE_180)
    return found, turned, replace(upright, image=turned, rotation=(upright.rotation + 180) % 360)


def read_page(gray: np.ndarray, settings: Settings | None = None) -> PageReading:
    """Every stage on one decoded grayscale page (from `vision.pages`)."""
    settings = settings or Settings()
    timings: dict[str, float] = {}
    started = time.perf_counter()
    quality = _timed(timings, "quality", lambda: assess(gray))
    upright = _timed(timings, "straighten", lambda: straighten(gray, find_the_page=settings.find_page))
    page = upright.image
    codes = _timed(timings, "codes", lambda: read_codes(page, retries=settings.code_retries))
    cmr_boxes = _timed(timings, "layout", lambda: locate_cmr_boxes(find_cells(page)))
    model = active_classifier(settings.models_dir) if settings.classifier else None
    doc = _timed(timings, "doc_type", lambda: classify(page, cmr_boxes, model=model))
    mrz = None
    if doc.kind == "id_document" or (doc.kind == "other" and not doc.by_model):
        # a page the classifier is sure is `other` is no ID document: the whole-page MRZ search (~1-2 s) is spared
        mrz, page, upright = _timed(timings, "mrz", lambda: _find_mrz(page, upright))
        if mrz is not None:
            doc = replace(doc, kind="id_document", rule="mrz" if doc.kind == "other" else f"{doc.rule}+mrz")
    fields: dict[str, FieldReading] = {}
    if doc.kind == "cmr":
        fields = _timed(timings, "fields", lambda: read_fields(
            page, langs=settings.langs, engines=settings.engines, cells=cmr_boxes))
    elif mrz is not None:
        fields = mrz.fields
    else:
        from vision.trade_fields import TRADE_KINDS, read_trade_fields  # invoices, certificates, packing lists
        if doc.kind in TRADE_KINDS:
            fields = _timed(timings, "fields", lambda: read_trade_fields(doc.kind, page, langs=settings.langs))
    trusted = quality.problem not in UNTRUSTED_QUALITY
    accepted = {
        name: trusted and bool(reading.value) and settings.thresholds.accepts(name, reading.confidence, doc.kind)
        for name, reading in fields.items()
    }
    timings["total"] = round((time.perf_counter() - started) * 1000, 1)
    return PageReading(doc, quality, upright, codes, fields, accepted, timings)


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


def read_cmr(image: bytes | np.ndarray | Image.Image, *, langs: str = "eng") -> PageResult:
    """Read the four customs fields of a scanned CMR page (straightened first)."""
    timings: dict[str, float] = {}
    page = _timed(timings, "decode", lambda: load_gray(image))
    upright = _timed(timings, "straighten", lambda: straighten(page, find_the_page=False))
    fields = _timed(timings, "ocr", lambda: read_fields(upright.image, langs=langs, names=CUSTOMS_FIELDS))
    return PageResult("cmr", fields, timings)
