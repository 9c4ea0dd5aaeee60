"""Key-value fields of semi-structured pages: find a printed label, take the value beside or below it.

The page's words come from one quick pass (`vision.trade_ocr`). Words are grouped into rows (by
vertical overlap) and rows into phrases (split where the gap between words is wider than the text is
tall), so a label and a value printed apart are separate phrases. For each field, every phrase
matching one of its label patterns offers candidates in order: the rest of the phrase after the label
(after its colon, when there is one), the next phrase to the right on the same row, the nearest phrase
below that overlaps the label horizontally. The first candidate the field's parser accepts wins;
nothing here knows a layout, so a form never seen before reads the same way. Russian labels read by
the English pass come back in Latin look-alikes (`Вес нетто` as `Bec HeTTO`), so labels are also
matched against the phrase with look-alikes turned back into Cyrillic.

The winning value is read again alone at full resolution (`Reread`). Confidence is the lowest OCR word
confidence of the value; when the two readings disagree the re-read's value is kept but capped at
`DISAGREE_CAP`, and a value no candidate parsed is kept as printed but capped at `UNPARSED_CAP`, so
neither is accepted without the driver.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from vision.cmr_values import FieldReading
from vision.ocr import BBox, Word

UNPARSED_CAP = 0.3
"""Highest confidence of a value its field's parser refused (a date that does not parse, an unknown currency)."""
DISAGREE_CAP = 0.6
"""Highest confidence of a value whose quick and full-resolution readings differ: one of them is wrong."""

Reread = Callable[[BBox, str], tuple[Word, ...]]
"""Reads the words inside a box of the page again, at full resolution, with the given languages."""

_GAP_PER_HEIGHT = 1.2
"""Words further apart than this many word heights belong to different phrases."""
_SPACED_PER_HEIGHT = 2.5
"""Parts of a spaced value lie at most this many word heights apart (a monospaced space is ~1.5)."""
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
    langs: str = "eng"
    """The languages its value is re-read with; "page" for the page's own (a place name in any script)."""
    cap: float = 1.0
    """Its highest confidence: a place name whose letters no installed language spells (`Kraków`) reads
    confidently wrong, so such a field is left to the driver."""
    column_total: bool = False
    """The value is the last of the values stacked under the label (EUR.1's box 9 ends with the total)."""
    spaced: bool = False
    """The value may be printed in parts spaced wider than a phrase's gap (a plate in a monospaced font, `GD  87289`):
    the phrases following it on its row within `_SPACED_PER_HEIGHT` are offered joined to it first."""


def rows(words: Sequence[Word]) -> list[list[Word]]:
    """Words grouped into rows, top to bottom: a word whose centre lies within the band of the row so far
    joins it (a lone '/' or a low-hanging word does not start a row of its own)."""
    grouped: list[list[Word]] = []
    band = (0, -1)
    for word in sorted(words, key=lambda w: (w.box[1] + w.box[3]) / 2):
        centre = (word.box[1] + word.box[3]) / 2
        if grouped and band[0] <= centre <= band[1]:
            grouped[-1].append(word)
            band = (min(band[0], word.box[1]), max(band[1], word.box[3]))
        else:
            grouped.append([word])
            band = (word.box[1], word.box[3])
    return grouped


def phrases(words: Sequence[Word]) -> list[Phrase]:
    """Words grouped into rows, rows cut into phrases at wide gaps; top to bottom."""
    result: list[Phrase] = []
    for row in rows(words):
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


def _after_colon(word: Word) -> Word:
    """The part of a word after a colon inside it (`средство:03` -> `03`), its box cut in proportion."""
    head, _, tail = word.text.rpartition(":")
    if not head or not tail:
        return word
    left, top, right, bottom = word.box
    cut = left + (right - left) * (len(head) + 1) // len(word.text)
    return Word(tail, word.confidence, (cut, top, right, bottom))


def _after_label(phrase: Phrase, match: re.Match[str]) -> Phrase | None:
    """The words after the label (after the last colon, when a colon follows the label)."""
    offsets, position = [], 0
    for word in phrase.words:
        offsets.append(position)
        position += len(word.text) + 1
    rest = [i for i, start in enumerate(offsets) if start + len(phrase.words[i].text) > match.end()]
    colons = [i for i in rest if ":" in phrase.words[i].text]
    if colons:
        rest = [i for i in rest if i >= colons[-1]]
    words = [phrase.words[i] for i in rest]
    if words and ":" in words[0].text:
        words[0] = _after_colon(words[0])
    kept = tuple(word for word in words if word.text.strip(":;|/") and not word.text.endswith(":"))
    return Phrase(kept) if kept else None


def _right_of(phrase: Phrase, others: Sequence[Phrase]) -> Phrase | None:
    top, bottom = phrase.box[1], phrase.box[3]
    beside = [p for p in others if p.box[0] > phrase.box[2] and top <= (p.box[1] + p.box[3]) / 2 <= bottom]
    return min(beside, key=lambda p: p.box[0], default=None)


def _below(phrase: Phrase, others: Sequence[Phrase]) -> Phrase | None:
    left, _, right, bottom = phrase.box
    reach = bottom + _BELOW_PER_HEIGHT * phrase.height
    under = [p for p in others if bottom < (p.box[1] + p.box[3]) / 2 and p.box[1] <= reach and p.box[0] < right
             and p.box[2] > left]
    return min(under, key=lambda p: (p.box[1], p.box[0]), default=None)


