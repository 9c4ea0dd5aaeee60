from __future__ import annotations

import pytest

from vision.plates import correct_plate, normalise_plate


@pytest.mark.parametrize(
    ("read", "expected"),
    [
        ("A306A0 23", "A306AO 23"),  # RU: letters in positions 5-6, the O was read as a zero
        ("Y374A0 61", "Y374AO 61"),
        ("AB-I23-CD", "AB-123-CD"),  # GE: digits in the middle group
        ("34 ABC 123", "34 ABC 123"),  # TR, already fine
        ("10-AB-123", "10-AB-123"),  # AZ
    ],
)
def test_a_unique_swap_that_fits_a_country_shape_is_applied(read: str, expected: str) -> None:
    assert correct_plate(read) == (expected, True)


def test_a_reading_that_fits_no_shape_is_kept_and_flagged() -> None:
    assert correct_plate("??-12") == ("??-12", False)


def test_spacing_around_hyphens_is_normalised() -> None:
    assert normalise_plate("  vv -844- wz ") == "VV-844-WZ"


@pytest.mark.parametrize(
    ("read", "expected"),
    [
        ("38 E7759", "38 E 7759"),  # TR: the gap between the letter and the digits not seen
        ("38E7759", "38 E 7759"),
        ("12CK 243", "12 CK 243"),
    ],
)
def test_a_reading_that_fits_once_its_letter_and_digit_groups_are_spaced_is_spaced(read: str, expected: str) -> None:
    assert correct_plate(read) == (expected, True)


def test_a_plate_that_fits_as_read_keeps_its_spacing() -> None:
    assert correct_plate("A306AO 23") == ("A306AO 23", True)  # RU: no space between letters and digits


@pytest.mark.parametrize(
    ("read", "expected"),
    [
        ("XSR690", "XSR 690"),  # LT: fits as read too, but plates print a gap between their groups
        ("T962BE23", "T962BE 23"),  # RU: only the region is set apart
    ],
)
def test_a_plate_read_without_its_gaps_gets_the_spacing_with_the_most_gaps_that_fits(read: str, expected: str) -> None:
    assert correct_plate(read) == (expected, True)
