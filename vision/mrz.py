"""Reading the machine readable zone of a passport or ID card, trusted only as far as its check digits.

Tesseract reads the upright document (or the page a card was scanned on) restricted to the MRZ
alphabet; the last lines of 30 (TD1) or 44 (TD3) characters are taken, and where a field that must
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

SEARCH_WIDTH_PX = 1700
"""Zone characters stay over 20 px tall on an A4 page read this wide."""
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


def read_mrz(document: np.ndarray) -> MrzReading | None:
    """The zone of an upright passport or ID card image (or a page holding one), or None when none is found.

    The whole image is read at most `SEARCH_WIDTH_PX` wide: a card may lie anywhere on a scanned page.
    """
    scale = min(1.0, SEARCH_WIDTH_PX / document.shape[1])
    if scale < 1:
        document = cv2.resize(document, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    shaped = _shape(_candidate_lines(document))
    if shaped is None:
        return None
    kind, raw, confidence = shaped
    mrz = _best_parse(kind, raw)
    if mrz is None:
        return None
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
    return MrzReading(mrz.lines, fields, mrz.valid)
