from __future__ import annotations

import pytest

from kiosk.customs.validators import normalize_currency, validate_currency


@pytest.mark.parametrize(("value", "code"), [("GEL", "GEL"), ("eur", "EUR"), (" USD ", "USD"), ("TRY", "TRY"),
                                             ("KZT", "KZT"), ("AZN", "AZN")])
def test_currencies_in_force(value: str, code: str) -> None:
    assert normalize_currency(value) == code
    assert validate_currency(value, "invoice.currency") == []


@pytest.mark.parametrize(("value", "code", "params"), [
    ("RUR", "currency.withdrawn", {"value": "RUR", "current": "RUB"}),
    ("trl", "currency.withdrawn", {"value": "TRL", "current": "TRY"}),
    ("981", "currency.numeric", {"value": "981", "suggestion": "GEL"}),
    ("XYZ", "currency.unknown", {"value": "XYZ"}),
    ("EURO", "currency.unknown", {"value": "EURO"}),
    ("€", "currency.unknown", {"value": "€"}),
    ("", "currency.missing", {}),
])
def test_invalid_currencies(value: str, code: str, params: dict[str, str]) -> None:
    assert normalize_currency(value) is None
    (found,) = validate_currency(value, "invoice.currency")
    assert (found.code, found.params, found.field) == (code, params, "invoice.currency")


def test_withdrawn_message_names_the_replacement() -> None:
    (found,) = validate_currency("RUR", "invoice.currency")
    assert found.message == "RUR is a withdrawn currency code; RUB replaced it"
