from __future__ import annotations

import pytest

from kiosk.customs.validators import split_incoterm, validate_incoterm

RULES_2020 = ["EXW", "FCA", "CPT", "CIP", "DAP", "DPU", "DDP", "FAS", "FOB", "CFR", "CIF"]


@pytest.mark.parametrize("rule", RULES_2020)
def test_each_incoterms_2020_rule_with_a_place(rule: str) -> None:
    assert validate_incoterm(rule, "Tbilisi", "invoice") == []


def test_lower_case_rule() -> None:
    assert validate_incoterm(" fca ", "Poti", "invoice") == []


@pytest.mark.parametrize(("rule", "edition", "successor"), [
    ("DAT", "2010", "DPU"),
    ("dat", "2010", "DPU"),
    ("DDU", "2000", "DAP"),
    ("DAF", "2000", "DAP"),
    ("DES", "2000", "DAP"),
    ("DEQ", "2000", "DPU"),
])
def test_withdrawn_rules_name_their_successor(rule: str, edition: str, successor: str) -> None:
    (found,) = validate_incoterm(rule, "Hamburg", "invoice")
    assert found.code == "incoterm.withdrawn"
    assert found.field == "invoice.incoterm"
    assert found.params == {"rule": rule.upper(), "edition": edition, "successor": successor}


def test_dat_message() -> None:
    (found,) = validate_incoterm("DAT", "Hamburg", "invoice")
    assert found.message == "DAT was withdrawn after Incoterms 2010; Incoterms 2020 replaced it with DPU"


@pytest.mark.parametrize(("rule", "place", "code", "field"), [
    ("C&F", "Poti", "incoterm.old_name", "invoice.incoterm"),
    ("FOR", "Tbilisi", "incoterm.unknown", "invoice.incoterm"),
    ("XYZ", "Tbilisi", "incoterm.unknown", "invoice.incoterm"),
    ("", "Tbilisi", "incoterm.missing", "invoice.incoterm"),
    ("FCA", "", "incoterm.place_missing", "invoice.incoterm_place"),
    ("CIF", "   ", "incoterm.place_missing", "invoice.incoterm_place"),
])
def test_invalid_terms(rule: str, place: str, code: str, field: str) -> None:
    assert [(item.code, item.field) for item in validate_incoterm(rule, place, "invoice")] == [(code, field)]


@pytest.mark.parametrize(("text", "expected"), [
    ("FCA Tbilisi, Incoterms 2020", ("FCA", "Tbilisi")),
    ("DAP Berlin", ("DAP", "Berlin")),
    ("cip Almaty (Incoterms 2020)", ("CIP", "Almaty")),
    ("EXW", ("EXW", "")),
    ("C&F Poti", ("C&F", "Poti")),
    ("DAP: Baku, Incoterms 2020", ("DAP", "Baku")),
])
def test_split_rule_and_place(text: str, expected: tuple[str, str]) -> None:
    assert split_incoterm(text) == expected
