from __future__ import annotations

import pytest

from kiosk.customs.validators import validate_taxpayer_id
from kiosk.customs.validators.taxpayer_ids import kz_check_digit

VALID = [
    # Georgia: 9-digit identification codes of organisations, 11-digit personal numbers (form only)
    ("GE", "204378869"),
    ("GE", "204 854 595"),
    ("GE", "01001012345"),
    # Armenia: 8-digit TIN (form only)
    ("AM", "02500089"),
    ("AM", "00001234"),
    ("AM", "0250 0089"),
    # Turkey: VKN (10) and T.C. Kimlik No (11), the examples python-stdnum documents
    ("TR", "4540536920"),
    ("TR", "17291716060"),
    ("TR", "454 053 6920"),
    # Russia: INN of an organisation (10) and a person (12)
    ("RU", "7707083893"),
    ("RU", "1234567894"),
    ("RU", "123456789047"),
    # Ukraine: EDRPOU (8) and RNTRC (10)
    ("UA", "32855961"),
    ("UA", "1759013776"),
    ("UA", "32855961 "),
    # Azerbaijan: VÖEN
    ("AZ", "1401555071"),
    ("AZ", "140 155 5071"),
    ("AZ", "140-155-5071"),
    # Kazakhstan: BIN/IIN
    ("KZ", "971240001315"),
    ("KZ", "940140000385"),
    ("KZ", "900515300018"),  # 9+0+0+20+5+30+21+0+0+0+11 = 96; 96 mod 11 = 8
    ("KZ", "880712600201"),  # first weighting gives 10; second: 177 mod 11 = 1
    # EU VAT numbers, with or without the prefix
    ("DE", "DE136695976"),
    ("DE", "136695976"),
    ("GR", "EL094259216"),
    ("GR", "GR 094259216"),
    ("GR", "094259216"),
    ("IT", "IT00743110157"),
    ("AT", "ATU13585627"),
    ("NL", "NL004495445B01"),
    ("PL", "PL 8567346215"),
    ("FR", "FR 40 303 265 045"),
]

INVALID = [
    ("GE", "20437886", "taxpayer_id.length"),
    ("GE", "2043788690", "taxpayer_id.length"),
    ("GE", "20437886A", "taxpayer_id.format"),
    ("AM", "0250008", "taxpayer_id.length"),
    ("AM", "025000899", "taxpayer_id.length"),
    ("AM", "O2500089", "taxpayer_id.format"),
    ("TR", "4540536921", "taxpayer_id.checksum"),
    ("TR", "17291716050", "taxpayer_id.checksum"),
    ("TR", "454053692", "taxpayer_id.length"),
    ("RU", "7707083894", "taxpayer_id.checksum"),
    ("RU", "123456789037", "taxpayer_id.checksum"),
    ("RU", "12345678", "taxpayer_id.length"),
    ("UA", "32855968", "taxpayer_id.checksum"),
    ("UA", "1759013770", "taxpayer_id.checksum"),
    ("UA", "12345", "taxpayer_id.length"),
    ("AZ", "1401555081", "taxpayer_id.checksum"),
    ("AZ", "1400057424", "taxpayer_id.format"),  # the last digit must be 1 (legal person) or 2 (natural person)
    ("AZ", "14015550711", "taxpayer_id.length"),
    ("KZ", "971240001316", "taxpayer_id.checksum"),
    ("KZ", "94014000038", "taxpayer_id.length"),
    ("KZ", "97124000131A", "taxpayer_id.format"),
    ("KZ", "97124000131²", "taxpayer_id.format"),  # a superscript two is a digit to str.isdigit, not here
    ("DE", "DE136695978", "taxpayer_id.checksum"),
    ("GR", "EL123456781", "taxpayer_id.checksum"),
    ("IT", "IT00743110158", "taxpayer_id.checksum"),
    ("AT", "ATU13585626", "taxpayer_id.checksum"),
    ("PL", "PL8567346216", "taxpayer_id.checksum"),
    ("NL", "NL123456789B90", "taxpayer_id.checksum"),
    ("GE", "", "taxpayer_id.missing"),
]


@pytest.mark.parametrize(("country", "value"), VALID)
def test_valid_taxpayer_ids(country: str, value: str) -> None:
    assert validate_taxpayer_id(value, country, "invoice.exporter.taxpayer_id") == []


@pytest.mark.parametrize(("country", "value", "code"), INVALID)
def test_invalid_taxpayer_ids(country: str, value: str, code: str) -> None:
    found = validate_taxpayer_id(value, country, "invoice.exporter.taxpayer_id")
    assert [(item.code, item.field) for item in found] == [(code, "invoice.exporter.taxpayer_id")]


def test_three_valid_and_three_invalid_per_country() -> None:
    for country in ("GE", "AM", "TR", "RU", "UA", "AZ", "KZ"):
        assert len([case for case in VALID if case[0] == country]) >= 3, country
        assert len([case for case in INVALID if case[0] == country]) >= 3, country


def test_messages_name_the_number_as_typed() -> None:
    (checksum,) = validate_taxpayer_id("DE 136695978", "DE", "f")
    assert checksum.message == "DE136695978: wrong check digit for VAT number (DE)"
    (length,) = validate_taxpayer_id("2043788690", "GE", "f")
    assert length.message == "2043788690 has 10 digits; a GE taxpayer id has 9 or 11"


def test_kazakh_check_digit_weightings() -> None:
    assert kz_check_digit("97124000131") == 5
    assert kz_check_digit("88071260020") == 1  # needs the second weighting


def test_countries_without_a_rule_are_not_refused() -> None:
    assert validate_taxpayer_id("UZ-302 123 456", "UZ", "f") == []
