"""Normalising values read from trade documents: each parser returns the canonical form, or None.

A value that does not parse is not thrown away by the readers (the driver may still correct it),
but it is never trusted: `vision.key_values` caps its confidence. Canonical forms: dates ISO 8601,
amounts and weights as decimal strings with the printed decimals, currencies ISO 4217, Incoterms
2020 codes, countries ISO 3166 alpha-2.
"""

from __future__ import annotations

import difflib
import re
from datetime import date, datetime

from vision import iso6346
from vision.plates import correct_plate

ISO_4217 = frozenset((
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN", "BHD", "BIF",
    "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHF", "CLP", "CNY", "COP", "CRC",
    "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS",
    "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD",
    "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL",
    "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MYR", "MZN", "NAD",
    "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD",
    "RUB", "RWF", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP",
    "SZL", "THB", "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYU", "UZS", "VES",
    "VND", "VUV", "WST", "XAF", "XCD", "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWL",
))
"""Active ISO 4217 currency codes (2024)."""

INCOTERMS_2020 = frozenset({"EXW", "FCA", "CPT", "CIP", "DAP", "DPU", "DDP", "FAS", "FOB", "CFR", "CIF"})

COUNTRIES: dict[str, tuple[str, ...]] = {
    "GE": ("georgia", "sakartvelo", "грузия", "საქართველო"),
    "TR": ("türkiye", "turkiye", "turkey", "türkiye cumhuriyeti", "турция"),
    "AZ": ("azerbaijan", "azərbaycan", "азербайджан", "აზერბაიჯანი"),
    "AM": ("armenia", "hayastan", "армения", "სომხეთი"),
    "RU": ("russia", "russian federation", "россия", "российская федерация", "რუსეთი"),
    "UA": ("ukraine", "україна", "украина"),
    "KZ": ("kazakhstan", "казахстан"),
    "IR": ("iran", "islamic republic of iran"),
    "CN": ("china", "people's republic of china"),
    "DE": ("germany", "deutschland", "германия"),
    "PL": ("poland", "polska", "польша"),
    "LT": ("lithuania", "lietuva", "литва"),
    "LV": ("latvia", "latvija"),
    "EE": ("estonia", "eesti"),
    "FR": ("france", "франция"),
    "IT": ("italy", "italia", "италия"),
    "ES": ("spain", "españa"),
    "NL": ("netherlands", "nederland"),
    "BE": ("belgium", "belgië", "belgique"),
    "AT": ("austria", "österreich"),
    "CZ": ("czechia", "czech republic", "česko"),
    "SK": ("slovakia", "slovensko"),
    "HU": ("hungary", "magyarország"),
    "BG": ("bulgaria", "българия", "болгария"),
    "RO": ("romania", "românia", "румыния"),
    "GR": ("greece", "ελλάδα"),
    "GB": ("united kingdom", "great britain"),
    "US": ("united states", "united states of america", "usa"),
}
_COUNTRY_BY_NAME = {name: code for code, names in COUNTRIES.items() for name in names}

_DATE_FORMATS = ("%d.%m.%Y", "%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d %b %Y", "%d %B %Y", "%d.%m.%y")
_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{1,2} [A-Za-z]{3,9}\.? \d{4}")
_NUMBER = re.compile(r"\d{1,3}(?:[ \u00a0.,']\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?")


def parse_date(text: str) -> str | None:
    """The first date in `text` as YYYY-MM-DD; day-first where ambiguous (as the region writes them)."""
    for found in _DATE.finditer(text):
        raw = found.group().rstrip(".").replace(". ", " ")
        for fmt in _DATE_FORMATS:
            try:
                parsed = datetime.strptime(raw, fmt).date()
            except ValueError:
                continue
            if date(1990, 1, 1) <= parsed <= date(2100, 1, 1):
                return parsed.isoformat()
    return None


