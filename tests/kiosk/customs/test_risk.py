"""Risk flags from literal vision-shaped pages: each rule firing and not, with evidence worked out by hand, and the
reference table's bad-input cases."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from edge_models.hs.suggester import MODEL_NAME, HsSuggester
from edge_models.registry import Registry
from kiosk.customs.document_set import DocumentSet
from kiosk.customs.rates import load_rates
from kiosk.customs.risk import (
    STRONG_SCORE,
    TOP_K,
    Flag,
    ReferenceTableError,
    ReferenceValues,
    load_reference_values,
    risk_flags,
)

REFERENCES = load_reference_values()


def reading(value: str, confidence: float = 0.93, accepted: bool = True) -> dict[str, Any]:
    return {"value": value, "confidence": confidence, "accepted": accepted}


def invoice_page(currency: str, *lines: dict[str, str], **more: Any) -> tuple[str, dict[str, Any]]:
    """An invoice page: its currency, its lines' columns (`item_<n>_<column>`) and any other field."""
    fields: dict[str, Any] = {"currency": reading(currency), **more}
    for number, columns in enumerate(lines, start=1):
        fields |= {f"item_{number}_{column}": reading(text) for column, text in columns.items()}
    return "invoice", fields


def codes(flags: list[Flag]) -> list[tuple[str, str]]:
    return [(flag.code, flag.field) for flag in flags]


# --- undervaluation ---------------------------------------------------------------------------------------------

def test_a_line_far_below_the_reference_is_flagged_with_its_figures() -> None:
    documents = DocumentSet.from_pages([invoice_page(
        "USD", {"description": "Saperavi, red dry, 0.75 l bottles", "hs_code": "2204.21", "amount": "1 100,00",
                "net_kg": "1000"})])
    [flag] = risk_flags(documents, references=REFERENCES)
    assert (flag.code, flag.field) == ("risk.undervaluation", "invoice.items[1].amount")
    # 1100.00 / 1000 = 1.1 USD/kg against 3.80 USD/kg for 220421: 1.1 / 3.8 = 0.28947...
    assert flag.evidence == {
        "document": "invoice", "line": 1, "description": "Saperavi, red dry, 0.75 l bottles", "hs_code": "220421",
        "declared": {"amount": "1100.00", "currency": "USD", "net_kg": "1000", "per_kg": "1.1000"},
        "reference": {"code": "220421", "description": "wine in containers of 2 l or less", "median_per_kg": "3.80",
                      "currency": "USD", "table": {"version": "sample-2026.1", "valid_from": "2026-01-01",
                                                   "sample": True}},
        "comparison": {"currency": "USD", "declared_per_kg": "1.1000", "reference_per_kg": "3.8000",
                       "ratio": "0.2895", "threshold_ratio": "0.30", "rates": []},
        "confidence": {"amount": 0.93, "net_kg": 0.93, "hs_code": 0.93},
    }
    assert flag.explanation == ("Line 1 (HS 220421) is declared at 1.1000 USD per kg of net mass, 28.9 % of the "
                                "reference median of 3.8000 USD per kg for HS 220421; below 30.0 % is flagged")
    assert flag.params["percent"] == "28.9"
    assert json.loads(json.dumps(flag.to_dict())) == flag.to_dict()


@pytest.mark.parametrize(("hs_code", "amount", "net_kg"), [
    ("220421", "1 140,00", "1000"),  # exactly 30 % of 3.80: not below it
    ("220421", "3 800,00", "1000"),  # at the median
    ("847130", "10,00", "1000"),  # laptops: no reference for chapter 84
    ("220421", "-50.00", "10"),  # a discount line
    ("220421", "0.00", "10"),
])
def test_lines_at_or_above_the_threshold_or_without_a_reference_are_not_flagged(
        hs_code: str, amount: str, net_kg: str) -> None:
    documents = DocumentSet.from_pages([invoice_page(
        "USD", {"hs_code": hs_code, "amount": amount, "net_kg": net_kg})])
    assert risk_flags(documents, references=REFERENCES) == []


