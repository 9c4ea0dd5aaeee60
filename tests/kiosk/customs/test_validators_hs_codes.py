from __future__ import annotations

from datetime import date

import pytest

from kiosk.customs.findings import Severity
from kiosk.customs.nomenclature import Nomenclature, default_data_dir
from kiosk.customs.validators import validate_hs_code

pytestmark = pytest.mark.skipif(not (default_data_dir() / "harmonized-system.csv").is_file(),
                                reason="the shared HS data is not beside this checkout")


@pytest.fixture(scope="module")
def cn2026() -> Nomenclature:
    return Nomenclature.load(on=date(2026, 5, 1))


@pytest.fixture(scope="module")
def hs_only() -> Nomenclature:
    return Nomenclature.load(on=date(2023, 6, 1))


@pytest.mark.parametrize("code", ["08061010", "0806.10.10", "0806 10 10", "84713000", "03061792", "09011100"])
def test_valid_eight_digit_codes_in_2026(cn2026: Nomenclature, code: str) -> None:
    assert validate_hs_code(code, "invoice.items[0].hs_code", cn2026) == []


@pytest.mark.parametrize("code", ["080610", "847130", "030617"])
def test_six_digit_codes_are_valid_where_no_national_extension_is_in_force(hs_only: Nomenclature, code: str) -> None:
    assert validate_hs_code(code, "f", hs_only) == []


@pytest.mark.parametrize(("code", "restored"), [("8061010", "08061010"), ("30617", "030617"), ("9011100", "09011100")])
def test_a_lost_leading_zero_is_named(cn2026: Nomenclature, code: str, restored: str) -> None:
    (found,) = validate_hs_code(code, "f", cn2026)
    assert found.code == "hs.leading_zero"
    assert found.params["restored"] == restored
    assert "a leading zero lost?" in found.message


@pytest.mark.parametrize(("code", "expected"), [
    ("0806", "hs.heading_only"),
    ("84", "hs.heading_only"),
    ("8471300000", "hs.length"),
    ("8471300", "hs.length"),  # seven digits, but no leading zero restores a code
    ("0806.1O.10", "hs.format"),  # letter O for zero
    ("08069999", "hs.unknown"),
    ("999999", "hs.unspecified"),
    ("", "hs.missing"),
])
def test_invalid_codes(cn2026: Nomenclature, code: str, expected: str) -> None:
    assert [item.code for item in validate_hs_code(code, "f", cn2026)] == [expected]


def test_an_eight_digit_code_is_unknown_before_the_national_extension(hs_only: Nomenclature) -> None:
    (found,) = validate_hs_code("08061010", "f", hs_only)
    assert (found.code, found.message) == ("hs.unknown", "08061010 is not in the nomenclature in force (HS 2022)")


def test_a_subheading_split_nationally_is_a_warning(cn2026: Nomenclature) -> None:
    (found,) = validate_hs_code("080610", "invoice.items[3].hs_code", cn2026)
    assert found.code == "hs.national_code_expected"
    assert found.severity is Severity.WARNING
    assert found.params["example"].startswith("080610")
    assert found.field == "invoice.items[3].hs_code"
