"""RapidOCR as the second OCR engine: PP-OCR ONNX models bundled in its wheel, Latin letters and digits.

Offline by construction: only the bundled detection and recognition models are used (other
languages would try a download, which fails on the kiosk), the text-angle classifier is off
(pages are straightened before OCR), and onnxruntime gets one thread, as Tesseract does, so that
parallelism comes from the page pool's processes.
"""

from __future__ import annotations

import functools
import threading
from typing import Any

import numpy as np

from vision.ocr import LATIN_LANGS, BBox, Layout, Line, OcrText, UnsupportedLanguage, Word, lang_codes

_PARAMS = {
    "Global.use_cls": False,
    "Global.log_level": "error",
    "EngineConfig.onnxruntime.intra_op_num_threads": 1,
    "EngineConfig.onnxruntime.inter_op_num_threads": 1,
}


def _bbox(points: Any) -> BBox:
    array = np.asarray(points, dtype=float).reshape(-1, 2)
    return (int(array[:, 0].min()), int(array[:, 1].min()), int(array[:, 0].max()), int(array[:, 1].max()))


class RapidEngine:
    name = "rapidocr"

    def __init__(self) -> None:
        from rapidocr import RapidOCR

        self._ocr = RapidOCR(params=_PARAMS)
        self._lock = threading.Lock()
        """One call at a time: RapidOCR keeps a call's switches on the instance, and zone threads share it."""

    def supports(self, langs: str) -> bool:
        return lang_codes(langs) <= LATIN_LANGS

    def read(self, image: np.ndarray, *, langs: str = "eng", layout: Layout = "block") -> OcrText:
        if not self.supports(langs):
            raise UnsupportedLanguage(f"rapidocr reads only Latin-script languages, not {langs}")
        if layout == "line":
            return OcrText(self.name, self._line(image))
        # every switch given on every call: RapidOCR keeps a call's switches for the next (a line read's
        # use_det=False left the next page read undetected and empty)
        with self._lock:
            result: Any = self._ocr(image, use_det=True, use_cls=False, use_rec=True, return_word_box=True)
        boxes = getattr(result, "boxes", None)
        if boxes is None:
            return OcrText(self.name, ())
        lines = []
        for text, score, points, words in zip(
            result.txts, result.scores, boxes, result.word_results, strict=True
        ):
            line_box = _bbox(points)
            word_list = tuple(Word(str(w), float(c), _bbox(p)) for w, c, p in words) if words else ()
            if not word_list:
                word_list = tuple(Word(w, float(score), line_box) for w in str(text).split())
            lines.append(Line(str(text), min(w.confidence for w in word_list), line_box, word_list))
        return OcrText(self.name, tuple(lines))

    def _line(self, image: np.ndarray) -> tuple[Line, ...]:
        """Recognition alone on a one-line crop: no detection to miss a short field."""
        with self._lock:
            result: Any = self._ocr(image, use_det=False, use_cls=False, use_rec=True, return_word_box=False)
        text = " ".join(str(t) for t in result.txts).strip()
        if not text:
            return ()
        score = float(min(result.scores))
        box = (0, 0, int(image.shape[1]), int(image.shape[0]))
        return (Line(text, score, box, tuple(Word(w, score, box) for w in text.split())),)


@functools.cache
def rapid_engine() -> RapidEngine:
    """One engine per process: loading the models takes a fraction of a second and tens of MB."""
    return RapidEngine()
