"""ISO 3166-1 country codes as documents write them: alpha-2 or alpha-3, any case.

The SAD wants alpha-2, while CMRs and certificates often carry alpha-3 ("GEO") or the EU's and the UK's
own habits ("EL", "UK"); all of these are read as the country they mean, and anything else gets a
finding that tells the driver what was expected.
"""

from __future__ import annotations

import pycountry

from kiosk.customs.findings import Finding, finding

EU_MEMBER_STATES = frozenset({
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
    "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
})
"""The 27 member states (alpha-2) since 1 February 2020."""

RESERVED_ALIASES = {"UK": "GB", "EL": "GR"}
"""ISO 3166 'exceptionally reserved' codes in everyday use on documents."""


def normalize_country(code: str) -> str | None:
    """The alpha-2 code for an alpha-2 or alpha-3 code in any case ('geo' -> 'GE'); None if unknown."""
    text = code.strip().upper()
    if text in RESERVED_ALIASES:
        return RESERVED_ALIASES[text]
    if len(text) == 2 and text.isalpha():
        country = pycountry.countries.get(alpha_2=text)
    elif len(text) == 3 and text.isalpha():
        country = pycountry.countries.get(alpha_3=text)
    else:
        return None
    return None if country is None else str(country.alpha_2)


def validate_country(value: str, field: str) -> list[Finding]:
    """No finding for a known code; a country *name* is refused with the code it stands for."""
    if normalize_country(value) is not None:
        return []
    text = value.strip()
    if not text:
        return [finding("country.missing", field, "a country code is required")]
    try:
        named = pycountry.countries.lookup(text)
    except LookupError:
        return [finding("country.unknown", field,
                        "{value} is not an ISO 3166 country code (two or three letters, e.g. GE or GEO)", value=text)]
    return [finding("country.name_not_code", field, "{value} is a country name; write its ISO code {suggestion}",
                    value=text, suggestion=str(named.alpha_2))]