def _column_end(phrase: Phrase, others: Sequence[Phrase], parse: Callable[[str], str | None]) -> Phrase | None:
    """The last of the values stacked under a column's label (a column of weights ends with their total)."""
    left, _, right, bottom = phrase.box
    under = sorted((p for p in others if bottom < (p.box[1] + p.box[3]) / 2 and p.box[0] < right and p.box[2] > left),
                   key=lambda p: p.box[1])
    last = None
    for candidate in under:
        if parse(candidate.text) is None:
            break
        last = candidate
    return last


def _joined(first: Phrase | None, others: Sequence[Phrase]) -> Phrase | None:
    """`first` and the phrases right after it on its row, each within `_SPACED_PER_HEIGHT` of the one before."""
    if first is None:
        return None
    words = list(first.words)
    while (after := _right_of(Phrase(tuple(words)), others)) is not None and (
            after.box[0] - words[-1].box[2] <= _SPACED_PER_HEIGHT * first.height):
        words.extend(after.words)
    return Phrase(tuple(words)) if len(words) > len(first.words) else None


def _candidates(spec: FieldSpec, phrase: Phrase, match: re.Match[str], others: Sequence[Phrase]) -> list[Phrase]:
    if spec.column_total:
        found = [_column_end(phrase, others, spec.parse)]
    else:
        after, right = _after_label(phrase, match), _right_of(phrase, others)
        spaced = [_joined(after, others), _joined(right, others)] if spec.spaced else []
        found = [*spaced, after, right, _below(phrase, others)]
    return [p for p in found if p is not None]


_CYRILLIC_TWINS = str.maketrans("aBceHKMmoOpPTtxXyE6", "аВсеНКМмоОрРТтхХуЕб")
"""Latin letters the English pass writes for Cyrillic ones (`Bec 6pytto` for `Вес брутто`)."""


def _label_match(patterns: Sequence[re.Pattern[str]], text: str) -> re.Match[str] | None:
    """The first label pattern found in `text` or in its look-alike Cyrillic twin (same length, same offsets)."""
    for candidate in (text, text.translate(_CYRILLIC_TWINS)):
        match = next((m for m in (p.search(candidate) for p in patterns) if m), None)
        if match is not None:
            return match
    return None


def _confirmed(spec: FieldSpec, candidate: Phrase, value: str | None, reread: Reread | None,
               langs: str) -> FieldReading:
    """The candidate's value checked by a full-resolution re-read of its box (see the module's note)."""
    if reread is None:
        return FieldReading(value, candidate.confidence) if value is not None else FieldReading(
            candidate.text, min(candidate.confidence, UNPARSED_CAP))
    words = reread(candidate.box, langs if spec.langs == "page" else spec.langs)
    again = Phrase(words) if words else None
    second = spec.parse(again.text) if again is not None else None
    if again is None or second is None:
        if value is not None:
            return FieldReading(value, min(candidate.confidence, DISAGREE_CAP))
        text = again.text if again is not None else candidate.text
        return FieldReading(text, min(again.confidence if again else candidate.confidence, UNPARSED_CAP))
    if value == second:
        return FieldReading(second, max(candidate.confidence, again.confidence))
    return FieldReading(second, min(again.confidence, DISAGREE_CAP))


def _located_value(spec: FieldSpec, page_phrases: Sequence[Phrase], reread: Reread | None,
                   langs: str) -> tuple[FieldReading, BBox] | None:
    """The field's reading by its labels, capped at `spec.cap`, and the box of the phrase it was read from; None
    with no label on the page."""
    located = _labelled_value(spec, page_phrases, reread, langs)
    if located is None:
        return None
    reading, box = located
    return FieldReading(reading.value, min(reading.confidence, spec.cap)), box


def _labelled_value(spec: FieldSpec, page_phrases: Sequence[Phrase], reread: Reread | None,
                    langs: str) -> tuple[FieldReading, BBox] | None:
    """The field's value by its labels; a refused value capped at `UNPARSED_CAP`; None with no label."""
    patterns = [re.compile(label, re.IGNORECASE) for label in spec.labels]
    fallback: Phrase | None = None
    for phrase in page_phrases:
        match = _label_match(patterns, phrase.text)
        if match is None:
            continue
        others = [p for p in page_phrases if p is not phrase]
        candidates = _candidates(spec, phrase, match, others)
        for candidate in candidates:
            value = spec.parse(candidate.text)
            if value is not None:
                return _confirmed(spec, candidate, value, reread, langs), candidate.box
        if fallback is None and candidates:
            fallback = candidates[0]
    if spec.anywhere:
        for phrase in page_phrases:
            value = spec.parse(phrase.text)
            if value is not None:
                return _confirmed(spec, phrase, value, reread, langs), phrase.box
    return (_confirmed(spec, fallback, None, reread, langs), fallback.box) if fallback is not None else None


def read_key_values(specs: Sequence[FieldSpec], words: Sequence[Word], reread: Reread | None = None,
                    langs: str = "eng") -> dict[str, FieldReading]:
    """Every field found among `words` (re-read with `reread` when given; `langs`: the page's languages);
    a field with no label on the page is absent, never an error."""
    page_phrases = phrases(words)
    found: dict[str, FieldReading] = {}
    taken: dict[BBox, str] = {}
    for spec in specs:  # a field may have several specs (labels read differently): the first found wins
        if spec.name in found:
            continue
        located = _located_value(spec, page_phrases, reread, langs)
        if located is None:
            continue
        reading, box = located
        found[spec.name] = reading
        other = taken.setdefault(box, spec.name)
        if other != spec.name:  # one value claimed by two labels (a camera's slant): it belongs to one at most
            for name in (other, spec.name):
                found[name] = FieldReading(found[name].value, min(found[name].confidence, DISAGREE_CAP))
    return found
