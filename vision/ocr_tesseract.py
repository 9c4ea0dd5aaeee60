"""Tesseract as an OCR engine: every installed language, words with boxes and confidences.

Words come from a warm engine per language set (`vision.tesseract_api`), not a process per call.

Tesseract's OpenMP threading makes it ~2.4x slower on a 2-core box, and the kiosk reads several
zones or pages at once anyway, so the library runs with `OMP_THREAD_LIMIT=1` (set before it loads);
parallelism comes from zone threads and page processes instead.
"""

from __future__ import annotations

import functools
import os

import numpy as np
import pytesseract

from vision.ocr import Layout, Line, OcrText, UnsupportedLanguage, Word, lang_codes
from vision.tesseract_api import recognise

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

_PSM: dict[Layout, int] = {"page": 3, "block": 6, "line": 7}


@functools.cache
def installed_languages() -> frozenset[str]:
    return frozenset(pytesseract.get_languages(config=""))


def require_languages(langs: str) -> None:
    """Raise `UnsupportedLanguage` naming every language of `langs` that has no installed pack."""
    missing = sorted(lang_codes(langs) - installed_languages())
    if missing:
        raise UnsupportedLanguage(f"tesseract has no language pack for {', '.join(missing)}")


class TesseractEngine:
    name = "tesseract"

    def supports(self, langs: str) -> bool:
        return lang_codes(langs) <= installed_languages()

    def read(self, image: np.ndarray, *, langs: str = "eng", layout: Layout = "block") -> OcrText:
        require_languages(langs)
        grouped: dict[int, list[Word]] = {}
        for raw, confidence, box, line in recognise(image, langs, _PSM[layout]):
            text = raw.strip()
            if text:
                grouped.setdefault(line, []).append(Word(text, max(0.0, confidence) / 100, box))
        lines = tuple(_line(words) for _, words in sorted(grouped.items()))
        return OcrText(self.name, lines)


def _line(words: list[Word]) -> Line:
    box = (
        min(w.box[0] for w in words),
        min(w.box[1] for w in words),
        max(w.box[2] for w in words),
        max(w.box[3] for w in words),
    )
    return Line(" ".join(w.text for w in words), min(w.confidence for w in words), box, tuple(words))


TESSERACT = TesseractEngine()
