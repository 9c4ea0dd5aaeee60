from __future__ import annotations

import pytest

from kiosk.customs.validators import normalize_eori, validate_eori


@pytest.mark.parametrize("value", [
    "GB123456789000",  # HMRC's form: GB and 12 digits (a VAT number and 000)
    "XI123456789000",  # Northern Ireland
    "gb 123 456 789 000",
    "DE1234567",
    "FR12345678901234",
    "IT00743110157",
    "NL004495445",
    "GR094259216",
    "PL856734621500000",  # PL and 15 characters, the longest allowed
])
def test_valid_eori_numbers(value: str) -> None:
    assert validate_eori(value, "invoice.exporter.eori") == []


@pytest.mark.parametrize(("value", "code"), [
    ("EL094259216", "eori.greek_prefix"),
    ("GE204378869", "eori.country"),  # Georgia issues no EORI numbers
    ("US123456789", "eori.country"),
    ("GB12345678900", "eori.uk_format"),
    ("XI12345678900A", "eori.uk_format"),
    ("PL8567346215000001", "eori.format"),  # 16 characters after PL
    ("DE", "eori.format"),
    ("DE12345_67", "eori.format"),
    ("", "eori.missing"),
])
def test_invalid_eori_numbers(value: str, code: str) -> None:
    found = validate_eori(value, "invoice.exporter.eori")
    assert [(item.code, item.field) for item in found] == [(code, "invoice.exporter.eori")]


def test_messages() -> None:
    (greek,) = validate_eori("EL094259216", "f")
    assert greek.message == "EL094259216: Greek EORI numbers start with GR (EL is the VAT prefix)"
    (uk,) = validate_eori("GB 1234 5678 900", "f")
    assert uk.message == "GB12345678900: a GB EORI number is GB and 12 digits"


def test_normalise() -> None:
    assert normalize_eori(" gb-123 456.789 000 ") == "GB123456789000"
