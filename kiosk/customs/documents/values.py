"""Parsers of the values documents share: parties, countries, currencies, dates, HS codes, Incoterms, numbers.

Each takes the text as read (vision's normal form, or the text as printed on a generated page's truth) and returns
`(value, unsure)` in the `kiosk.customs.documents.read.Parse` shape, or raises ValueError saying why. They parse;
whether a value is valid for a declaration (a code in force, a plate's shape) is the validators' business.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pycountry
from pydantic import BaseModel, ConfigDict

from kiosk.customs.documents.amounts import AmountFormatError, parse_number
from kiosk.customs.documents.amounts import parse_count as _parse_count
from kiosk.customs.sad import INCOTERMS_2020
from vision.field_values import parse_country as _country_by_name
from vision.field_values import parse_date as _iso_date


class Party(BaseModel):
    """A party box: its first line is the name, the last names the country when it is one, the rest the address."""

    model_config = ConfigDict(frozen=True)

    name: str
    address: str | None = None
    country: str | None = None


class PlaceAndDate(BaseModel):
    """Boxes like the CMR's 4 and 21: a place and a date written together ('Tbilisi, Georgia, 28.01.2025')."""

    model_config = ConfigDict(frozen=True)

    place: str | None = None
    on: date | None = None


def country_code(text: str) -> str:
    """ISO 3166 alpha-2 of a code ('GE') or a country's name in English or its own language ('Türkiye')."""
    stripped = text.strip().strip(".,")
    if re.fullmatch(r"[A-Za-z]{2}", stripped) and pycountry.countries.get(alpha_2=stripped.upper()) is not None:
        return stripped.upper()
    by_name = _country_by_name(stripped)
    if by_name is not None:
        return by_name
    try:
        return str(pycountry.countries.lookup(stripped).alpha_2)
    except LookupError:
        raise ValueError("no country of that name or code") from None


def parse_country(text: str) -> tuple[str, bool]:
    return country_code(text), False


def parse_currency(text: str) -> tuple[str, bool]:
    """ISO 4217: the text itself when it is a code ('usd' typed by the driver), else the one code printed in capitals
    in it ('Currency: USD'; lower-case words such as 'all' are words, not the lek)."""
    stripped = text.strip()
    tokens = [stripped.upper()] if re.fullmatch(r"[A-Za-z]{3}", stripped) else re.findall(r"\b[A-Z]{3}\b", text)
    codes = {token for token in tokens if pycountry.currencies.get(alpha_3=token) is not None}
    if len(codes) != 1:
        raise ValueError("no ISO 4217 currency code" if not codes else "more than one currency code")
    return codes.pop(), False


def parse_date(text: str) -> tuple[date, bool]:
    """The first date in the text, day first where ambiguous (as the region writes dates), 1990 to 2100."""
    iso = _iso_date(text)
    if iso is None:
        raise ValueError("no date from 1990 to 2100")
    return date.fromisoformat(iso), False


def parse_amount(text: str) -> tuple[Decimal, bool]:
    """A number in any printed convention (`kiosk.customs.documents.amounts`); unsure when the mark was a guess."""
    try:
        parsed = parse_number(text)
    except AmountFormatError as error:
        raise ValueError(error.reason) from None
    return parsed.value, parsed.ambiguous


def parse_count(text: str) -> tuple[int, bool]:
    try:
        return _parse_count(text), False
    except AmountFormatError as error:
        raise ValueError(error.reason) from None


def hs_code(text: str) -> str:
    """An HS code of 4, 6, 8 or 10 digits, dots and spaces dropped ('0802.11' -> '080211'); leading zeros kept."""
    digits = re.sub(r"[\s.]", "", text)
    if not re.fullmatch(r"\d{4}|\d{6}|\d{8}|\d{10}", digits):
        raise ValueError("an HS code has 4, 6, 8 or 10 digits")
    return digits


def parse_hs_code(text: str) -> tuple[str, bool]:
    return hs_code(text), False


def parse_hs_codes(text: str) -> tuple[tuple[str, ...], bool]:
    """The CMR's box 10: one code per goods line, separated by ', ' or ';' ('0802.11, 2204.21')."""
    return tuple(hs_code(part) for part in re.split(r",\s+|;", text) if part.strip()), False


def parse_incoterm(text: str) -> tuple[str, bool]:
    """The Incoterms 2020 code the text starts with ('DAP Tbilisi' -> 'DAP')."""
    first = text.strip().split()[0].upper().strip(".,")
    if first not in INCOTERMS_2020:
        raise ValueError("not an Incoterms 2020 rule")
    return first, False


def parse_incoterm_place(text: str) -> tuple[str, bool]:
    """The named place, without the rule's code when it is printed before it ('DAP Tbilisi' -> 'Tbilisi')."""
    words = text.split()
    if len(words) > 1 and words[0].upper().strip(".,") in INCOTERMS_2020:
        words = words[1:]
    return " ".join(words).strip(" ,"), False


def parse_party(text: str) -> tuple[Party, bool]:
    """Name, address and country from a party box read as one text, its lines joined with ', '.

    The name is the first line (trading names here carry no comma); the country is the last part when that
    names one. A box read without its line breaks gives its whole text as the name.
    """
    parts = [part.strip() for part in text.split(", ") if part.strip()]
    if not parts:
        raise ValueError("no name")
    country: str | None = None
    if len(parts) > 1 and not any(ch.isdigit() for ch in parts[-1]):  # '12 Georgia Street' is no country
        try:
            country = country_code(parts[-1])
        except ValueError:
            country = None
    rest = parts[1:-1] if country else parts[1:]
    return Party(name=parts[0], address=", ".join(rest) or None, country=country), False


_DATE_IN_TEXT = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{1,2} [A-Za-z]{3,9}\.? \d{4}")


def parse_place_and_date(text: str) -> tuple[PlaceAndDate, bool]:
    """'Tbilisi, Georgia, 28.01.2025' or 'Tbilisi 28.01.2025': the place is what is left when the date is cut.

    A box without a date gives the place alone; one whose date does not exist ('31.02.2025') is refused."""
    found = _DATE_IN_TEXT.search(text)
    if found is None:
        return PlaceAndDate(place=text.strip(" ,;") or None), False
    when = _iso_date(found.group())
    if when is None:
        raise ValueError("no such date from 1990 to 2100")
    place = (text[: found.start()] + text[found.end():]).strip(" ,;")
    return PlaceAndDate(place=place or None, on=date.fromisoformat(when)), False


def parse_quantity(text: str) -> tuple[Decimal, bool]:
    """A weight, an amount or a quantity: a number that is never negative."""
    value, unsure = parse_amount(text)
    if value < 0:
        raise ValueError("negative")
    return value, unsure
