"""Named font families for synthetic pages, with a per-character fallback for scripts a font lacks.

Families are a variant axis: the benchmark reports pages in a held-out family apart, because no
reader may be tuned on them. URW fonts have Latin and Cyrillic but no Georgian, so Georgian runs
fall back to the DejaVu face of the same style (which covers Latin, Cyrillic and Georgian).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from PIL import ImageFont

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
URW = Path("/usr/share/fonts/opentype/urw-base35")
OCR_B = Path("/usr/share/fonts/opentype/ocr-b/OCRB.otf")
"""ICAO 9303 prints the MRZ in OCR-B (Debian's fonts-ocr-b); DejaVu Sans Mono stands in without it."""


@dataclass(frozen=True)
class FontFamily:
    """The faces one page is printed in; `held_out` families are never used while tuning readers."""

    name: str
    regular: Path
    bold: Path
    italic: Path
    held_out: bool = False


FAMILIES: dict[str, FontFamily] = {
    family.name: family
    for family in (
        FontFamily("dejavu-sans", DEJAVU / "DejaVuSans.ttf", DEJAVU / "DejaVuSans-Bold.ttf",
                   DEJAVU / "DejaVuSans-Oblique.ttf"),
        FontFamily("dejavu-serif", DEJAVU / "DejaVuSerif.ttf", DEJAVU / "DejaVuSerif-Bold.ttf",
                   DEJAVU / "DejaVuSerif-Italic.ttf"),
        FontFamily("dejavu-condensed", DEJAVU / "DejaVuSansCondensed.ttf", DEJAVU / "DejaVuSansCondensed-Bold.ttf",
                   DEJAVU / "DejaVuSansCondensed-Oblique.ttf"),
        FontFamily("nimbus-sans", URW / "NimbusSans-Regular.otf", URW / "NimbusSans-Bold.otf",
                   URW / "NimbusSans-Italic.otf"),
        FontFamily("nimbus-roman", URW / "NimbusRoman-Regular.otf", URW / "NimbusRoman-Bold.otf",
                   URW / "NimbusRoman-Italic.otf"),
        FontFamily("c059", URW / "C059-Roman.otf", URW / "C059-Bold.otf", URW / "C059-Italic.otf", held_out=True),
    )
}

MONO = DEJAVU / "DejaVuSansMono.ttf"
HANDWRITING = URW / "Z003-MediumItalic.otf"
"""A chancery script face: the base of handwriting-like fields, jittered per glyph when drawn."""

_FALLBACK = {
    "regular": DEJAVU / "DejaVuSans.ttf",
    "bold": DEJAVU / "DejaVuSans-Bold.ttf",
    "italic": DEJAVU / "DejaVuSans-Oblique.ttf",
}


def mrz_font_path() -> Path:
    return OCR_B if OCR_B.exists() else MONO


@functools.lru_cache(maxsize=256)
def load(path: Path, px: int) -> ImageFont.FreeTypeFont:
    """A font at a pixel size; cached because pages draw thousands of runs in a few sizes."""
    return ImageFont.truetype(str(path), max(1, px), layout_engine=ImageFont.Layout.BASIC)


@functools.lru_cache(maxsize=8192)
def covers(path: Path, char: str) -> bool:
    """Whether the face has a glyph for `char` (a missing glyph renders as nothing at this size)."""
    if char.isspace():
        return True
    left, top, right, bottom = load(path, 32).getbbox(char)
    return right > left and bottom > top


@functools.lru_cache(maxsize=65536)
def length(path: Path, px: int, text: str) -> float:
    """Advance width of `text` in pixels; cached because fitting text to a box measures it repeatedly."""
    return float(load(path, px).getlength(text))


def fallback_for(path: Path) -> Path:
    """The DejaVu face standing in for `path`'s style where `path` lacks a glyph."""
    name = path.name.lower()
    if "bold" in name:
        return _FALLBACK["bold"]
    if "italic" in name or "oblique" in name:
        return _FALLBACK["italic"]
    return _FALLBACK["regular"]


def runs(path: Path, text: str) -> list[tuple[Path, str]]:
    """`text` split into runs, each with a face that has its glyphs (the page's own face where it can)."""
    result: list[tuple[Path, str]] = []
    for char in text:
        face = path if covers(path, char) else fallback_for(path)
        if result and result[-1][0] == face:
            result[-1] = (face, result[-1][1] + char)
        else:
            result.append((face, char))
    return result
