"""Which kind of document a page is: the `edge_models` classifier where a bundle is active, else rules.

The classifier (a small int8 CNN on a 96x96 thumbnail, ~10 ms) decides when it is at least
`MODEL_MIN_CONFIDENCE` sure; then no title is read at all. Otherwise, or with no bundle, the rules,
in order, cheapest first:
1. a CMR's ruling (`vision.form_cells.locate_cmr_boxes` finds its boxes) and its title block
   saying so -> `cmr` (certificates and packing lists have ruled boxes too);
2. the title: the top of the page is read and the first kind whose keywords appear wins; packing
   lists and certificates before invoices, since both mention the invoice they belong to;
3. otherwise `other`.
The pipeline then looks for a machine readable zone on `id_document` and `other` pages: one found
makes the page an `id_document` (`vision.mrz`).
"""

from __future__ import annotations

import functools
import logging
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import cv2
import numpy as np

from vision.form_cells import Cell
from vision.ocr import get_engine

if TYPE_CHECKING:
    from edge_models.bundle import LoadedModel
    from edge_models.registry import Registry

LOG = logging.getLogger(__name__)

KINDS = ("cmr", "invoice", "certificate_of_origin", "packing_list", "id_document", "other")
HEADER_SHARE = 0.3
"""The top of the page searched for a title."""
HEADER_WIDTH_PX = 1700
"""Title areas are read as if the page were this wide: about 200 dpi for A4."""

TITLE_LANGS = "eng+rus"
"""Titles are printed in English and Russian (Georgian beside them); more languages only add confusions."""

MODEL_MIN_CONFIDENCE = 0.9
"""Below this the classifier's answer is not taken and the rules decide."""

KEYWORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("cmr", re.compile(r"\b[CС][MМ][RР]\b|CONSIGNMENT\s+NOTE|ТРАНСПОРТНАЯ\s+НАКЛАДНАЯ", re.IGNORECASE)),
    ("packing_list", re.compile(r"PACKING\s+LIST|УПАКОВОЧНЫЙ\s+ЛИСТ|PACKLISTE|LISTE\s+DE\s+COLISAGE", re.IGNORECASE)),
    (
        "certificate_of_origin",
        re.compile(r"CERTIFICATE\s+OF\s+ORIGIN|EUR\.?\s?1|MOVEMENT\s+CERTIFICATE|CERTIFICATE\s+USED\s+IN\s+PREFERENTIAL"
                   r"|СЕРТИФИКАТ\s+ПРОИСХОЖДЕНИЯ", re.IGNORECASE),
    ),
    ("id_document", re.compile(r"PASSPORT|ПАСПОРТ|IDENTITY\s+CARD|PASSEPORT|REISEPASS", re.IGNORECASE)),
    ("invoice", re.compile(r"INVOICE|RECHNUNG|FACTURE|СЧ[ЕЁ]Т|ИНВОЙС|ინვოისი|ანგარიშ", re.IGNORECASE)),
)


@dataclass(frozen=True)
class DocType:
    kind: str
    rule: str
    """Which rule decided: `model:<version>:<confidence>`, `ruling+title:<word>`, `keyword:<word>`, `mrz` or `none`."""
    elapsed_ms: float

    @property
    def by_model(self) -> bool:
        return self.rule.startswith("model:")


def read_text(area: np.ndarray, page_width: int, langs: str) -> str:
    """The text of a title area, read at about 200 dpi: titles are large, and smaller is faster."""
    scale = min(1.0, HEADER_WIDTH_PX / page_width)
    if scale < 1:
        area = cv2.resize(area, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return get_engine("tesseract").read(area, langs=langs, layout="page").text


def keyword_kind(text: str) -> tuple[str, str] | None:
    """(kind, the words that matched) for the first kind whose keywords appear in `text`."""
    for kind, pattern in KEYWORDS:
        match = pattern.search(text)
        if match:
            return kind, match.group()
    return None


@functools.cache
def _registry(models_dir: Path | None) -> Registry:
    from edge_models.registry import FACTORY_DIR, Registry

    return Registry(models_dir or FACTORY_DIR)


def active_classifier(models_dir: Path | None = None) -> LoadedModel | None:
    """The active `doc_classifier` bundle (`models_dir`, then the factory bundles), asked for on every page.

    The registry is opened once per process and loads a model once, but it follows the persisted
    state: a `model.activate` the core applies for central is served from the next page on.
    None when there is none or it cannot load (logged): the rules then decide alone.
    """
    from edge_models.bundle import BundleError
    from edge_models.doc_classifier import MODEL_NAME
    from edge_models.registry import RegistryError

    try:
        return _registry(models_dir).active(MODEL_NAME)
    except (RegistryError, BundleError, OSError) as exc:
        LOG.info("no document classifier, rules decide: %s", exc)
        return None


def classify(page: np.ndarray, cmr_boxes: dict[str, Cell], *, langs: str = TITLE_LANGS,
             model: LoadedModel | None = None) -> DocType:
    """The kind of an upright page, given the CMR boxes the layout stage found on it.

    `model` is the classifier (`active_classifier`); without it, or when it is unsure, the rules decide.
    A page this calls `id_document` or `other` is then searched for an MRZ by the pipeline, which
    settles `id_document`.
    """
    started = time.perf_counter()

    def done(kind: str, rule: str) -> DocType:
        return DocType(kind, rule, round((time.perf_counter() - started) * 1000, 1))

    if model is not None:
        from edge_models.doc_classifier import classify as model_classify

        guess = model_classify(page, model)
        if guess.confidence >= MODEL_MIN_CONFIDENCE and guess.label in KINDS:
            return done(guess.label, f"model:{model.version}:{guess.confidence:.3f}")

    if "title" in cmr_boxes and len(cmr_boxes) >= 4:
        title = cmr_boxes["title"]
        title_area = page[title.top : title.bottom, title.left : title.right]
        found = keyword_kind(read_text(title_area, page.shape[1], langs))
        if found is not None and found[0] == "cmr":
            return done("cmr", f"ruling+title:{found[1]}")
    header = page[: max(1, int(page.shape[0] * HEADER_SHARE))]
    found = keyword_kind(read_text(header, page.shape[1], langs))
    if found:
        return done(found[0], f"keyword:{found[1]}")
    return done("other", "none")
