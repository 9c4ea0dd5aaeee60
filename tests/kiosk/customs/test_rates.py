"""Exchange rates: the latest publication on or before a date, per currency; bad tables refused in one line."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from kiosk.customs.rates import SAMPLE_RATES, load_rates
from kiosk.customs.tariff import TableError


def write(tmp_path: Path, document: Any) -> Path:
    path = tmp_path / "rates.json"
    path.write_text(json.dumps(document) if not isinstance(document, str) else document, encoding="utf-8")
    return path


def table(*publications: tuple[str, list[dict[str, Any]]]) -> dict[str, Any]:
    return {"table": "exchange-rates", "sample": False, "version": "t1",
            "publications": [{"date": day, "rates": rates} for day, rates in publications]}


def test_the_shipped_sample_is_labelled_and_versioned() -> None:
    rates = load_rates()
    assert rates == load_rates(SAMPLE_RATES)
    assert rates.sample is True and "SAMPLE" in rates.note and rates.version == "sample-2026-11"


@pytest.mark.parametrize(("on", "published", "gel"), [
    (date(2026, 11, 20), date(2026, 11, 20), "2.7100"),  # on the publication's own date
    (date(2026, 11, 22), date(2026, 11, 20), "2.7100"),  # a Sunday: Friday's rate
    (date(2026, 11, 19), date(2026, 11, 2), "2.7000"),   # the day before: the earlier publication
    (date(2026, 11, 2), date(2026, 11, 2), "2.7000"),
    (date(2026, 11, 1), date(2025, 6, 2), "2.7400"),
])
def test_the_rate_in_force_is_the_latest_on_or_before_the_date(on: date, published: date, gel: str) -> None:
    rate = load_rates().rate_on("USD", on)
    assert (rate.published, rate.gel, rate.quantity) == (published, Decimal(gel), 1)


def test_a_date_before_the_first_publication_is_refused() -> None:
    with pytest.raises(TableError, match=r"no USD rate in force on 2025-06-01 \(rates sample-2026-11 start for USD "
                                         r"on 2025-06-02\)"):
        load_rates().rate_on("USD", date(2025, 6, 1))


def test_each_currency_has_its_own_first_date() -> None:
    # RUB first appears on 2026-11-02, although the table starts on 2025-06-02.
    with pytest.raises(TableError, match=r"start for RUB on 2026-11-02"):
        load_rates().rate_on("RUB", date(2026, 1, 15))


def test_a_currency_the_table_never_lists_is_refused() -> None:
    with pytest.raises(TableError, match=r"no exchange rate for CHF in rates sample-2026-11"):
        load_rates().rate_on("CHF", date(2026, 11, 22))


def test_a_publication_without_the_currency_does_not_hide_an_earlier_one(tmp_path: Path) -> None:
    rates = load_rates(write(tmp_path, table(
        ("2026-11-02", [{"currency": "USD", "gel": "2.70"}, {"currency": "EUR", "gel": "3.13"}]),
        ("2026-11-20", [{"currency": "USD", "gel": "2.71"}]),
    )))
    euro = rates.rate_on("EUR", date(2026, 11, 21))
    assert (euro.published, euro.gel) == (date(2026, 11, 2), Decimal("3.13"))


def test_the_national_currency_converts_at_one() -> None:
    rate = load_rates().rate_on("GEL", date(2001, 1, 1))
    assert rate.to_gel(Decimal("123.45")) == Decimal("123.45")


def test_a_rate_for_ten_units_converts_exactly() -> None:
    # 10 TRY = 0.6380 GEL on 2026-11-20, so 1234.56 TRY = 1234.56 × 0.6380 / 10 = 78.764928 GEL, not rounded here.
    rate = load_rates().rate_on("TRY", date(2026, 11, 20))
    assert rate.quantity == 10
    assert rate.to_gel(Decimal("1234.56")) == Decimal("78.764928")


@pytest.mark.parametrize(("document", "message"), [
    (table(("2026-11-02", [{"currency": "USD", "gel": "-2.70"}])),
     r"publications\.0\.rates\.0\.gel: Input should be greater than 0"),
    (table(("2026-11-02", [{"currency": "USD", "gel": "0"}])), r"gel: Input should be greater than 0"),
    (table(("2026-11-02", [{"currency": "RUB", "quantity": 0, "gel": "3.38"}])),
     r"quantity: Input should be greater than 0"),
    (table(("2026-11-02", [{"currency": "ABC", "gel": "1"}])), r"'ABC' is not an ISO 4217 currency"),
    (table(("2026-11-02", [{"currency": "usd", "gel": "1"}])), r"currency: String should match pattern"),
    (table(("2026-11-02", [{"currency": "GEL", "gel": "1"}])), r"GEL is the national currency and has no rate"),
    (table(("2026-11-02", [{"currency": "USD", "gel": "2.7"}, {"currency": "USD", "gel": "2.8"}])),
     r"2026-11-02: USD listed twice"),
    (table(("2026-11-02", [{"currency": "USD", "gel": "2.7"}]), ("2026-11-02", [{"currency": "EUR", "gel": "3"}])),
     r"publication dates listed twice: 2026-11-02"),
    (table(("2026-11-02", [])), r"rates: Tuple should have at least 1 item"),
    (table(), r"publications: Tuple should have at least 1 item"),
    ({**table(("2026-11-02", [{"currency": "USD", "gel": "2.7"}])), "version": ""}, r"version: String should have"),
    ("[]", r"\(top level\): Input should be a valid dictionary"),
    ("2.70 USD", r"not JSON"),
])
def test_a_bad_table_is_refused_in_one_line(tmp_path: Path, document: Any, message: str) -> None:
    path = write(tmp_path, document)
    with pytest.raises(TableError, match=message) as refused:
        load_rates(path)
    assert str(refused.value).startswith(f"{path}: ") and "\n" not in str(refused.value)