def parse_amount(text: str) -> str | None:
    """The first number in `text` as a decimal string ('101 808,00' and '101,808.00' -> '101808.00').

    A separator followed by one or two final digits is the decimal mark; groups of three are thousands.
    """
    found = _NUMBER.search(text)
    if found is None:
        return None
    raw = found.group()
    decimals = re.search(r"[.,](\d{1,2})$", raw)
    whole = raw[: decimals.start()] if decimals else raw
    digits = re.sub(r"\D", "", whole)
    return f"{int(digits)}.{decimals.group(1)}" if decimals else str(int(digits))


def parse_currency(text: str) -> str | None:
    """An ISO 4217 code standing alone in `text` (the last one: amounts print it after the number)."""
    codes = [token for token in re.findall(r"\b[A-Z]{3}\b", text.upper()) if token in ISO_4217]
    return codes[-1] if codes else None


def parse_incoterm(text: str) -> str | None:
    """The Incoterms 2020 code at the start of `text` ('DAP Tbilisi' -> 'DAP')."""
    tokens = re.findall(r"[A-Z]{3}", text.upper())
    return next((token for token in tokens[:2] if token in INCOTERMS_2020), None)


def parse_country(text: str) -> str | None:
    """The ISO 3166 alpha-2 code of a country named in `text` (English or its own name; one misread letter
    forgiven in names of six letters or more: 'Tirkiye')."""
    cleaned = re.sub(r"[^\w' ]", " ", text.lower()).split()
    for length in (3, 2, 1):
        for i in range(len(cleaned) - length + 1):
            name = " ".join(cleaned[i:i + length])
            close = difflib.get_close_matches(name, _COUNTRY_BY_NAME, n=1, cutoff=1.0 if len(name) < 6 else 0.85)
            if close:
                return _COUNTRY_BY_NAME[close[0]]
    return None


def parse_count(text: str) -> str | None:
    """A whole number standing alone (a package count)."""
    found = re.fullmatch(r"\s*(\d{1,6})\s*", text)
    return str(int(found.group(1))) if found else None


_LATIN_TWINS = str.maketrans("АВЕКМНОРСТХаеорсх", "ABEKMHOPCTXaeopcx")
"""Cyrillic letters drawn like Latin ones: a page read in rus+eng may spell a Latin number with them."""


def parse_reference(text: str) -> str | None:
    """A document number: up to three tokens holding at least three digits, spacing kept as printed,
    a leading 'No'/'№' dropped and Cyrillic look-alikes put back to Latin (numbers are printed in Latin)."""
    tokens = re.sub(r"^\s*(?:n[o°º]\.?\s+|№\s*)", "", text.translate(_LATIN_TWINS), flags=re.IGNORECASE).split()
    if not tokens or len(tokens) > 3:
        return None
    value = " ".join(tokens).strip(" .,;:")
    return value if sum(ch.isdigit() for ch in value) >= 3 and re.fullmatch(r"[\w/\-. ]+", value) else None


def parse_container(text: str) -> str | None:
    """An ISO 6346 container number whose check digit holds ('TGHU 967631 2' -> 'TGHU9676312')."""
    found = re.search(r"[A-Z]{3}[UJZ]\s?\d{6}\s?\d", text.upper())
    if found is None:
        return None
    number = found.group().replace(" ", "")
    return number if iso6346.is_valid(number) else None


def parse_plate(text: str) -> str | None:
    """A vehicle plate fitting a country's shape (`vision.plates`); the truck's of 'truck / trailer'."""
    plate, fits = correct_plate(text.split("/")[0].strip())
    return plate if fits else None


def parse_incoterm_place(text: str) -> str | None:
    """The named place after an Incoterms 2020 code ('DAP Tbilisi' -> 'Tbilisi')."""
    found = re.match(r"\s*([A-Z]{3})\b[\s,]*(\S.*)", text)
    if found is None or found.group(1) not in INCOTERMS_2020:
        return None
    return found.group(2).strip()
