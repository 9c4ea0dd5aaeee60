"""The OCR engine registry: one result shape for every engine, and the rule for which engine reads what.

Tesseract is the default: it has every language pack the kiosk needs (Georgian, Cyrillic, Latin).
RapidOCR's bundled PP-OCR models read Latin letters and digits only, so it is offered only when
every language asked for is Latin-only (`eng`, `deu`, `fra`, `tur`, `aze`); asked for anything
else it is refused rather than silently misreading (its other models would need a download, which
the kiosk cannot do). A caller picks per field: `engine_for(langs, preferred)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Protocol

import numpy as np

Layout = Literal["page", "block", "line"]
"""What the image holds: a whole page (find the text), one block of lines, or a single line."""

LATIN_LANGS = frozenset({"eng", "deu", "fra", "tur", "aze"})
"""Tesseract language codes written in the Latin script, which RapidOCR's bundled models can read."""

BBox = tuple[int, int, int, int]
"""left, top, right, bottom in pixels of the image that was read."""


class UnsupportedLanguage(ValueError):
    """The engine cannot read these languages (the message names the engine and the languages)."""


@dataclass(frozen=True)
class Word:
    text: str
    confidence: float
    box: BBox

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "confidence": round(self.confidence, 3), "box": list(self.box)}


@dataclass(frozen=True)
class Line:
    text: str
    confidence: float
    """The lowest word confidence: a line is only as sure as its least sure word."""
    box: BBox
    words: tuple[Word, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "confidence": round(self.confidence, 3), "box": list(self.box)}


@dataclass(frozen=True)
class OcrText:
    """What an engine read on one image, in reading order."""

    engine: str
    lines: tuple[Line, ...]

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    @property
    def words(self) -> tuple[Word, ...]:
        return tuple(word for line in self.lines for word in line.words)

    @property
    def confidence(self) -> float:
        """The lowest word confidence (0 when nothing was read)."""
        return min((word.confidence for word in self.words), default=0.0)

    def to_dict(self) -> dict[str, Any]:
        return {
            "engine": self.engine,
            "text": self.text,
            "confidence": round(self.confidence, 3),
            "lines": [line.to_dict() for line in self.lines],
            "words": [word.to_dict() for word in self.words],
        }


class OcrEngine(Protocol):
    name: str

    def supports(self, langs: str) -> bool:
        """Whether this engine can read text in every one of `langs` (Tesseract's `eng+rus` form)."""
        ...

    def read(self, image: np.ndarray, *, langs: str = "eng", layout: Layout = "block") -> OcrText:
        """OCR an 8-bit grayscale image; raises `UnsupportedLanguage` for languages it cannot read."""
        ...


def lang_codes(langs: str) -> frozenset[str]:
    """'kat+rus+eng' -> {'kat', 'rus', 'eng'}; refuses an empty or malformed list."""
    codes = frozenset(code.strip() for code in langs.split("+"))
    if not codes or any(not code.replace("_", "").isalnum() for code in codes):
        raise UnsupportedLanguage(f"not a language list: {langs!r} (expected codes joined by '+', e.g. kat+rus+eng)")
    return codes


def engine_names() -> tuple[str, ...]:
    return ("tesseract", "rapidocr")


def get_engine(name: str) -> OcrEngine:
    """The engine registered as `name`; its heavy imports happen here, only when it is used."""
    if name == "tesseract":
        from vision.ocr_tesseract import TESSERACT

        return TESSERACT
    if name == "rapidocr":
        from vision.ocr_rapid import rapid_engine

        return rapid_engine()
    raise UnsupportedLanguage(f"no OCR engine named {name!r} (known: {', '.join(engine_names())})")


def engine_for(langs: str, preferred: str = "tesseract") -> OcrEngine:
    """`preferred` when it reads `langs`, else Tesseract (which reads every installed language)."""
    engine = get_engine(preferred)
    return engine if engine.supports(langs) else get_engine("tesseract")
