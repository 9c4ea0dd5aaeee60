"""Reading the machine readable zone of a passport or ID card, trusted only as far as its check digits.

The zone is found before anything is read (`find_bands`): on a copy about 1000 px wide, ink joined
along rows makes each printed line one long, flat blob, and the zone is two or three such lines of
one height stacked at one pitch, starting at one left edge, each at least `MIN_LINE_ASPECT` times
as long as tall. Only those bands are read, so a card anywhere on an A4 copy costs a strip of
OCR, not the page (the whole page read at 1700 px took 0.5-1.4 s). A band is read the way up the
ink around it suggests (the document's body lies above its zone), then, unless the check digits
all hold, turned over: the reading with more check digits holding says which way up the page is.

Tesseract reads a band restricted to the MRZ alphabet; the last lines of 30 (TD1) or 44 (TD3)
characters are taken, and where a field that must
be digits holds a letter OCR confuses with a digit (O/0, I/1, B/8, S/5, Z/2, G/6), the digit is put
back before `vision.icao9303` checks it. A field guarded by a check digit that holds gets a confidence of at
least `CHECKED_CONFIDENCE`; one whose check fails gets at most `FAILED_CONFIDENCE`, so the driver is
asked. Names carry no check digit and keep OCR's own confidence.
"""

from __future__ import annotations

import datetime
import itertools
import re
from dataclasses import dataclass

import cv2
import numpy as np

from vision import icao9303
from vision.cmr_fields import FieldReading
from vision.tesseract_api import recognise

FIND_WIDTH_PX = 1000
"""The copy bands are looked for on: zone characters are still 10 px tall on an A4 page."""
MIN_LINE_ASPECT = 12
"""A zone line is 30 or 44 characters long: far longer than tall, even with some fillers lost."""
MAX_BANDS = 3
"""Bands read, most zone-like first: more are printed text that merely lines up."""
MAX_READS = 6
"""Band readings (bands x ways up x sizes) at most: a form's table rows also line up as bands."""
READ_LINE_PX = (40, 32)
"""Line heights a band is read at, in turn, until its check digits all hold: Tesseract's reading of
OCR-B shifts with size, and on the generated cards each of these alone lost zones the other read."""
FILLER = icao9303.FILLER
DOCUMENT_CODES = "PIACV"
MAX_STRAY = 2
"""Stray characters per line that are searched for; more and the line is just trimmed."""
MAX_TRIES = 5000
CHECKED_CONFIDENCE = 0.995
FAILED_CONFIDENCE = 0.3
_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<"
_TO_DIGIT = str.maketrans({"O": "0", "D": "0", "Q": "0", "I": "1", "L": "1", "B": "8", "S": "5", "Z": "2", "G": "6"})
_DIGIT_SPANS = {
    # positions (line, start, end) that hold only digits: dates and check digits
    "TD3": ((1, 13, 20), (1, 21, 28), (1, 9, 10), (1, 43, 44)),
    "TD1": ((0, 14, 15), (1, 0, 7), (1, 8, 15), (1, 29, 30)),
}
_TO_LETTER = str.maketrans({"0": "O", "1": "I", "8": "B", "5": "S", "2": "Z", "6": "G"})
_LETTER_SPANS = {
    # positions (line, start, end) that hold only letters or fillers: issuing state and nationality
    "TD3": ((0, 2, 5), (1, 10, 13)),
    "TD1": ((0, 2, 5), (1, 15, 18)),
}
_GUARDS = {
    "document_number": "document_number",
    "birth_date": "birth_date",
    "expiry_date": "expiry_date",
}


@dataclass(frozen=True)
class MrzReading:
    lines: tuple[str, ...]
    fields: dict[str, FieldReading]
    valid: bool
    """Every check digit holds."""
    upside_down: bool = False
    """The zone read only with the image turned over: the document lies upside down."""


@dataclass(frozen=True)
class Band:
    """Where a zone may be, in the searched image's pixels."""

    left: int
    top: int
    right: int
    bottom: int
    line_height: int
    upright_first: bool
    """More ink above the band than below it: the document's body is above its zone, so it is upright."""


