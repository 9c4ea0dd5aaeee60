"""Numbers as trade documents print them ("1 200,00", "1,200.00", "1.200,00", "18 240 kg") parsed to `Decimal`.

The value keeps exactly the printed decimals: nothing is rounded here (the declaration rounds, and says how).

Which mark is the decimal one:
- spaces, no-break spaces and apostrophes only ever group thousands;
- when both '.' and ',' appear, the last one is the decimal mark and the other groups thousands;
- one kind of mark appearing twice or more groups thousands ("1.200.000");
- one mark appearing once is the decimal mark, unless exactly three digits follow it, the digits before it are not
  a lone '0' and no space groups them: then it groups thousands. So "1,200" and "1.200" are 1200, while "0,250" is
  0.250 and "1 200,000" is 1200.000. Amounts carry two decimals and weights at most one on the documents this
  kiosk reads, so a three-digit tail is a thousands group far more often than a fraction. That reading is
  flagged `ambiguous`, so the driver is asked to look.
Every thousands group must hold exactly three digits and the first one to three ("1.2.3" and "12,34,567" are
refused, the latter being the Indian grouping no document here uses).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

MAX_NUMBER_CHARS = 40
"""Longer text is no number a document prints; refused before any pattern runs over it."""

_UNITS = r"kgs?|кг|კგ|m3|м3|მ3|pcs|€|\$|₾|₺|₽|£|(?-i:[A-Z]{3})"
"""A unit or currency printed before or after the number; ISO 4217 codes are any three capitals here: which code
is meant is the currency field's business, not the number's."""
_AROUND = re.compile(rf"^\s*(?:(?:{_UNITS})\s*)?(?P<number>.*?)(?:\s*(?:{_UNITS})\.?)?\s*$", re.IGNORECASE)
_NUMBER = re.compile(r"[+-]?[0-9][0-9 .,'\u00a0\u202f]*")
_DIGITS = re.compile(r"[0-9]+")
"""ASCII digits only: `str.isdigit` and `\\d` take any script's digits, which no document here prints."""
_GROUPING = re.compile(r"[ '\u00a0\u202f]")


class AmountFormatError(ValueError):
    """The text is not a number in any of the conventions above; `reason` says why, in English."""

    def __init__(self, text: str, reason: str) -> None:
        super().__init__(f"{text[:MAX_NUMBER_CHARS]!r} is not a number: {reason}")
        self.reason = reason


@dataclass(frozen=True)
class ParsedNumber:
    value: Decimal
    ambiguous: bool
    """A single '.' or ',' before three digits was taken for a thousands mark (see the module's rule)."""


def _whole(part: str, text: str) -> str:
    """Digits of the whole part with its thousands groups checked."""
    groups = re.split(r"[ .,'\u00a0\u202f]", part)
    if len(groups) > 1 and (not 1 <= len(groups[0]) <= 3 or any(len(group) != 3 for group in groups[1:])):
        raise AmountFormatError(text, "thousands groups must have three digits")
    if not all(_DIGITS.fullmatch(group) for group in groups):
        raise AmountFormatError(text, "stray separator")
    return "".join(groups)


def parse_number(text: str) -> ParsedNumber:
    """The number in `text` (a unit or currency around it allowed); AmountFormatError when there is none or
    more than one reading would be a guess beyond the module's rule."""
    if len(text) > MAX_NUMBER_CHARS:
        raise AmountFormatError(text, f"longer than {MAX_NUMBER_CHARS} characters")
    around = _AROUND.fullmatch(text)
    core = around.group("number") if around else text
    if not _NUMBER.fullmatch(core):
        raise AmountFormatError(text, "characters other than digits and separators")
    sign = "-" if core.startswith("-") else ""
    body = core.lstrip("+-")
    if body.rstrip(" .,'\u00a0\u202f") != body:
        raise AmountFormatError(text, "ends with a separator")
    marks = [(i, ch) for i, ch in enumerate(body) if ch in ".,"]
    ambiguous = False
    decimal_at: int | None = None
    if marks:
        kinds = {ch for _, ch in marks}
        last_at, last = marks[-1]
        if len(kinds) == 2:
            if sum(ch == last for _, ch in marks) > 1:
                raise AmountFormatError(text, "more than one decimal mark")
            decimal_at = last_at
        elif len(marks) == 1:
            tail = body[last_at + 1:]
            head = _GROUPING.sub("", body[:last_at])
            if len(tail) == 3 and _DIGITS.fullmatch(tail) and head != "0" and not _GROUPING.search(body[:last_at]):
                ambiguous = True
            else:
                decimal_at = last_at
    whole_part, fraction = (body, "") if decimal_at is None else (body[:decimal_at], body[decimal_at + 1:])
    if fraction and not _DIGITS.fullmatch(fraction):
        raise AmountFormatError(text, "stray separator after the decimal mark")
    digits = _whole(whole_part, text)
    try:
        value = Decimal(f"{sign}{digits}.{fraction}" if fraction else f"{sign}{digits}")
    except InvalidOperation as error:  # unreachable for the patterns above; kept as a clear error, not a crash
        raise AmountFormatError(text, "not a decimal") from error
    return ParsedNumber(value, ambiguous)


def parse_count(text: str) -> int:
    """A whole number of packages or items ("12", "1 200", "33 pallets" is refused: the unit is the packing's box)."""
    parsed = parse_number(text)
    if parsed.value != parsed.value.to_integral_value():
        raise AmountFormatError(text, "not a whole number")
    return int(parsed.value)