def test_the_reference_is_the_longest_code_that_prefixes_the_line() -> None:
    # 081310 (dried apricots) has no six- or four-digit entry: chapter 08 at 1.50 USD/kg applies.
    # 080211 (almonds) falls to heading 0802 at 5.50; 1.60 / 5.50 = 0.2909...
    documents = DocumentSet.from_pages([invoice_page(
        "USD", {"hs_code": "081310", "amount": "400.00", "net_kg": "1000"},
        {"hs_code": "080211", "amount": "1 600,00", "net_kg": "1000"},
        {"hs_code": "080221", "amount": "1 600,00", "net_kg": "1000"})])  # in shell: 2.80, 57 %
    flags = risk_flags(documents, references=REFERENCES)
    assert [(flag.params["line"], flag.params["reference_code"], flag.evidence["comparison"]["ratio"])
            for flag in flags] == [(1, "08", "0.2667"), (2, "0802", "0.2909")]


def test_another_currency_is_compared_in_gel_at_the_rates_of_the_date() -> None:
    documents = DocumentSet.from_pages([invoice_page(
        "EUR", {"hs_code": "080222", "amount": "3 000,00", "net_kg": "2000"})])
    assert risk_flags(documents, references=REFERENCES) == []  # EUR against USD, no rates: not compared
    [flag] = risk_flags(documents, references=REFERENCES, rates=load_rates(), on=date(2026, 11, 21))
    # rates of 2026-11-20: EUR 3.1250, USD 2.7100. 1.5 EUR/kg = 4.6875 GEL; 6.50 USD/kg = 17.615 GEL;
    # 4.6875 / 17.615 = 0.266108...
    assert flag.evidence["declared"]["per_kg"] == "1.5000"
    assert flag.evidence["comparison"] == {
        "currency": "GEL", "declared_per_kg": "4.6875", "reference_per_kg": "17.6150", "ratio": "0.2661",
        "threshold_ratio": "0.30",
        "rates": [{"currency": "EUR", "quantity": 1, "gel": "3.1250", "published": "2026-11-20"},
                  {"currency": "USD", "quantity": 1, "gel": "2.7100", "published": "2026-11-20"}]}
    assert flag.params["percent"] == "26.6" and flag.params["currency"] == "GEL"


def test_a_currency_the_rates_lack_is_not_compared() -> None:
    documents = DocumentSet.from_pages([invoice_page(
        "CNY", {"hs_code": "080222", "amount": "10.00", "net_kg": "2000"})])
    assert risk_flags(documents, references=REFERENCES, rates=load_rates(), on=date(2026, 11, 21)) == []


def test_rates_without_a_date_are_refused() -> None:
    with pytest.raises(ValueError, match="rates and on go together"):
        risk_flags(DocumentSet(), references=REFERENCES, rates=load_rates())


# --- misclassification ------------------------------------------------------------------------------------------

def suggest(text: str) -> list[tuple[str, float]]:
    """A small deterministic suggester: wine and nuts it knows well, anything else it barely knows."""
    if "wine" in text.casefold():
        return [("220421", 0.82), ("220429", 0.74), ("220410", 0.70), ("220600", 0.66), ("220510", 0.63),
                ("080222", 0.61)]
    if "hazelnut" in text.casefold():
        return [("080222", STRONG_SCORE), ("080221", 0.58)]
    return [("961900", 0.41), ("392690", 0.38)]


def test_a_code_the_suggester_strongly_disagrees_with_is_flagged() -> None:
    documents = DocumentSet.from_pages([invoice_page(
        "USD", {"description": "Red dry wine, bottles 0.75 l", "hs_code": "8703.23"},
        {"description": "Hazelnut kernels", "hs_code": "2204.21"})])
    first, second = risk_flags(documents, references=REFERENCES, suggest=suggest)
    assert (first.code, first.field) == ("risk.misclassification", "invoice.items[1].hs_code")
    assert first.evidence == {
        "document": "invoice", "line": 1, "description": "Red dry wine, bottles 0.75 l", "declared_code": "870323",
        "declared_heading": "8703",
        "suggestions": [{"code": "220421", "score": 0.82}, {"code": "220429", "score": 0.74},
                        {"code": "220410", "score": 0.70}, {"code": "220600", "score": 0.66},
                        {"code": "220510", "score": 0.63}],
        "top_k": 5, "strong_score": STRONG_SCORE, "confidence": {"description": 0.93, "hs_code": 0.93}}
    assert first.explanation == ("Line 1 is declared under HS 870323, but its description fits HS 220421 best "
                                 "(score 0.82) and heading 8703 is not among the 5 best suggestions")
    assert (second.field, second.params["suggested"]) == ("invoice.items[2].hs_code", "080222")  # at the threshold