def _without_rules(ink: np.ndarray) -> np.ndarray:
    """Ink less its long straight strokes (a card's edge, a frame, a rule), which would tie the zone's
    lines to everything else; no character is a twentieth of the image long."""
    rules = np.zeros_like(ink)
    for kernel in ((1, max(3, ink.shape[1] // 20)), (max(3, ink.shape[0] // 20), 1)):
        rules |= cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones(kernel, np.uint8))
    keep = cv2.dilate(rules, np.ones((3, 3), np.uint8)) == 0
    return np.where(keep, ink, 0).astype(np.uint8)


def _text_lines(ink: np.ndarray) -> list[tuple[int, int, int, int]]:
    """(x, y, w, h) of every long, flat run of ink: a printed line with its characters joined."""
    join = max(5, ink.shape[1] // 40)
    joined = cv2.morphologyEx(_without_rules(ink), cv2.MORPH_CLOSE, np.ones((1, join), np.uint8))
    count, _, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    return sorted(
        (int(x), int(y), int(w), int(h)) for x, y, w, h, area in stats[1:count]
        if 4 <= h <= 80 and w >= MIN_LINE_ASPECT * h and area >= 0.3 * w * h
    )


def _stacked(lines: list[tuple[int, int, int, int]]) -> list[list[tuple[int, int, int, int]]]:
    """Runs of 2-3 lines of one height, one left edge and one pitch, one below the other."""
    by_top = sorted(lines, key=lambda line: line[1])
    groups = []
    for i, first in enumerate(by_top):
        group = [first]
        for line in by_top[i + 1:]:
            last = group[-1]
            height = max(last[3], line[3])
            pitch = line[1] - last[1]
            if (abs(line[0] - first[0]) <= 2 * height and 0.6 <= line[3] / last[3] <= 1.6
                    and 1.2 * height <= pitch <= 3.2 * height):
                group.append(line)
                if len(group) == 3:
                    break
        if len(group) >= 2:
            groups.append(group)
    return groups


def _zone_likeness(group: list[tuple[int, int, int, int]]) -> tuple[int, float]:
    """Sort key: three lines before two (a TD1 card's), then the longest lines for their height,
    of one length (a zone's lines are all full: fillers are printed)."""
    widths = [w for _, _, w, _ in group]
    aspect = max(widths) / max(h for *_, h in group)
    return -len(group), -aspect * min(widths) / max(widths)


def find_bands(gray: np.ndarray) -> list[Band]:
    """Bands of the image that look like a zone, most zone-like first (`_zone_likeness`)."""
    scale = min(1.0, FIND_WIDTH_PX / gray.shape[1])
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else gray
    ink = cv2.adaptiveThreshold(small, 1, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 15)
    groups = _stacked(_text_lines(ink))
    groups.sort(key=_zone_likeness)
    bands: list[Band] = []
    for group in groups:
        height = max(h for *_, h in group)
        pitch = (group[-1][1] - group[0][1]) / (len(group) - 1)
        left, right = min(x for x, *_ in group), max(x + w for x, _, w, _ in group)
        # a line whose fillers fell apart is missed: the band reaches a line further each way, and a third wider
        top = max(0, round(group[0][1] - pitch))
        bottom = min(small.shape[0], round(group[-1][1] + height + pitch))
        reach = right + (right - left) // 3
        # the ink beyond the line a band may have missed on either side
        step = round(pitch)
        above = int(ink[max(0, group[0][1] - 5 * step):max(0, group[0][1] - step - 2), left:right].sum())
        below = int(ink[group[-1][1] + step + height + 2:group[-1][1] + 5 * step + height, left:right].sum())
        band = Band(max(0, round((left - height) / scale)), round(top / scale),
                    min(gray.shape[1], round(min(small.shape[1], reach) / scale)), round(bottom / scale),
                    round(height / scale), above >= below)
        if not any(_overlap(band, other) for other in bands):
            bands.append(band)
        if len(bands) == MAX_BANDS:
            break
    return bands


def _overlap(one: Band, other: Band) -> bool:
    return one.left < other.right and other.left < one.right and one.top < other.bottom and other.top < one.bottom


def _candidate_lines(band: np.ndarray) -> list[tuple[str, float]]:
    lines: dict[int, list[tuple[str, float]]] = {}
    for raw, confidence, _, line in recognise(band, "eng", 6, whitelist=_ALPHABET):
        text = raw.strip()
        if text:
            lines.setdefault(line, []).append((text, max(0.0, confidence) / 100))
    out = []
    for _, words in sorted(lines.items()):
        text = "".join(word for word, _ in words).upper()
        if "<" in text and len(text) >= 25:
            out.append((text, min(conf for _, conf in words)))
    return out


def _fit(line: str, width: int) -> str:
    """Pad a line that lost trailing fillers, or trim stray characters OCR added at its end."""
    return line[:width] if len(line) >= width else line + "<" * (width - len(line))


def _repair_digits(kind: str, lines: list[str]) -> list[str]:
    """Digits back where only digits stand, letters back where only letters stand (country codes)."""
    fixed = list(lines)
    for spans, table in ((_DIGIT_SPANS[kind], _TO_DIGIT), (_LETTER_SPANS[kind], _TO_LETTER)):
        for index, start, end in spans:
            line = fixed[index]
            fixed[index] = line[:start] + line[start:end].translate(table) + line[end:]
    return fixed


_NAME_LINE = {"TD3": 0, "TD1": 2}
"""The line holding the names, which ends in a long run of fillers that OCR may drop whole."""


def _shape(candidates: list[tuple[str, float]]) -> tuple[str, list[str], float] | None:
    """The last run of lines that makes a TD3 (2 x ~44) or TD1 (3 x ~30) zone; the names line may be short."""
    texts = [text for text, _ in candidates]
    for kind, (width, count) in (("TD3", icao9303.LINE_LENGTHS["TD3"]), ("TD1", icao9303.LINE_LENGTHS["TD1"])):
        for end in range(len(texts), count - 1, -1):
            chosen = texts[end - count : end]
            fits = [
                width - 3 <= len(text) <= width + 3 or (i == _NAME_LINE[kind] and 10 <= len(text) < width)
                for i, text in enumerate(chosen)
            ]
            if all(fits):
                confidence = min(conf for _, conf in candidates[end - count : end])
                return kind, chosen, confidence
    return None


def _date(yymmdd: str, *, past: bool) -> str:
    """YYMMDD as DD.MM.YYYY, as printed in the visual zone; a birth date is never in the future."""
    if not yymmdd.isdigit():
        return yymmdd
    year = 2000 + int(yymmdd[:2])
    if past and year > datetime.date.today().year:
        year -= 100
    return f"{yymmdd[4:6]}.{yymmdd[2:4]}.{year}"


def _names(text: str) -> str:
    """A name field as OCR gave it, its filler run cut off: OCR reads long runs of '<' as K, S or E
    here and there, but no name holds three fillers in a row, nor a lone K, S or E before them."""
    text = re.sub(r"(?<=[A-Z])<[KSE]<(?=[A-Z])", "<<", text, count=1)  # the surname's '<<' read as '<K<'
    primary, sep, rest = text.partition("<<")
    given = re.split(r"<{3,}", rest, maxsplit=1)[0]
    given = re.sub(r"(<[KSE])+$", "", given)
    return primary + sep + given


def _tidy(kind: str, lines: list[str]) -> list[str]:
    """Digits where only digits may stand, the names' filler run restored, and a TD3's optional data
    all fillers when its check digit is a filler (OCR reads those runs as K, S or E)."""
    lines = _repair_digits(kind, lines)
    if kind == "TD3" and lines[1][42] == FILLER:
        lines[1] = lines[1][:28] + FILLER * 15 + lines[1][43:]
    name_line, start = (0, 5) if kind == "TD3" else (2, 0)
    width = len(lines[name_line])
    lines[name_line] = (lines[name_line][:start] + _names(lines[name_line][start:]))[:width].ljust(width, "<")
    return lines


def _variants(line: str, width: int) -> list[str]:
    """A line fitted to `width`: the plain trim or pad first, then up to `MAX_STRAY` stray characters
    removed wherever they may be, or fillers OCR lost put back into the runs of fillers. Readings that
    start with a document code letter come first (a stray character is often read before it)."""
    extra = len(line) - width
    out = [_fit(line, width)]
    if 0 < extra <= MAX_STRAY:
        for cut in itertools.combinations(range(len(line)), extra):
            out.append("".join(ch for i, ch in enumerate(line) if i not in cut))
    elif -MAX_STRAY <= extra < 0:
        runs = [i for i, ch in enumerate(line) if ch == FILLER]
        for places in itertools.combinations_with_replacement(runs, -extra):
            chars = list(line)
            for place in sorted(places, reverse=True):
                chars.insert(place, FILLER)
            out.append("".join(chars))
    unique = list(dict.fromkeys(out))
    return sorted(unique, key=lambda text: text[0] not in DOCUMENT_CODES)


def _best_parse(kind: str, raw: list[str]) -> icao9303.Mrz | None:
    """The reading of the lines with the most check digits holding (the plain fit wins ties).

    Only lines that check digits cover are searched for stray or lost characters: the names line
    is fitted as read, since no check would tell a right repair from a wrong one.
    """
    width = icao9303.LINE_LENGTHS[kind][0]
    options = [[_fit(line, width)] if i == _NAME_LINE[kind] else _variants(line, width) for i, line in enumerate(raw)]
    best: icao9303.Mrz | None = None
    best_ok = -1
    for tried, lines in enumerate(itertools.product(*options)):
        if tried >= MAX_TRIES:
            break
        try:
            mrz = icao9303.parse(_tidy(kind, list(lines)))
        except icao9303.MrzError:
            continue
        passing = sum(check.ok for check in mrz.checks)
        if mrz.valid:
            return mrz
        if passing > best_ok:
            best, best_ok = mrz, passing
    return best


def _checks_passing(mrz: icao9303.Mrz) -> int:
    return sum(check.ok for check in mrz.checks)


def _read_band(document: np.ndarray, band: Band, upside_down: bool, line_px: int) -> tuple[icao9303.Mrz, float] | None:
    crop = document[band.top:band.bottom, band.left:band.right]
    if upside_down:
        crop = cv2.rotate(crop, cv2.ROTATE_180)
    scale = min(1.0, line_px / max(1, band.line_height))
    if scale < 1:
        crop = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    shaped = _shape(_candidate_lines(np.ascontiguousarray(crop)))
    if shaped is None:
        return None
    kind, raw, confidence = shaped
    mrz = _best_parse(kind, raw)
    return None if mrz is None else (mrz, confidence)


def read_mrz(document: np.ndarray) -> MrzReading | None:
    """The zone of a passport or ID card image (or a page holding one, either way up), or None when none is found.

    Only the bands `find_bands` names are read; the reading with the most check digits holding wins.
    """
    best: tuple[icao9303.Mrz, float, bool] | None = None
    reads = 0
    for band in find_bands(document):
        for upside_down in (not band.upright_first, band.upright_first):
            for size in dict.fromkeys(min(size, band.line_height) for size in READ_LINE_PX):
                reads += 1
                if reads > MAX_READS:
                    return None if best is None else _reading(*best)
                read = _read_band(document, band, upside_down, size)
                if read is None:
                    continue
                if best is None or _checks_passing(read[0]) > _checks_passing(best[0]):
                    best = (*read, upside_down)
                if read[0].valid:
                    return _reading(*best)
            if best is not None and best[2] == upside_down and 2 * _checks_passing(best[0]) >= len(best[0].checks):
                return _reading(*best)  # the zone, read the right way up: turned over, it holds no check
    return None if best is None else _reading(*best)


def _reading(mrz: icao9303.Mrz, confidence: float, upside_down: bool) -> MrzReading:
    failed = set(mrz.failed)
    holder = mrz.holder
    values = {
        "document_type": holder.document_code,
        "issuing_state": holder.issuing_state,
        "document_number": holder.document_number,
        "surname": holder.surname,
        "given_names": holder.given_names,
        "nationality_code": holder.nationality,
        "birth_date": _date(holder.birth_date, past=True),
        "sex": holder.sex,
        "expiry_date": _date(holder.expiry_date, past=False),
    }
    fields = {}
    for name, value in values.items():
        guard = _GUARDS.get(name)
        if guard is not None:
            score = min(confidence, FAILED_CONFIDENCE) if guard in failed else max(confidence, CHECKED_CONFIDENCE)
        else:
            score = min(confidence, FAILED_CONFIDENCE) if failed else confidence
        fields[name] = FieldReading(value, score)
    return MrzReading(mrz.lines, fields, mrz.valid, upside_down)
