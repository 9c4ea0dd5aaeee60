"""ISO 6346 freight container numbers: owner code, category, serial number and check digit.

The check digit guards against misreads of a number that is typed into customs systems by hand:
letters count 10..38 skipping multiples of 11, each character is weighted by 2**position, and the
sum modulo 11 (10 written as 0) is the digit. Readers validate with it; the generator (`vision.synth`)
makes numbers with it.
"""

from __future__ import annotations

import re

_LETTER_VALUES: dict[str, int] = {}
_value = 10
for _letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
    if _value % 11 == 0:
        _value += 1
    _LETTER_VALUES[_letter] = _value
    _value += 1

_SHAPE = re.compile(r"[A-Z]{3}[UJZ]\d{6}\d?")


def check_digit(first_ten: str) -> int:
    """The check digit of an owner code, category letter and six-digit serial ('CSQU305438' -> 3)."""
    text = first_ten.replace(" ", "").upper()
    if not _SHAPE.fullmatch(text) or len(text) != 10:
        raise ValueError(f"not a container number without check digit: {first_ten!r}")
    total = sum((_LETTER_VALUES[ch] if ch.isalpha() else int(ch)) * (1 << i) for i, ch in enumerate(text))
    return total % 11 % 10


def is_valid(number: str) -> bool:
    """Whether an 11-character container number (spaces allowed) carries the right check digit."""
    text = number.replace(" ", "").upper()
    return len(text) == 11 and bool(_SHAPE.fullmatch(text)) and check_digit(text[:10]) == int(text[10])