@pytest.mark.parametrize(("description", "hs_code"), [
    ("Red dry wine, bottles 0.75 l", "220421"),  # the best suggestion
    ("Red dry wine, bottles 0.75 l", "220510"),  # heading 2205 is fifth
    ("Red dry wine, bottles 0.75 l", "220430"),  # another subheading of a suggested heading
    ("Assorted goods", "847130"),  # the suggester is unsure of everything (0.41)
])
def test_codes_the_suggester_does_not_strongly_dispute_are_not_flagged(description: str, hs_code: str) -> None:
    documents = DocumentSet.from_pages([invoice_page("USD", {"description": description, "hs_code": hs_code})])
    assert risk_flags(documents, references=REFERENCES, suggest=suggest) == []


def test_a_heading_beyond_the_top_k_counts_as_disputed() -> None:
    documents = DocumentSet.from_pages([invoice_page("USD", {"description": "White wine", "hs_code": "080222"})])
    assert codes(risk_flags(documents, references=REFERENCES, suggest=suggest)) == [
        ("risk.misclassification", "invoice.items[1].hs_code")]  # 080222 is the sixth suggestion, past TOP_K


def test_without_a_suggester_or_a_description_nothing_is_checked() -> None:
    disputed = {"description": "Red dry wine", "hs_code": "870323"}
    assert risk_flags(DocumentSet.from_pages([invoice_page("USD", disputed)]), references=REFERENCES) == []
    no_text = DocumentSet.from_pages([invoice_page("USD", {"hs_code": "870323"})])
    assert risk_flags(no_text, references=REFERENCES, suggest=suggest) == []


def test_the_shipped_suggester_disputes_a_code_only_when_sure(tmp_path: Path) -> None:
    model = HsSuggester(Registry(tmp_path / "registry").active(MODEL_NAME))

    def shipped(text: str) -> list[tuple[str, float]]:
        return [(found.code, found.score) for found in model.suggest(text, TOP_K)]

    documents = DocumentSet.from_pages([invoice_page(
        "USD", {"description": "Copper concentrate", "hs_code": "870323"},
        {"description": "Fresh apples", "hs_code": "080810"},
        {"description": "Laptop computer", "hs_code": "020130"})])  # the model is unsure of laptops (about 0.41)
    [flag] = risk_flags(documents, references=REFERENCES, suggest=shipped)
    assert (flag.field, flag.params["suggested"]) == ("invoice.items[1].hs_code", "260300")
    assert flag.evidence["suggestions"][0]["score"] >= STRONG_SCORE


# --- origin -----------------------------------------------------------------------------------------------------

def test_an_origin_the_certificate_contradicts_is_flagged_with_both_readings() -> None:
    documents = DocumentSet.from_pages([
        invoice_page("USD", origin=reading("GE", 0.97)),
        ("certificate_of_origin", {"origin_country": reading("Türkiye", 0.88)})])
    [flag] = risk_flags(documents, references=REFERENCES)
    assert (flag.code, flag.field) == ("risk.origin", "sets.origin")
    assert flag.evidence == {"origin": {
        "invoice": {"value": "GE", "raw": "GE", "confidence": 0.97},
        "certificate_of_origin": {"value": "TR", "raw": "Türkiye", "confidence": 0.88}}}
    assert flag.explanation == "The country of origin differs: the certificate_of_origin gives TR, the invoice GE"


def test_one_origin_or_the_same_origin_is_no_flag() -> None:
    same = DocumentSet.from_pages([invoice_page("USD", origin=reading("GE")),
                                   ("certificate_of_origin", {"origin_country": reading("Georgia")})])
    alone = DocumentSet.from_pages([invoice_page("USD", origin=reading("GE"))])
    unread = DocumentSet.from_pages([invoice_page("USD", origin=reading("GE")), ("certificate_of_origin", {})])
    for documents in (same, alone, unread):
        assert risk_flags(documents, references=REFERENCES) == []


# --- weights ----------------------------------------------------------------------------------------------------

