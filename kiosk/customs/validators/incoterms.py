"""Delivery terms (box 20): an Incoterms 2020 rule and its named place.

Old contracts and invoice templates still print rules that Incoterms 2010 or 2020 withdrew; the finding names
the 2020 rule that took their place, so the driver can correct the draft without a lookup.
"""

from __future__ import annotations

import re

from kiosk.customs.findings import Finding, finding
from kiosk.customs.sad import INCOTERMS_2020

WITHDRAWN = {
    "DAT": ("2010", "DPU"),
    "DEQ": ("2000", "DPU"),
    "DDU": ("2000", "DAP"),
    "DAF": ("2000", "DAP"),
    "DES": ("2000", "DAP"),
}
"""Withdrawn rule -> (the last edition that had it, its Incoterms 2020 successor)."""
OLD_NAMES = {"C&F": "CFR", "CNF": "CFR", "C+F": "CFR", "CANDF": "CFR"}

_EDITION = re.compile(r"[\s,;(]*\bINCOTERMS?\s*\d{4}\s*\)?\s*$", re.IGNORECASE)
_RULE_AND_PLACE = re.compile(r"\s*([A-Za-z&+]{3,5})\b[\s,:;-]*(.*)", re.DOTALL)


def split_incoterm(text: str) -> tuple[str, str]:
    """'FCA Tbilisi, Incoterms 2020' -> ('FCA', 'Tbilisi'): documents print the rule and place in one box."""
    match = _RULE_AND_PLACE.fullmatch(_EDITION.sub("", text))
    if match is None:
        return text.strip().upper(), ""
    return match.group(1).upper(), match.group(2).strip(" ,;")


def validate_incoterm(rule: str, place: str, field: str) -> list[Finding]:
    """Findings for a rule and its named place; the findings point at `{field}.incoterm` / `{field}.incoterm_place`."""
    code = rule.strip().upper()
    rule_field = f"{field}.incoterm"
    if not code:
        return [finding("incoterm.missing", rule_field, "the delivery terms (an Incoterms 2020 rule) are required")]
    if code in WITHDRAWN:
        edition, successor = WITHDRAWN[code]
        return [finding("incoterm.withdrawn", rule_field, "{rule} was withdrawn after Incoterms {edition}; Incoterms "
                        "2020 replaced it with {successor}", rule=code, edition=edition, successor=successor)]
    if code in OLD_NAMES:
        return [finding("incoterm.old_name", rule_field, "{rule} is an old name; the Incoterms 2020 rule is "
                        "{successor}", rule=code, successor=OLD_NAMES[code])]
    if code not in INCOTERMS_2020:
        return [finding("incoterm.unknown", rule_field, "{rule} is not an Incoterms 2020 rule ({rules})", rule=code,
                        rules=", ".join(INCOTERMS_2020))]
    if not place.strip():
        return [finding("incoterm.place_missing", f"{field}.incoterm_place", "{rule} needs a named place "
                        "(e.g. {rule} Tbilisi)", rule=code)]
    return []
