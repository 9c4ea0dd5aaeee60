"""Exchange rates by date: GEL for `quantity` units of a currency, as the National Bank publishes them.

A table holds publications, each dated the day its rates come into force. The rate in force on a date is
the one in the latest publication on or before that date that lists the currency, so a weekend or a
holiday uses the last working day's rate. A currency the table never lists, or a date before its first
publication of that currency, is an error: a guessed rate would put a wrong amount on a payment slip.
Rates are `Decimal` from the file's text; conversion is exact here and rounded by the caller.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from kiosk.customs.tariff import TableError, read_json, validated
from kiosk.customs.validators.currencies import normalize_currency

SAMPLE_RATES = Path(__file__).with_name("data") / "rates-sample.json"
"""Ships for tests and the demo; its rates are illustrative, not the National Bank's."""

NATIONAL_CURRENCY = "GEL"


def _iso_4217(code: str) -> str:
    if normalize_currency(code) != code:
        raise ValueError(f"{code!r} is not an ISO 4217 currency")
    return code


Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$"), AfterValidator(_iso_4217)]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ExchangeRate(_Model):
    """`gel` lari for `quantity` units of `currency`, in force since `published`."""

    currency: Currency
    quantity: int = Field(default=1, gt=0, description="1, 10, 100 or 1000 units, as published")
    gel: Decimal = Field(gt=0)
    published: date

    def to_gel(self, amount: Decimal) -> Decimal:
        """Exact; the caller rounds, so the rounding rule is stated once, where the tax is assessed."""
        return amount * self.gel / self.quantity


class _Quote(_Model):
    currency: Currency
    quantity: int = Field(default=1, gt=0)
    gel: Decimal = Field(gt=0)


class _Publication(_Model):
    date: date
    rates: tuple[_Quote, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _each_currency_once(self) -> _Publication:
        codes = [quote.currency for quote in self.rates]
        if NATIONAL_CURRENCY in codes:
            raise ValueError(f"{self.date}: {NATIONAL_CURRENCY} is the national currency and has no rate")
        duplicates = sorted({code for code in codes if codes.count(code) > 1})
        if duplicates:
            raise ValueError(f"{self.date}: {', '.join(duplicates)} listed twice")
        return self


class RateTable(_Model):
    table: Literal["exchange-rates"]
    sample: bool = Field(description="true for illustrative tables that must never be used for payment")
    note: str = ""
    version: str = Field(min_length=1, max_length=40)
    publications: tuple[_Publication, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _each_date_once(self) -> RateTable:
        dates = [publication.date for publication in self.publications]
        duplicates = sorted({day.isoformat() for day in dates if dates.count(day) > 1})
        if duplicates:
            raise ValueError(f"publication dates listed twice: {', '.join(duplicates)}")
        return self

    def rate_on(self, currency: str, on: date) -> ExchangeRate:
        """The rate in force on `on`; GEL converts at 1. TableError when the table has none."""
        if currency == NATIONAL_CURRENCY:
            return ExchangeRate(currency=currency, gel=Decimal(1), published=on)
        quotes = [(publication.date, quote) for publication in self.publications for quote in publication.rates
                  if quote.currency == currency]
        if not quotes:
            raise TableError(f"no exchange rate for {currency} in rates {self.version}")
        in_force = [(day, quote) for day, quote in quotes if day <= on]
        if not in_force:
            first = min(day for day, _ in quotes)
            raise TableError(f"no {currency} rate in force on {on.isoformat()} "
                             f"(rates {self.version} start for {currency} on {first.isoformat()})")
        day, quote = max(in_force, key=lambda pair: pair[0])
        return ExchangeRate(currency=currency, quantity=quote.quantity, gel=quote.gel, published=day)


def rates_from(data: Any, source: str) -> RateTable:
    return validated(RateTable, data, source)


def load_rates(path: Path = SAMPLE_RATES) -> RateTable:
    """Read and validate a rates file."""
    return rates_from(read_json(path), str(path))