def test_gross_below_net_is_flagged_on_each_line_and_total() -> None:
    documents = DocumentSet.from_pages([
        invoice_page("USD", {"net_kg": "500.0", "gross_kg": "520.0"}, {"net_kg": "800.0", "gross_kg": "780.5"}),
        ("packing_list", {"total_net_kg": reading("1300.0"), "total_gross_kg": reading("1 299,5")})])
    flags = risk_flags(documents, references=REFERENCES)
    assert codes(flags) == [("risk.weights", "invoice.items[2].gross_kg"),
                            ("risk.weights", "packing_list.total_gross_kg")]
    assert flags[0].evidence == {"document": "invoice", "line": 2, "gross_kg": "780.5", "net_kg": "800.0"}
    assert flags[0].explanation == ("Line 2 of the invoice gives a gross mass of 780.5 kg, below its net mass of "
                                    "800.0 kg")
    assert flags[1].evidence == {"document": "packing_list", "line": None, "gross_kg": "1299.5", "net_kg": "1300.0"}


def test_gross_masses_beyond_the_tolerance_are_one_flag_with_every_document() -> None:
    documents = DocumentSet.from_pages([
        ("cmr", {"gross_weight": reading("18 240 kg")}),
        invoice_page("USD", total_gross_kg=reading("18000.0")),
        ("packing_list", {"total_gross_kg": reading("18 245")})])
    [flag] = risk_flags(documents, references=REFERENCES)
    assert (flag.code, flag.field) == ("risk.weights", "sets.gross_weight")
    # allowed: max(1 kg, 0.5 % of the larger): 0.005 * 18240 = 91.200, 0.005 * 18245 = 91.225; the CMR and the
    # packing list are 5 kg apart, within it.
    assert flag.evidence == {
        "gross_kg": {"cmr": {"value": "18240", "from": "box 11"}, "invoice": {"value": "18000.0", "from": "total"},
                     "packing_list": {"value": "18245", "from": "total"}},
        "tolerance": {"relative": "0.005", "absolute_kg": "1"},
        "beyond_tolerance": [
            {"document": "cmr", "other_document": "invoice", "difference_kg": "240.0", "allowed_kg": "91.200"},
            {"document": "invoice", "other_document": "packing_list", "difference_kg": "245.0",
             "allowed_kg": "91.225"}]}
    assert flag.explanation == ("The gross mass differs beyond the tolerance: the invoice gives 18000.0 kg, the "
                                "packing_list 18245 kg, at most 91.225 kg apart allowed")


def test_gross_masses_within_the_tolerance_or_from_the_lines_agree() -> None:
    documents = DocumentSet.from_pages([
        ("cmr", {"gross_weight": reading("3001")}),
        invoice_page("USD", {"net_kg": "950.0", "gross_kg": "1000.5"}, {"net_kg": "1900", "gross_kg": "2000"}),
        ("certificate_of_origin", {"gross_mass": reading("3 000,5")})])
    assert risk_flags(documents, references=REFERENCES) == []
    small = DocumentSet.from_pages([("cmr", {"gross_weight": reading("150")}),
                                    invoice_page("USD", total_gross_kg=reading("149.2"))])  # 0.8 kg: within 1 kg
    assert risk_flags(small, references=REFERENCES) == []


def test_a_lines_sum_that_disagrees_names_its_source() -> None:
    documents = DocumentSet.from_pages([
        ("cmr", {"gross_weight": reading("3100")}),
        invoice_page("USD", {"gross_kg": "1000.5"}, {"gross_kg": "2000"})])
    [flag] = risk_flags(documents, references=REFERENCES)
    assert flag.evidence["gross_kg"]["invoice"] == {"value": "3000.5", "from": "lines"}


def test_a_set_missing_documents_gives_fewer_flags_never_an_error() -> None:
    assert risk_flags(DocumentSet(), references=REFERENCES, suggest=suggest) == []
    cmr_only = DocumentSet.from_pages([("cmr", {"gross_weight": reading("18240")})])
    assert risk_flags(cmr_only, references=REFERENCES, suggest=suggest) == []


# --- the reference table ----------------------------------------------------------------------------------------

