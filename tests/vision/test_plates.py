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
