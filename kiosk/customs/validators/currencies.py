"""ISO 4217 currency codes: invoices also carry the numeric code or the old code of a redenominated currency."""

from __future__ import annotations

import pycountry

from kiosk.customs.findings import Finding, finding

REPLACED = {"RUR": "RUB", "TRL": "TRY", "AZM": "AZN", "GEK": "GEL", "ROL": "RON", "BGL": "BGN"}
"""Withdrawn codes still printed by old invoice templates -> the code that replaced them."""


def normalize_currency(code: str) -> str | None:
    """The alphabetic code of a currency in force ('gel' -> 'GEL'); None if unknown or withdrawn."""
    text = code.strip().upper()
    if len(text) != 3 or not text.isalpha():
        return None
    currency = pycountry.currencies.get(alpha_3=text)
    return None if currency is None else str(currency.alpha_3)


def validate_currency(value: str, field: str) -> list[Finding]:
    if normalize_currency(value) is not None:
        return []
    text = value.strip().upper()
    if not text:
        return [finding("currency.missing", field, "a currency code is required")]
    if text in REPLACED:
        return [finding("currency.withdrawn", field, "{value} is a withdrawn currency code; {current} replaced it",
                        value=text, current=REPLACED[text])]
    if len(text) == 3 and text.isdigit():
        numeric = pycountry.currencies.get(numeric=text)
        if numeric is not None:
            return [finding("currency.numeric", field, "{value} is the numeric ISO 4217 code; write {suggestion}",
                            value=text, suggestion=str(numeric.alpha_3))]
    return [finding("currency.unknown", field, "{value} is not an ISO 4217 currency code (three letters, e.g. GEL)",
                    value=value.strip())]
