from __future__ import annotations

from datetime import date, datetime

import pytest

from kiosk.customs.validators import (
    DateFormatError,
    parse_document_date,
    validate_date_order,
    validate_document_date,
    validate_not_expired,
)

TODAY = date(2026, 3, 20)


@pytest.mark.parametrize(("text", "expected"), [
    ("07.03.2026", date(2026, 3, 7)),
    ("7.3.2026", date(2026, 3, 7)),
    ("2026-03-07", date(2026, 3, 7)),
    ("07/03/2026", date(2026, 3, 7)),
    ("07-03-2026", date(2026, 3, 7)),
    (" 29.02.2024 ", date(2024, 2, 29)),
])
def test_common_document_forms(text: str, expected: date) -> None:
    assert parse_document_date(text) == expected


@pytest.mark.parametrize(("text", "code"), [
    ("31.02.2026", "dates.invalid"),
    ("29.02.2025", "dates.invalid"),
    ("2026-13-01", "dates.invalid"),
    ("07.03.26", "dates.two_digit_year"),
    ("03/27/2026", "dates.month_first"),
    ("March 7, 2026", "dates.format"),
    ("2026.03.07", "dates.format"),
    ("", "dates.missing"),
])
def test_unreadable_dates(text: str, code: str) -> None:
    assert [item.code for item in validate_document_date(text, "cmr.date", today=TODAY)] == [code]


def test_parse_error_carries_code_and_message() -> None:
    with pytest.raises(DateFormatError) as raised:
        parse_document_date("31.02.2026")
    assert raised.value.code == "dates.invalid"
    assert str(raised.value) == "31.02.2026 is not a calendar date"


@pytest.mark.parametrize("value", ["20.03.2026", "21.03.2026", "2024-03-21", date(2025, 12, 31),
                                   datetime(2026, 3, 20, 23, 30)])
def test_plausible_dates(value: str | date) -> None:
    assert validate_document_date(value, "invoice.date", today=TODAY) == []


@pytest.mark.parametrize(("value", "code"), [
    ("22.03.2026", "dates.future"),  # beyond the one day of slack
    ("2027-03-07", "dates.future"),
    ("2024-03-19", "dates.too_old"),  # 731 days before
    ("07.03.2016", "dates.too_old"),  # a year typed ten years off
])
def test_implausible_dates(value: str, code: str) -> None:
    (found,) = validate_document_date(value, "invoice.date", today=TODAY)
    assert (found.code, found.field) == (code, "invoice.date")


def test_future_message_states_today() -> None:
    (found,) = validate_document_date("2027-03-07", "cmr.date", today=TODAY)
    assert found.message == "2027-03-07 is in the future (today is 2026-03-20)"


@pytest.mark.parametrize(("issued", "expires", "valid"), [
    (date(2026, 1, 10), date(2027, 1, 10), True),
    (date(2026, 1, 10), date(2026, 1, 11), True),
    (date(2026, 1, 10), date(2026, 1, 10), False),
    (date(2026, 1, 10), date(2025, 1, 10), False),
])
def test_issue_before_expiry(issued: date, expires: date, valid: bool) -> None:
    found = validate_date_order(issued, expires, "certificate.expires")
    assert [item.code for item in found] == ([] if valid else ["dates.expiry_not_after_issue"])


def test_expiry_against_today() -> None:
    assert validate_not_expired(date(2026, 3, 20), "certificate.expires", today=TODAY) == []
    (found,) = validate_not_expired(date(2026, 3, 19), "certificate.expires", today=TODAY)
    assert (found.code, found.message) == ("dates.expired", "expired on 2026-03-19")
