from __future__ import annotations

import pytest

from kiosk.customs.validators import EU_MEMBER_STATES, normalize_country, validate_country


@pytest.mark.parametrize(("value", "alpha2"), [
    ("GE", "GE"),
    ("geo", "GE"),
    (" TUR ", "TR"),
    ("az", "AZ"),
    ("DEU", "DE"),
    ("UK", "GB"),  # reserved by ISO 3166 for the United Kingdom, common on documents
    ("EL", "GR"),  # the EU's code for Greece
])
def test_known_codes_normalise_to_alpha_2(value: str, alpha2: str) -> None:
    assert normalize_country(value) == alpha2
    assert validate_country(value, "cmr.sender.country") == []


@pytest.mark.parametrize(("value", "code"), [
    ("XX", "country.unknown"),
    ("GEOR", "country.unknown"),
    ("12", "country.unknown"),
    ("SU", "country.unknown"),  # the Soviet Union: withdrawn
    ("", "country.missing"),
    ("Georgia", "country.name_not_code"),
    ("germany", "country.name_not_code"),
])
def test_invalid_country_values(value: str, code: str) -> None:
    assert normalize_country(value) is None
    (found,) = validate_country(value, "cmr.sender.country")
    assert (found.code, found.field) == (code, "cmr.sender.country")


def test_messages() -> None:
    (unknown,) = validate_country("XX", "f")
    assert unknown.message == "XX is not an ISO 3166 country code (two or three letters, e.g. GE or GEO)"
    (name,) = validate_country("Germany", "f")
    assert name.message == "Germany is a country name; write its ISO code DE"
    assert name.params == {"value": "Germany", "suggestion": "DE"}


def test_the_27_member_states_are_iso_codes() -> None:
    assert len(EU_MEMBER_STATES) == 27
    assert "GB" not in EU_MEMBER_STATES
    assert all(normalize_country(code) == code for code in EU_MEMBER_STATES)
