"""Tesseract on one zone of a page: text lines plus an honest confidence.

Tesseract's OpenMP threading makes it ~2.4x slower on a 2-core box, and the kiosk runs several
zones at once anyway, so every Tesseract process gets `OMP_THREAD_LIMIT=1` (pytesseract starts
tesseract with this process's environment).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import pytesseract

os.environ.setdefault("OMP_THREAD_LIMIT", "1")


@dataclass(frozen=True)
class ZoneText:
    lines: tuple[str, ...]
    words: tuple[tuple[str, float], ...]
    """Every word with its confidence (0..1), in reading order."""

    @property
    def confidence(self) -> float:
        """The lowest word confidence: a field is only as sure as its least sure word."""
        return min((conf for _, conf in self.words), default=0.0)


def read_zone(zone: np.ndarray, *, langs: str = "eng", single_line: bool = False) -> ZoneText:
    """OCR a grayscale crop; `single_line` for one-line fields (psm 7), else a block (psm 6)."""
    config = f"--psm {7 if single_line else 6}"
    data = pytesseract.image_to_data(zone, lang=langs, config=config, output_type=pytesseract.Output.DICT)
    lines: dict[tuple[int, int, int], list[str]] = {}
    words: list[tuple[str, float]] = []
    for text, conf, block, par, line in zip(
        data["text"], data["conf"], data["block_num"], data["par_num"], data["line_num"], strict=True
    ):
        word = str(text).strip()
        if not word:
            continue
        lines.setdefault((block, par, line), []).append(word)
        words.append((word, max(0.0, float(conf)) / 100))
    ordered = tuple(" ".join(line_words) for _, line_words in sorted(lines.items()))
    return ZoneText(ordered, tuple(words))
