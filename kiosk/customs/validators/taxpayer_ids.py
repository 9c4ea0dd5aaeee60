"""Taxpayer identification numbers of the parties (boxes 2, 8, 14), by the country that issued them.

python-stdnum carries the published check-digit rules for Turkey (VKN, T.C. Kimlik No), Russia (INN),
Ukraine (EDRPOU, RNTRC), Azerbaijan (VÖEN) and the EU VAT numbers. Georgia's identification codes (9 digits,
organisations) and personal numbers (11 digits) and Armenia's TIN (8 digits) have no published check digit,
so only their form is checked. Kazakhstan's BIN and IIN (12 digits) carry the check digit the Kazakh
registers define: weights 1..11 over the first eleven digits, modulo 11; a result of 10 is recomputed with
weights 3..11, 1, 2, and a second 10 means no valid number.
"""

from __future__ import annotations

import re
from typing import Protocol

from stdnum import get_cc_module
from stdnum.az import voen
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import InvalidChecksum, InvalidLength, ValidationError
from stdnum.ru import inn
from stdnum.tr import tckimlik, vkn
from stdnum.ua import edrpou, rntrc

from kiosk.customs.findings import Finding, finding
from kiosk.customs.validators.countries import EU_MEMBER_STATES

_SEPARATORS = re.compile(r"[\s\-./]+")
_DIGITS = re.compile(r"[0-9]+")


class _Checker(Protocol):
    """What the stdnum modules used here offer: `validate` raises a `ValidationError` subclass."""

    def validate(self, number: str) -> str: ...


STDNUM_IDS: dict[str, tuple[tuple[str, _Checker], ...]] = {
    "TR": (("VKN", vkn), ("T.C. Kimlik No", tckimlik)),
    "RU": (("INN", inn),),
    "UA": (("EDRPOU", edrpou), ("RNTRC", rntrc)),
    "AZ": (("VÖEN", voen),),
}
DIGIT_FORMS = {"GE": (9, 11), "AM": (8,)}
"""Countries checked by form alone: how many digits their ids have."""
VAT_PREFIX = {"GR": "EL"}
"""Where the VAT prefix differs from the ISO code."""


def kz_check_digit(first_eleven: str) -> int | None:
    """The 12th digit of a Kazakh BIN/IIN; None where both weightings give 10 (no number is issued)."""
    digits = [int(ch) for ch in first_eleven]
    for weights in (range(1, 12), [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]):
        remainder = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
        if remainder != 10:
            return remainder
    return None


def validate_taxpayer_id(value: str, country: str, field: str) -> list[Finding]:
    """Findings for a taxpayer id issued by `country` (alpha-2). Countries no rule covers get no finding."""
    code = country.strip().upper()
    text = _SEPARATORS.sub("", value.strip().upper())
    if not text:
        return [finding("taxpayer_id.missing", field, "a taxpayer id is required")]
    if code in DIGIT_FORMS:
        return _digits_only(text, code, field, DIGIT_FORMS[code])
    if code == "KZ":
        found = _digits_only(text, code, field, (12,))
        if not found and kz_check_digit(text[:11]) != int(text[11]):
            return [finding("taxpayer_id.checksum", field, "{value}: wrong check digit for {kind} ({country})",
                            value=text, country=code, kind="BIN/IIN")]
        return found
    if code in STDNUM_IDS:
        return _stdnum(text, code, field, STDNUM_IDS[code])
    if code in EU_MEMBER_STATES or code == "XI":
        prefix = VAT_PREFIX.get(code, code)
        national = text[2:] if text[:2] in (code, prefix) else text
        return _stdnum(text, code, field, (("VAT number", eu_vat),), checked=prefix + national)
    module = get_cc_module(code.lower(), "vat") if code.isalpha() and len(code) == 2 else None
    return [] if module is None else _stdnum(text, code, field, (("VAT number", module),))


def _digits_only(text: str, country: str, field: str, lengths: tuple[int, ...]) -> list[Finding]:
    if not _DIGITS.fullmatch(text):
        return [finding("taxpayer_id.format", field, "{value}: a {country} taxpayer id has digits only",
                        value=text, country=country)]
    if len(text) not in lengths:
        return [finding("taxpayer_id.length", field, "{value} has {length} digits; a {country} taxpayer id has "
                        "{lengths}", value=text, length=len(text), country=country,
                        lengths=" or ".join(str(n) for n in lengths))]
    return []


def _stdnum(text: str, country: str, field: str, kinds: tuple[tuple[str, _Checker], ...],
            checked: str | None = None) -> list[Finding]:
    """Findings naming `text` as typed, for the number `checked` (default: `text`) that stdnum validates."""
    errors: list[tuple[str, ValidationError]] = []
    for name, module in kinds:
        try:
            module.validate(checked or text)
        except ValidationError as error:
            errors.append((name, error))
        else:
            return []
    wrong_checksum = [name for name, error in errors if isinstance(error, InvalidChecksum)]
    if wrong_checksum:
        return [finding("taxpayer_id.checksum", field, "{value}: wrong check digit for {kind} ({country})",
                        value=text, country=country, kind=wrong_checksum[0])]
    if all(isinstance(error, InvalidLength) for _, error in errors):
        return [finding("taxpayer_id.length", field, "{value} has the length of no {country} taxpayer id ({kinds})",
                        value=text, country=country, kinds=", ".join(name for name, _ in kinds))]
    return [finding("taxpayer_id.format", field, "{value} is not a valid {kind} ({country})", value=text,
                    country=country, kind=" or ".join(name for name, _ in kinds))]