def test_the_shipped_sample_is_labelled_and_covers_common_exports() -> None:
    assert REFERENCES.sample and REFERENCES.valid_from == date(2026, 1, 1)
    assert "illustrative" in json.loads(Path(REFERENCES.source).read_text(encoding="utf-8"))["note"]
    headings = {value.code[:4] for value in REFERENCES.values if len(value.code) >= 4}
    assert {"2204", "2201", "0802", "7202", "2603", "8703", "0808", "0809", "2208", "3102", "7108"} <= headings
    assert all(value.currency == "USD" and value.median_per_kg > 0 for value in REFERENCES.values)


GOOD_ENTRY = {"code": "2204", "currency": "USD", "median_per_kg": "3.20"}


def table_file(tmp_path: Path, values: list[dict[str, Any]]) -> Path:
    path = tmp_path / "reference-values.json"
    path.write_text(json.dumps({"table": "reference-values", "sample": False, "version": "t1",
                                "valid_from": "2026-01-01", "values": values}), encoding="utf-8")
    return path


def test_a_table_file_loads_with_exact_decimals(tmp_path: Path) -> None:
    path = table_file(tmp_path, [GOOD_ENTRY, {"code": "22", "currency": "EUR", "median_per_kg": 1.05}])
    table = load_reference_values(path)
    assert (table.version, table.sample, table.source) == ("t1", False, str(path))
    wine, beverages = table.for_code("2204210000"), table.for_code("2201")
    assert wine is not None and beverages is not None
    assert (wine.code, str(wine.median_per_kg)) == ("2204", "3.20")
    assert (beverages.code, beverages.currency, str(beverages.median_per_kg)) == ("22", "EUR", "1.05")
    assert table.for_code("0101") is None


@pytest.mark.parametrize(("values", "problem"), [
    ([{**GOOD_ENTRY, "median_per_kg": "-3.20"}], r"values\.0\.median_per_kg: .*greater than 0"),
    ([{**GOOD_ENTRY, "median_per_kg": "0"}], r"values\.0\.median_per_kg: .*greater than 0"),
    ([{**GOOD_ENTRY, "median_per_kg": "NaN"}], r"values\.0\.median_per_kg"),
    ([GOOD_ENTRY, {**GOOD_ENTRY, "median_per_kg": "2.00"}], "HS code 2204 listed twice"),
    ([{**GOOD_ENTRY, "code": "2204.21"}], "must be 2, 4 or 6 digits"),
    ([{**GOOD_ENTRY, "code": "22042"}], "must be 2, 4 or 6 digits"),
    ([{**GOOD_ENTRY, "code": "22042110"}], "must be 2, 4 or 6 digits"),
    ([{**GOOD_ENTRY, "code": "2204\n"}], "must be 2, 4 or 6 digits"),
    ([{**GOOD_ENTRY, "code": "٢٢٠٤"}], "must be 2, 4 or 6 digits"),
    ([{**GOOD_ENTRY, "currency": "DOLLAR"}], r"values\.0\.currency"),
    ([{**GOOD_ENTRY, "currency": "ABC"}], "not an ISO 4217 currency"),
    ([], r"values: .*at least 1"),
])
def test_a_bad_table_is_refused_on_one_line_naming_the_file(
        tmp_path: Path, values: list[dict[str, Any]], problem: str) -> None:
    path = table_file(tmp_path, values)
    with pytest.raises(ReferenceTableError, match=problem) as refused:
        load_reference_values(path)
    assert str(refused.value).startswith(str(path)) and "\n" not in str(refused.value)


@pytest.mark.parametrize(("text", "problem"), [
    ("{not json", "not JSON"),
    ("[]", r"\(top level\)"),
    ('{"table": "tariff"}', "table"),
])
def test_a_file_that_is_no_table_is_refused(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "values.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ReferenceTableError, match=problem) as refused:
        load_reference_values(path)
    assert str(refused.value).startswith(str(path)) and "\n" not in str(refused.value)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ReferenceTableError, match="cannot read"):
        load_reference_values(tmp_path / "absent.json")


def test_a_table_built_in_code_refuses_duplicates_too() -> None:
    entry = REFERENCES.values[0]
    with pytest.raises(ReferenceTableError, match=f"HS code {entry.code} listed twice"):
        ReferenceValues(version="x", valid_from=date(2026, 1, 1), values=(entry, entry))
