"""Key-value fields of semi-structured pages: find a printed label, take the value beside or below it.

The page is read once as words with boxes. Words are grouped into rows (by vertical overlap) and
rows into phrases (split where the gap between words is wider than the text is tall), so a label
and a value printed apart are separate phrases. For each field, every phrase matching one of its
label patterns offers candidates in order: the rest of the phrase after the label (after its colon,
when there is one), the next phrase to the right on the same row, the nearest phrase below that
overlaps the label horizontally. The first candidate the field's parser accepts wins; nothing here
knows a layout, so a form never seen before reads the same way.

Confidence is the lowest OCR word confidence of the value; a value no candidate parsed is kept as
printed but capped at `UNPARSED_CAP`, so it is never accepted without the driver.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from vision.cmr_fields import FieldReading
from vision.ocr import BBox, Word, engine_for

UNPARSED_CAP = 0.3
"""Highest confidence of a value its field's parser refused (a date that does not parse, an unknown currency)."""

_GAP_PER_HEIGHT = 1.2
"""Words further apart than this many word heights belong to different phrases."""
_BELOW_PER_HEIGHT = 10.0
"""A value below its label starts within this many label heights of the label's bottom (EUR.1 prints a
5.5 pt caption ~11 mm above its value)."""


@dataclass(frozen=True)
class Phrase:
    words: tuple[Word, ...]

    @property
    def text(self) -> str:
        return " ".join(word.text for word in self.words)

    @property
    def box(self) -> BBox:
        return (min(w.box[0] for w in self.words), min(w.box[1] for w in self.words),
                max(w.box[2] for w in self.words), max(w.box[3] for w in self.words))

    @property
    def height(self) -> int:
        return max(1, int(statistics.median(w.box[3] - w.box[1] for w in self.words)))

    @property
    def confidence(self) -> float:
        return min(word.confidence for word in self.words)


@dataclass(frozen=True)
class FieldSpec:
    """A field: label patterns (regular expressions, case-insensitive) and the parser of its value."""

    name: str
    labels: tuple[str, ...]
    parse: Callable[[str], str | None]
    anywhere: bool = False
    """With no labelled value, take the first phrase on the page that parses (an unlabelled date)."""


def without_ruling(gray: np.ndarray) -> np.ndarray:
    """The page with its long ruled lines painted over: Tesseract's page layout takes a ruled box with
    small text in it for a picture and skips it (an invoice's number box next to a QR code)."""
    ink = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 15)
    height, width = ink.shape
    across = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, max(10, width // 30)), np.uint8))
    down = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((max(10, height // 40), 1), np.uint8))
    ruling = cv2.dilate(cv2.bitwise_or(across, down), np.ones((5, 5), np.uint8))
    clean = gray.copy()
    clean[ruling > 0] = 255
    return clean


def read_words(page: np.ndarray, langs: str) -> tuple[Word, ...]:
    """Every word of the page with its box and confidence, read once, ruling removed."""
    return engine_for(langs).read(without_ruling(page), langs=langs, layout="page").words


def _centre_within(word: Word, band: Word) -> bool:
    centre = (word.box[1] + word.box[3]) / 2
    return band.box[1] <= centre <= band.box[3]


def phrases(words: Sequence[Word]) -> list[Phrase]:
    """Words grouped into rows (each centre within the other's height), rows cut into phrases at wide
    gaps; top to bottom."""
    rows: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (w.box[1] + w.box[3]) / 2):
        row = rows[-1] if rows else None
        if row is not None and _centre_within(word, row[0]) and _centre_within(row[0], word):
            row.append(word)
        else:
            rows.append([word])
    result: list[Phrase] = []
    for row in rows:
        row.sort(key=lambda w: w.box[0])
        height = statistics.median(w.box[3] - w.box[1] for w in row)
        current = [row[0]]
        for word in row[1:]:
            if word.box[0] - current[-1].box[2] > _GAP_PER_HEIGHT * height:
                result.append(Phrase(tuple(current)))
                current = []
            current.append(word)
        result.append(Phrase(tuple(current)))
    return result


def _after_label(phrase: Phrase, match: re.Match[str]) -> Phrase | None:
    """The words after the label (after the last colon-ended word, when a colon follows the label)."""
    offsets, position = [], 0
    for word in phrase.words:
        offsets.append(position)
        position += len(word.text) + 1
    rest = [i for i, start in enumerate(offsets) if start >= match.end()]
    colons = [i for i in rest if phrase.words[i].text.endswith(":")]
    if colons:
        rest = [i for i in rest if i > colons[-1]]
    words = tuple(phrase.words[i] for i in rest if phrase.words[i].text.strip(":;|/"))
    return Phrase(words) if words else None


def _right_of(phrase: Phrase, others: Sequence[Phrase]) -> Phrase | None:
    top, bottom = phrase.box[1], phrase.box[3]
    beside = [p for p in others if p.box[0] > phrase.box[2] and top <= (p.box[1] + p.box[3]) / 2 <= bottom]
    return min(beside, key=lambda p: p.box[0], default=None)


def _below(phrase: Phrase, others: Sequence[Phrase]) -> Phrase | None:
    left, _, right, bottom = phrase.box
    reach = bottom + _BELOW_PER_HEIGHT * phrase.height
    under = [p for p in others if bottom <= p.box[1] <= reach and p.box[0] < right and p.box[2] > left]
    return min(under, key=lambda p: (p.box[1], p.box[0]), default=None)


def _candidates(phrase: Phrase, match: re.Match[str], others: Sequence[Phrase]) -> list[Phrase]:
    found = [_after_label(phrase, match), _right_of(phrase, others), _below(phrase, others)]
    return [p for p in found if p is not None]


def _reading(spec: FieldSpec, candidate: Phrase) -> FieldReading | None:
    value = spec.parse(candidate.text)
    return FieldReading(value, candidate.confidence) if value is not None else None


def find_value(spec: FieldSpec, page_phrases: Sequence[Phrase]) -> FieldReading | None:
    """The field's value by its labels; a refused value capped at `UNPARSED_CAP`; None with no label."""
    patterns = [re.compile(label, re.IGNORECASE) for label in spec.labels]
    fallback: FieldReading | None = None
    for phrase in page_phrases:
        match = next((m for m in (p.search(phrase.text) for p in patterns) if m), None)
        if match is None:
            continue
        others = [p for p in page_phrases if p is not phrase]
        candidates = _candidates(phrase, match, others)
        for candidate in candidates:
            reading = _reading(spec, candidate)
            if reading is not None:
                return reading
        if fallback is None and candidates:
            fallback = FieldReading(candidates[0].text, min(candidates[0].confidence, UNPARSED_CAP))
    if spec.anywhere:
        for phrase in page_phrases:
            reading = _reading(spec, phrase)
            if reading is not None:
                return reading
    return fallback


def read_key_values(specs: Sequence[FieldSpec], words: Sequence[Word]) -> dict[str, FieldReading]:
    """Every field found among `words`; a field with no label on the page is absent, never an error."""
    page_phrases = phrases(words)
    found = {spec.name: find_value(spec, page_phrases) for spec in specs}
    return {name: reading for name, reading in found.items() if reading is not None}
