"""The tariff table: versions by date, the longest-prefix line, and bad tables refused with one clear line."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from kiosk.customs.tariff import SAMPLE_TARIFF, TableError, load_tariff


def version(name: str, valid_from: str, valid_to: str | None = None, lines: list[dict[str, Any]] | None = None,
            zero_rated: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"version": name, "valid_from": valid_from, "valid_to": valid_to,
            "vat": {"rate": "18", "zero_rated_procedures": list(zero_rated)},
            "default_duty": {"ad_valorem": "0"}, "lines": lines or []}


def table(*versions: dict[str, Any]) -> dict[str, Any]:
    return {"table": "tariff", "sample": True, "versions": list(versions)}


def write(tmp_path: Path, document: Any) -> Path:
    path = tmp_path / "tariff.json"
    path.write_text(json.dumps(document) if not isinstance(document, str) else document, encoding="utf-8")
    return path


def test_the_shipped_sample_is_labelled_and_versioned() -> None:
    tariff = load_tariff()
    assert tariff == load_tariff(SAMPLE_TARIFF)
    assert tariff.sample is True and "SAMPLE" in tariff.note
    assert [(v.version, v.valid_from) for v in tariff.versions] == [
        ("sample-2025.1", date(2025, 1, 1)), ("sample-2026.1", date(2026, 1, 1))]


@pytest.mark.parametrize(("on", "expected"), [
    (date(2025, 1, 1), "sample-2025.1"),
    (date(2025, 12, 31), "sample-2025.1"),
    (date(2026, 1, 1), "sample-2026.1"),
    (date(2031, 7, 15), "sample-2026.1"),
])
def test_the_version_in_force_on_a_date(on: date, expected: str) -> None:
    assert load_tariff().version_on(on).version == expected


def test_a_date_before_every_version_is_refused() -> None:
    with pytest.raises(TableError, match=r"no tariff version in force on 2024-12-31"):
        load_tariff().version_on(date(2024, 12, 31))


def test_a_gap_between_versions_is_refused(tmp_path: Path) -> None:
    tariff = load_tariff(write(tmp_path, table(version("a", "2025-01-01", "2025-03-31"), version("b", "2025-05-01"))))
    assert tariff.version_on(date(2025, 3, 31)).version == "a"
    assert tariff.version_on(date(2025, 5, 1)).version == "b"
    with pytest.raises(TableError, match="2025-04-15"):
        tariff.version_on(date(2025, 4, 15))


def test_the_same_code_changes_rate_between_versions() -> None:
    tariff = load_tariff()
    old = tariff.version_on(date(2025, 6, 1)).line_for("170199")
    new = tariff.version_on(date(2026, 6, 1)).line_for("170199")
    assert old is not None and old.duty.specific is not None and old.duty.specific.amount == Decimal("0.15")
    assert new is not None and new.duty.specific is not None and new.duty.specific.amount == Decimal("0.20")


@pytest.mark.parametrize(("hs_code", "line"), [
    ("080810", "080810"),    # the subheading's own line beats its chapter
    ("08081080", "080810"),  # a national eight-digit code falls to its six-digit line
    ("080520", "08"),        # no heading line: the chapter's
    ("020130", "02"),
    ("64039993", "6403"),
    ("030617", None),        # chapter 03 has no line: the default duty
    ("970600", None),
])
def test_the_longest_prefix_line_answers(hs_code: str, line: str | None) -> None:
    found = load_tariff().version_on(date(2026, 11, 22)).line_for(hs_code)
    assert (found.code if found else None) == line


def test_the_default_duty_is_zero_and_the_sample_has_no_zero_rated_procedure() -> None:
    current = load_tariff().version_on(date(2026, 11, 22))
    assert current.default_duty.ad_valorem == Decimal(0) and current.default_duty.specific is None
    assert current.vat.rate_for("1000") == Decimal(18)


def test_a_zero_rated_procedure_pays_no_vat(tmp_path: Path) -> None:
    vat = load_tariff(write(tmp_path, table(version("z", "2026-01-01", zero_rated=("1000",))))).versions[0].vat
    assert vat.rate_for("1000") == Decimal(0)
    assert vat.rate_for("3151") == Decimal(18)


def test_numbers_in_the_file_are_read_as_decimals_not_floats(tmp_path: Path) -> None:
    path = write(tmp_path, json.dumps(table(version("n", "2026-01-01"))).replace(
        '"lines": []', '"lines": [{"code": "09", "duty": {"ad_valorem": 0.1}}]'))
    line = load_tariff(path).versions[0].line_for("090111")
    assert line is not None and line.duty.ad_valorem == Decimal("0.1")


def _line(code: str = "02", duty: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"code": code, "duty": duty if duty is not None else {"ad_valorem": "12"}}


@pytest.mark.parametrize(("document", "message"), [
    (table(version("a", "2025-01-01", lines=[_line(duty={"ad_valorem": "-5"})])),
     r"versions\.0\.lines\.0\.duty\.ad_valorem: Input should be greater than or equal to 0"),
    (table(version("a", "2025-01-01", lines=[_line(duty={"specific": {"amount": "-0.20", "unit": "kg"}})])),
     r"duty\.specific\.amount: Input should be greater than or equal to 0"),
    (table(version("a", "2025-01-01", lines=[_line(duty={"specific": {"amount": "1", "unit": "kg", "per": "0"}})])),
     r"duty\.specific\.per: Input should be greater than 0"),
    (table(version("a", "2025-01-01"), version("b", "2025-06-01")),
     r"versions a and b overlap \(from 2025-06-01 both are in force\)"),
    (table(version("a", "2025-01-01", "2025-06-30"), version("b", "2025-06-30")),
     r"versions a and b overlap"),
    (table(version("a", "2025-01-01", lines=[_line("123")])), r"HS code '123' must be 2, 4, 6 or 8 digits"),
    (table(version("a", "2025-01-01", lines=[_line("0201.30")])), r"HS code '0201.30' must be 2, 4, 6 or 8 digits"),
    (table(version("a", "2025-01-01", lines=[_line("0201301234")])), r"must be 2, 4, 6 or 8 digits"),
    (table(version("a", "2025-01-01", lines=[_line("٠٢")])), r"must be 2, 4, 6 or 8 digits"),  # Arabic-Indic digits
    (table(version("a", "2025-01-01", lines=[_line("02"), _line("02")])), r"HS code 02 has two lines"),
    (table(version("a", "2025-01-01", lines=[_line(duty={})])), r"a charge needs ad_valorem, specific, or both"),
    (table(version("a", "2025-01-01", lines=[_line(duty={"ad_valorem": "5", "specific": {
        "amount": "1", "unit": "kg"}})])), r"ad_valorem and specific together need combine: 'higher'"),
    (table(version("a", "2025-01-01", lines=[_line(duty={"ad_valorem": "5", "combine": "higher"})])),
     r"combine applies only when both"),
    (table(version("a", "2025-06-01", "2025-01-01")), r"valid_to 2025-01-01 is before valid_from 2025-06-01"),
    (table(version("a", "2025-13-01")), r"versions\.0\.valid_from: Input should be a valid date"),
    (table(), r"versions: Tuple should have at least 1 item"),
    ({**table(version("a", "2025-01-01")), "table": "rates"}, r"table: Input should be 'tariff'"),
    ({**table(version("a", "2025-01-01")), "duty": "12"}, r"duty: Extra inputs are not permitted"),
    ([1, 2], r"\(top level\): Input should be a valid dictionary"),
    ("{not json", r"not JSON"),
])
def test_a_bad_table_is_refused_in_one_line(tmp_path: Path, document: Any, message: str) -> None:
    path = write(tmp_path, document)
    with pytest.raises(TableError, match=message) as refused:
        load_tariff(path)
    assert str(refused.value).startswith(f"{path}: ")
    assert "\n" not in str(refused.value)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(TableError, match=r"nowhere\.json: cannot read"):
        load_tariff(tmp_path / "nowhere.json")
