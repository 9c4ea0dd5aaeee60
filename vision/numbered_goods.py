"""Goods listed as numbered lines, not a table: the EUR.1's box 8 (`1. 6 packages: Iron or steel; ...`), its gross
mass beside each line in box 9.

A line is an item when it starts with its printed item number and a package count (`<n>. <count> packages:`), so
the item's number is the one printed, not a count of the lines found: a line missed leaves a gap, it does not shift
the later items onto the wrong numbers. The line's description is the whole phrase as printed (the generator's
truth, and what the driver compares with the paper); its gross mass is the last number standing alone to the right
on the same row. Both are read again alone at full resolution; a re-read that disagrees caps the value at
`vision.key_values.DISAGREE_CAP`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from vision.cmr_values import FieldReading
from vision.key_values import DISAGREE_CAP, Phrase, Reread, phrases
from vision.ocr import Word
from vision.trade_labels import parse_decimal

_LINE = re.compile(r"^(\d{1,2})\s*[.,]\s*\d{1,5}\s+packages?\s*:", re.IGNORECASE)
_NUMBER = re.compile(r"[\d.,' ]*\d[\d.,' ]*")


def _same_row(a: Phrase, b: Phrase) -> bool:
    centre = (b.box[1] + b.box[3]) / 2
    return a.box[1] <= centre <= a.box[3]


def _reading(first: str | None, phrase: Phrase, again: str | None, again_confidence: float) -> FieldReading | None:
    """The quick pass's value checked against its full-resolution re-read (None: not read or not parsed)."""
    if again is None:
        return None if first is None else FieldReading(first, min(phrase.confidence, DISAGREE_CAP))
    if again == first:
        return FieldReading(first, max(phrase.confidence, again_confidence))
    return FieldReading(again, min(again_confidence, DISAGREE_CAP))


def _reread(reread: Reread | None, phrase: Phrase) -> tuple[str | None, float]:
    if reread is None:
        return phrase.text, phrase.confidence
    words = reread(phrase.box, "eng")
    return (" ".join(w.text for w in words), min(w.confidence for w in words)) if words else (None, 0.0)


def read_goods_lines(words: Sequence[Word], reread: Reread | None = None) -> dict[str, FieldReading]:
    """`item_<n>_description` and `item_<n>_gross_kg` of every numbered goods line; none when no line is found."""
    page = phrases(words)
    found: dict[str, FieldReading] = {}
    for phrase in page:
        start = _LINE.match(phrase.text)
        if start is None or f"item_{int(start.group(1))}_description" in found:
            continue
        n = int(start.group(1))
        text, confidence = _reread(reread, phrase)
        again = " ".join(text.split()) if text and _LINE.match(text) else None
        description = _reading(" ".join(phrase.text.split()), phrase, again, confidence)
        assert description is not None
        found[f"item_{n}_description"] = description
        # the nearest phrase to the right with digits and no letters (`2:152,3` is read again before it is refused)
        beside = [p for p in page if p.box[0] > phrase.box[2] and _same_row(phrase, p)
                  and any(ch.isdigit() for ch in p.text) and not any(ch.isalpha() for ch in p.text)]
        if not beside:
            continue
        mass = min(beside, key=lambda p: p.box[0])
        text, confidence = _reread(reread, mass)
        mass_kg = _reading(_number(mass.text), mass, _number(text) if text else None, confidence)
        if mass_kg is not None:
            found[f"item_{n}_gross_kg"] = mass_kg
    return found


def _number(text: str) -> str | None:
    return parse_decimal(text) if _NUMBER.fullmatch(text) else None
