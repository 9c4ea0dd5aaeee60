"""Tesseract as an OCR engine: every installed language, words with boxes and confidences.

Tesseract's OpenMP threading makes it ~2.4x slower on a 2-core box, and the kiosk reads several
zones or pages at once anyway, so every Tesseract process gets `OMP_THREAD_LIMIT=1` (pytesseract
starts tesseract with this process's environment); parallelism comes from processes instead.
"""

from __future__ import annotations

import functools
import os

import numpy as np
import pytesseract

from vision.ocr import Layout, Line, OcrText, UnsupportedLanguage, Word, lang_codes

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
        data = pytesseract.image_to_data(
            image, lang=langs, config=f"--psm {_PSM[layout]}", output_type=pytesseract.Output.DICT
        )
        grouped: dict[tuple[int, int, int], list[Word]] = {}
        for i, raw in enumerate(data["text"]):
            text = str(raw).strip()
            if not text:
                continue
            left, top = int(data["left"][i]), int(data["top"][i])
            box = (left, top, left + int(data["width"][i]), top + int(data["height"][i]))
            key = (int(data["block_num"][i]), int(data["par_num"][i]), int(data["line_num"][i]))
            grouped.setdefault(key, []).append(Word(text, max(0.0, float(data["conf"][i])) / 100, box))
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
