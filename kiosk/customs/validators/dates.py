"""Document dates as CMRs, invoices and certificates print them, and the plausibility of those dates.

Day-first forms only (dd.mm.yyyy, dd/mm/yyyy, dd-mm-yyyy) besides ISO yyyy-mm-dd: the documents a Georgian
border sees come from day-first countries, so a slash date whose second number exceeds 12 is refused as a
probable US month-first date instead of being guessed. Two-digit years are refused rather than guessed.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from kiosk.customs.findings import Finding, Severity, finding

MAX_AGE = timedelta(days=730)
"""A document date older than two years is implausible for goods crossing the border now."""
FUTURE_SLACK = timedelta(days=1)
"""A date one day ahead is accepted: the issuing country may already be in tomorrow (UTC+5 vs UTC+4)."""

_DAY_FIRST = re.compile(r"([0-9]{1,2})[./-]([0-9]{1,2})[./-]([0-9]{2}|[0-9]{4})")
_ISO = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
FORMS = "dd.mm.yyyy, yyyy-mm-dd or dd/mm/yyyy"


class DateFormatError(ValueError):
    """A text that is not a document date; `code` and `params` make the finding."""

    def __init__(self, code: str, template: str, **params: str) -> None:
        super().__init__(template.format(**params))
        self.code, self.template, self.params = code, template, params


def parse_document_date(text: str) -> date:
    """'07.03.2026', '2026-03-07', '7/3/2026' -> date(2026, 3, 7); anything else raises `DateFormatError`."""
    value = text.strip()
    if match := _ISO.fullmatch(value):
        year, month, day = (int(part) for part in match.groups())
    elif match := _DAY_FIRST.fullmatch(value):
        if len(match.group(3)) == 2:
            raise DateFormatError("dates.two_digit_year", "{value} has a two-digit year; write the year in full",
                                  value=value)
        day, month, year = (int(part) for part in match.groups())
        if month > 12 and day <= 12 and "/" in value:
            raise DateFormatError("dates.month_first", "{value} reads as month/day/year; write it as {forms}",
                                  value=value, forms=FORMS)
    else:
        raise DateFormatError("dates.format", "{value} is not a date in a known form ({forms})", value=value,
                              forms=FORMS)
    try:
        return date(year, month, day)
    except ValueError:
        raise DateFormatError("dates.invalid", "{value} is not a calendar date", value=value) from None


def validate_document_date(value: str | date, field: str, today: date | None = None) -> list[Finding]:
    """Findings for a document date: readable, not in the future (beyond `FUTURE_SLACK`), not older than `MAX_AGE`."""
    if isinstance(value, str):
        if not value.strip():
            return [finding("dates.missing", field, "a date is required")]
        try:
            value = parse_document_date(value)
        except DateFormatError as error:
            return [finding(error.code, field, error.template, Severity.ERROR, **error.params)]
    if isinstance(value, datetime):
        value = value.date()
    today = today or date.today()
    if value > today + FUTURE_SLACK:
        return [finding("dates.future", field, "{date} is in the future (today is {today})", date=value.isoformat(),
                        today=today.isoformat())]
    if value < today - MAX_AGE:
        return [finding("dates.too_old", field, "{date} is more than {days} days ago; check the year",
                        date=value.isoformat(), days=MAX_AGE.days)]
    return []


def validate_date_order(issued: date, expires: date, field: str) -> list[Finding]:
    """A validity period (a certificate, a licence) must end after it starts; the finding points at the expiry."""
    if expires > issued:
        return []
    return [finding("dates.expiry_not_after_issue", field, "the expiry date {expires} is not after the issue date "
                    "{issued}", expires=expires.isoformat(), issued=issued.isoformat())]


def validate_not_expired(expires: date, field: str, today: date | None = None) -> list[Finding]:
    today = today or date.today()
    if expires >= today:
        return []
    return [finding("dates.expired", field, "expired on {expires}", expires=expires.isoformat())]
