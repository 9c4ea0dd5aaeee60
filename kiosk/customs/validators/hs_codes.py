"""HS codes of a declaration against the nomenclature in force on its date.

A declaration classifies each item at least to the HS subheading (6 digits), or to the national
8 digits; a chapter or heading alone cannot be assessed. Spreadsheets that held codes as numbers drop
the leading zero of chapters 01–09 ('30617' for 0306.17), so an odd length is checked for that first.
"""

from __future__ import annotations

import re

from kiosk.customs.findings import Finding, Severity, finding
from kiosk.customs.nomenclature import Nomenclature

_SEPARATORS = re.compile(r"[\s.\-]+")
_DIGITS = re.compile(r"[0-9]+")
UNSPECIFIED_SECTION = "TOTAL"
"""The section of trade statistics' chapter 99 codes ('commodities not specified according to kind')."""


def validate_hs_code(code: str, field: str, nomenclature: Nomenclature) -> list[Finding]:
    """Findings for `code` in `nomenclature` (load it for the declaration date: `Nomenclature.load(on=...)`).

    A six-digit code whose subheading the edition splits further into national eight-digit codes is a
    warning, not an error: it is a valid HS code, yet the national code would be more precise.
    """
    digits = _SEPARATORS.sub("", code.strip())
    if not digits:
        return [finding("hs.missing", field, "an HS code is required")]
    if not _DIGITS.fullmatch(digits):
        return [finding("hs.format", field, "{hs} is not an HS code: digits only (e.g. 0306.17 or 08061010)",
                        hs=code.strip())]
    if len(digits) in (5, 7) and ("0" + digits) in nomenclature:
        restored = "0" + digits
        return [finding("hs.leading_zero", field, "{hs} has {length} digits: a leading zero lost? {restored} is "
                        "\"{description}\"", hs=digits, length=len(digits), restored=restored,
                        description=nomenclature.lookup(restored).description)]
    if len(digits) in (2, 4):
        return [finding("hs.heading_only", field, "{hs} is a chapter or heading; a declaration needs the 6-digit "
                        "subheading or the 8-digit national code", hs=digits)]
    if len(digits) not in (6, 8):
        return [finding("hs.length", field, "{hs} has {length} digits; an HS code in a declaration has 6 or 8",
                        hs=digits, length=len(digits))]
    if digits not in nomenclature:
        return [finding("hs.unknown", field, "{hs} is not in the nomenclature in force ({edition})", hs=digits,
                        edition=nomenclature.edition)]
    if nomenclature.lookup(digits).section == UNSPECIFIED_SECTION:
        return [finding("hs.unspecified", field, "{hs} stands for goods not specified by kind; declare the goods' "
                        "own code", hs=digits)]
    national = [entry.code for entry in nomenclature.children(digits) if entry.level == 8]
    if national:
        return [finding("hs.national_code_expected", field, "{hs} is split into national codes in {edition}, "
                        "e.g. {example}; declare the 8-digit code", severity=Severity.WARNING, hs=digits,
                        edition=nomenclature.edition, example=national[0])]
    return []
