"""What the text OCR read in one CMR box means: each field's value in its canonical form, and how sure it is.

A field's confidence starts as its lowest word confidence and is capped where the value fails a check
OCR cannot see: a plate that fits no country's shape, a weight printed without its unit, an HS code
that is not four digits, a dot and two, a number that does not parse. The canonical forms are what
`vision.cmr_fields.truth_value` derives from a generated page's truth.
"""

from __future__ import annotations

import difflib
import itertools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from vision.field_values import COUNTRIES, parse_date
from vision.ocr import Line, OcrText, Word
from vision.plates import correct_plate


@dataclass(frozen=True)
class FieldReading:
    value: str
    confidence: float


UNCHECKED_CAP = 0.5
"""Ceiling for a value that fails its field's check (no known plate shape, no unit, not a number): the driver
should look at it, whatever OCR's confidence."""


def _conf(words: Sequence[Word]) -> float:
    return min((word.confidence for word in words), default=0.0)


_SPLIT_DATE = re.compile(r"\d[\d ]*[./][\d ]*[./][\d ]*\d")


def compact_dates(text: str) -> str:
    """Dates OCR split with a space ('22/1 1/2025') closed up, where closing them gives a day-first date."""
    def close(found: re.Match[str]) -> str:
        joined = found.group().replace(" ", "")
        return joined if re.fullmatch(r"\d{1,2}([./])\d{1,2}\1\d{4}", joined) else found.group()

    return _SPLIT_DATE.sub(close, text)


_NOT_ON_PLATES = re.compile(r"[^A-Za-z0-9 /\-]")
"""Plates are printed in Latin capitals, digits, spaces and hyphens: RapidOCR's recogniser, trained on Chinese too,
adds a stray `に世` after a plate."""


def plate(text: OcrText) -> FieldReading:
    """The truck's plate: the first of 'truck / trailer' when both are written."""
    written = _NOT_ON_PLATES.sub("", " ".join(line.text for line in text.lines)).split("/")[0]
    value, familiar = correct_plate(written)
    confidence = text.confidence if familiar else min(text.confidence, UNCHECKED_CAP)
    return FieldReading(value, confidence)


def weight(text: OcrText) -> FieldReading:
    """'14 213 kg' -> '14213', '14 213,5 kg' -> '14213.5': the first number on the line, thousands separators
    dropped; a comma or point followed by one or two final digits is the decimal mark (three digits after
    one are a thousands group: '14.213' -> '14213').

    Only the number's words count for the confidence; a number not followed by its unit (kg) is capped,
    since then the zone may hold something else (a page cut off, a neighbouring box).
    """
    joined = " ".join(line.text for line in text.lines)
    match = re.search(r"\d[\d\s.,]*", joined)
    if not match:
        return FieldReading("", 0.0)
    confidence = _conf([word for word in text.words if re.fullmatch(r"[\d.,]+", word.text)])
    if not re.match(r"\s*(kg|кг)\b", joined[match.end():], re.IGNORECASE):
        confidence = min(confidence, UNCHECKED_CAP)
    number = match.group().rstrip(" .,")
    decimals = re.search(r"[.,](\d{1,2})$", number)
    whole = re.sub(r"\D", "", number[:decimals.start()] if decimals else number)
    return FieldReading(whole + (f".{decimals.group(1)}" if decimals else ""), confidence)


def cmr_number(text: OcrText) -> FieldReading:
    """The note's number after 'No' / '№' in the title block: 'No GE 2557209' -> 'GE 2557209'.

    It is made of capitals and digits; one with fewer than five digits is capped.
    """
    words = list(text.words)
    start = next((i + 1 for i, word in enumerate(words) if re.fullmatch(r"(N[o0°º]|№)\.?", word.text)), None)
    if start is None:
        start = next((i for i, word in enumerate(words) if re.search(r"\d", word.text)), len(words))
        start = max(0, start - 1)
    kept = [word for word in words[start:] if re.fullmatch(r"[A-Z0-9\-/]+", word.text)]
    value = " ".join(word.text for word in kept)
    confidence = _conf(kept)
    if sum(char.isdigit() for char in value) < 5:
        confidence = min(confidence, UNCHECKED_CAP)
    return FieldReading(value, confidence)


def count(text: OcrText) -> FieldReading:
    """A number of packages: one whole number alone in its box."""
    words = text.words
    if len(words) != 1 or not re.fullmatch(r"\d{1,6}", words[0].text):
        joined = "".join(re.sub(r"\D", "", word.text) for word in words)
        return FieldReading(joined, min(_conf(words), UNCHECKED_CAP))
    return FieldReading(str(int(words[0].text)), words[0].confidence)


_HS = re.compile(r"(\d{4})[.,]?(\d{2})")


def hs_codes(text: OcrText) -> FieldReading:
    """Box 10's statistical numbers, one per goods line: '0802.11, 2204.21' (HS subheadings, 4 digits, dot, 2)."""
    values, sure = [], True
    for line in text.lines:
        compact = line.text.replace(" ", "")
        found = _HS.fullmatch(compact)
        sure = sure and found is not None
        values.append(f"{found.group(1)}.{found.group(2)}" if found else compact)
    confidence = text.confidence if sure else min(text.confidence, UNCHECKED_CAP)
    return FieldReading(", ".join(values), confidence)


