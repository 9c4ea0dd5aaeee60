from __future__ import annotations

import pytest
from stdnum import iso6346 as independent

from kiosk.customs.validators import normalize_container, validate_container

VALID = [
    "CSQU3054383",  # the example of ISO 6346 itself
    "csqu 305438 3",  # lower case, check digit set apart as on the box
    "CSQU 305438-3",
    "MSKU9070323",
    "APZU3789870",  # weighted sum 8040 = 10 (mod 11), written as 0
    "TCLU1234568",
    "ABCJ1234563",  # category J: detachable equipment
    "XYZZ0000010",  # category Z: trailer or chassis; weighted sum 1078 = 98 × 11
]
INVALID = [
    ("CSQU3054384", "container.check_digit"),
    ("MSKU9070320", "container.check_digit"),
    ("CSQA3054383", "container.category"),
    ("C5QU3054383", "container.owner"),
    ("CSQU30543B3", "container.serial"),
    ("CSQU305438", "container.length"),
    ("CSQU30543833", "container.length"),
    ("", "container.missing"),
]


@pytest.mark.parametrize("number", VALID)
def test_valid_container_numbers(number: str) -> None:
    assert validate_container(number, "cmr.containers[0]") == []
    assert independent.is_valid(normalize_container(number))  # a second, independent implementation agrees


@pytest.mark.parametrize(("number", "code"), INVALID)
def test_invalid_container_numbers(number: str, code: str) -> None:
    assert [item.code for item in validate_container(number, "cmr.containers[0]")] == [code]


def test_check_digit_message_names_the_expected_digit() -> None:
    (found,) = validate_container("CSQU 305438 4", "cmr.containers[0]")
    assert found.message == "CSQU3054384: the check digit should be 3, not 4"
    assert found.params == {"number": "CSQU3054384", "expected": 3, "found": 4}
    assert found.field == "cmr.containers[0]"


def test_iso_6346_example_by_hand() -> None:
    # C=13 S=30 Q=28 U=32 3 0 5 4 3 8, weighted by 1, 2, 4, ... 512: sum 6185; 6185 mod 11 = 3
    values = [13, 30, 28, 32, 3, 0, 5, 4, 3, 8]
    assert sum(value * 2**i for i, value in enumerate(values)) == 6185
    assert validate_container("CSQU3054383", "f") == []
