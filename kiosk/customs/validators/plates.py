"""Vehicle and trailer registration plates, checked against the registering country's format.

A plate arrives typed by a driver or read by OCR, so the same plate can come in several spellings:
spaces, hyphens and dots are dropped, case is folded, and letters that look alike across scripts are
mapped to the script the country prints. Russian and Ukrainian plates use only Cyrillic letters shaped like
Latin ones, so 'A123BC77' typed on a Latin keyboard is the plate 'А123ВС77'; a letter with no such twin
(Д, Ж, or a Latin D) cannot be on such a plate and is refused by name. Latin-script countries get the reverse
mapping (OCR with a Cyrillic model often reads a Latin plate as Cyrillic), as do Greek and Armenian twins.
"""

from __future__ import annotations

import re
from typing import Literal

from kiosk.customs.findings import Finding, finding
from kiosk.customs.validators.plate_formats import GENERIC, RULES, PlateRules

PlateKind = Literal["vehicle", "trailer"]

_SEPARATORS = re.compile(r"[\s\-.·_/]+")
_CYRILLIC_TWINS = {"А": "A", "В": "B", "Е": "E", "І": "I", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
                   "С": "C", "Т": "T", "У": "Y", "Х": "X"}
_GREEK_TWINS = {"Α": "A", "Β": "B", "Ε": "E", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O", "Ρ": "P",
                "Τ": "T", "Χ": "X", "Υ": "Y", "Ζ": "Z"}
_ARMENIAN_TWINS = {"Օ": "O", "Ս": "U", "Տ": "S"}
"""Armenian plates print these Armenian letters where Latin O, U and S stand."""
_TO_LATIN = str.maketrans({**_CYRILLIC_TWINS, **_GREEK_TWINS, **_ARMENIAN_TWINS})
_DIGITS = "0123456789"


def _to_cyrillic(letters: str) -> dict[int, str]:
    """Latin twin -> Cyrillic letter, for the letters a Cyrillic-script country prints."""
    return {ord(_CYRILLIC_TWINS[letter]): letter for letter in letters}


def rules_for(country: str) -> PlateRules:
    """The plate rules of a country (alpha-2); countries without a table entry get a permissive generic rule."""
    return RULES.get(country.strip().upper(), GENERIC)


def normalize_plate(plate: str, country: str) -> str:
    """The compact plate in the country's script: separators removed, upper case, look-alikes mapped.

    Two spellings of one plate normalise to the same string, so documents can be compared by it. Characters
    that have no place on the country's plates are left as they are (`validate_plate` names them).
    """
    rules = rules_for(country)
    text = _SEPARATORS.sub("", plate.strip().upper())
    return text.translate(_to_cyrillic(rules.letters) if rules.cyrillic else _TO_LATIN)


def validate_plate(plate: str, country: str, field: str, kind: PlateKind = "vehicle") -> list[Finding]:
    """Findings for a plate registered in `country` (alpha-2).

    Countries with a trailer series of their own (GE, RU, BE, ES, IT) refuse a vehicle-shaped plate on a
    trailer and the reverse, each with its own code; elsewhere both kinds share the vehicle shapes.
    """
    rules = rules_for(country)
    code = country.strip().upper()
    text = normalize_plate(plate, country)
    if not text:
        return [finding("plate.missing", field, "a registration plate is required")]
    for character in text:
        if character in _DIGITS or character in rules.all_letters or (rules is GENERIC and character.isalpha()):
            continue
        if character.isalpha():
            return [finding("plate.letter", field, "{letter} cannot appear on a {country} plate; the letters used are "
                            "{letters}", letter=character, country=code, letters=" ".join(rules.all_letters))]
        return [finding("plate.character", field, "{character} cannot appear on a plate: letters and digits only",
                        character=character)]
    if kind == "trailer" and rules.trailer:
        if any(pattern.fullmatch(text) for pattern in rules.trailer_patterns):
            return []
        if any(pattern.fullmatch(text) for pattern in rules.vehicle_patterns):
            return [finding("plate.vehicle_on_trailer", field, "{plate} has the form of a {country} vehicle plate; "
                            "{country} trailers carry plates like {example}", plate=text, country=code,
                            example=rules.trailer_example)]
        return [finding("plate.trailer_format", field, "{plate} is not a {country} trailer plate; expected a form "
                        "like {example}", plate=text, country=code, example=rules.trailer_example)]
    if any(pattern.fullmatch(text) for pattern in rules.vehicle_patterns):
        return []
    if kind == "vehicle" and any(pattern.fullmatch(text) for pattern in rules.trailer_patterns):
        return [finding("plate.trailer_on_vehicle", field, "{plate} has the form of a {country} trailer plate; "
                        "{country} vehicles carry plates like {example}", plate=text, country=code,
                        example=rules.example)]
    return [finding("plate.format", field, "{plate} is not a {country} plate; expected a form like {example}",
                    plate=text, country=code, example=rules.example)]