def goods_lines(lines: Sequence[Line], width_px: int, items: int | None) -> FieldReading:
    """Box 9's descriptions, one per goods line, each wrapped over printed lines: the items joined with ', '.

    A printed line ends either where its item ends or where the next word did not fit. An item starts
    with a capital letter, so only a break before a line that starts with one can end an item: it does
    when the next word would have fitted on the line (with a space). When box 10 gave a different number
    of items, and the breaks before capitals are exactly that number, those are the ends (a long first
    word leaves no room to tell); else the breaks before capitals, then with the most room left, are
    taken, and the reading is not trusted.
    """
    if not lines:
        return FieldReading("", 0.0)
    left = min(line.box[0] for line in lines)
    room, capital = [], set()
    for i, (line, following) in enumerate(itertools.pairwise(lines)):
        first = following.words[0]
        space = 0.3 * (line.box[3] - line.box[1])
        room.append(width_px - (line.box[2] - left) - space - (first.box[2] - first.box[0]))
        if first.text[:1].isupper():
            capital.add(i)
    ends = {i for i, free in enumerate(room) if free > 0 and i in capital}
    agrees = items is None or len(ends) + 1 == items
    if not agrees and items is not None and len(capital) + 1 == items:
        ends, agrees = capital, True
    elif not agrees and items is not None and 1 <= items <= len(lines):
        ends = set(sorted(range(len(room)), key=lambda i: (i not in capital, -room[i]))[: items - 1])
    parts = [lines[0].text]
    for i, line in enumerate(lines[1:]):
        parts.append((", " if i in ends else " ") + line.text)
    confidence = _conf([word for line in lines for word in line.words])
    if not agrees:
        confidence = min(confidence, UNCHECKED_CAP)
    value = re.sub(r"\s+", " ", "".join(parts)).strip().translate(_PLAIN_QUOTES)
    if _DANGLING.search(value) or _NOT_PRINTED.search(value):
        confidence = min(confidence, UNCHECKED_CAP)
    return FieldReading(value, confidence)


_NOT_PRINTED = re.compile(r"[!|¢@{}<>~^_=\\]")
"""Characters no goods description is written with: OCR made them of a letter (`soi!`, `n.¢.¢`)."""


_DANGLING = re.compile(r"\b(and|or|of|for|in|with|the|a|an|to|by|than|not|from|on|other|but)[,;]?$", re.IGNORECASE)
"""A description never ends on one of these: its last line was lost (cut off by the camera, or unread)."""


_PLAIN_QUOTES = str.maketrans("‘’“”", "''\"\"")
"""OCR gives typographic quotes for the typewriter ones goods descriptions are printed with ("women's")."""


def _ascii(name: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", name) if not unicodedata.combining(ch))


COUNTRY_NAMES: frozenset[str] = frozenset(
    name for names in COUNTRIES.values() for name in names
    if not (name.isascii() and any(other != name and _ascii(other) == name for other in names)))
"""Countries as an address writes them, lower case; `turkiye`, the ASCII fallback of `türkiye`, is not one:
read from a page printing `Türkiye`, it lost a letter."""

NEAR_MISS = 0.75
"""A last part this similar to a country's name without being it is that name misread (`Azerbailan`, `ltalia`)."""

_BEFORE_COUNTRY = re.compile(r"(?<=\w)[.:;] ([^,.:;]+)(?=,|$)")
_DATE_LAST = re.compile(r"\d{1,2}([./-])\d{1,2}\1\d{4}")
_SPLIT_W = re.compile(r"vv", re.IGNORECASE)
"""`w` read as two `v`s (`Portovva`, `Krakovv`): no address language of the region writes `vv`."""


def comma_before_country(address: str) -> str:
    """`Gəncə. Azərbaycan` -> `Gəncə, Azərbaycan`: the comma before a country's name (last, or before box 4's date)
    that OCR read as `.`, `:`, `;`."""
    def put_back(found: re.Match[str]) -> str:
        return ", " + found.group(1) if found.group(1).lower() in COUNTRY_NAMES else found.group()

    return _BEFORE_COUNTRY.sub(put_back, address)


def plausible_address(address: str) -> bool:
    """Whether nothing in `address` shows a misreading: its last part is no near miss of a country's name and
    no `w` was split in two. An address without a country passes (nothing to compare)."""
    last = address.rsplit(", ", 1)[-1].strip().lower()
    if last not in COUNTRY_NAMES and difflib.get_close_matches(last, COUNTRY_NAMES, n=1, cutoff=NEAR_MISS):
        return False
    return _SPLIT_W.search(address) is None


def plausible_place_and_date(value: str) -> bool:
    """Box 4: a plausible place followed by a valid day-first date (`Tbilisi, Georgia, 28.01.2025`); a date that
    does not parse (`11.0742025`, `31.02.2025`) or is missing means a digit or separator was misread."""
    place, _, last = value.rpartition(", ")
    return bool(place) and _DATE_LAST.fullmatch(last) is not None and parse_date(last) is not None \
        and plausible_address(place)


_SPILLED = re.compile(r"[^\W\d]{3}")
"""Three letters in a row in box 10, which holds HS codes only: words of box 9 printed past its ruling."""


def unspilled(goods: FieldReading, codes: FieldReading) -> FieldReading:
    """Box 9's goods, capped when box 10 (`codes`) holds words: a goods line ran on under box 10 and box 9 lost it."""
    if _SPILLED.search(codes.value):
        return FieldReading(goods.value, min(goods.confidence, UNCHECKED_CAP))
    return goods
