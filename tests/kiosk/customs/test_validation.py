"""`validate` on one literal consignment as vision reads it (walnuts and dried apricots from Kutaisi to Bursa,
written by hand, not by the generator): the clean set has no error, and each fault put into it is found with its
code and field. The set is shared with the drafting and CLI tests."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.customs.document_set import DocumentSet
from kiosk.customs.documents import Party
from kiosk.customs.findings import Finding, Severity, errors
from kiosk.customs.nomenclature import Nomenclature
from kiosk.customs.validation import party_ids, plate_countries, validate

ON = "2026-11-20"
CONTAINER = "TGHU 761498-6"
"""Check digit 6, computed by hand with ISO 6346's letter values and powers of two."""

CMR = {
    "cmr_number": "GE 0451872",
    "sender": "Imereti Walnut Co LLC, Tax ID 212345678, 14 Chavchavadze Ave, Kutaisi 4600, Georgia",
    "consignee": "Bursa Kuruyemis Ticaret A.S., Ataturk Cad. 55, 16050 Bursa, Turkey",
    "carrier": "Kartli Trans LLC, 7 Tsereteli St, Tbilisi, Georgia",
    "vehicle_reg": "TB-714-RK / KT-220-M",
    "marks": f"IWC 0917, {CONTAINER}",
    "packages": "24",
    "packing": "pallets",
    "goods": "Walnuts in shell, dried apricots",
    "statistical_number": "0802.31, 0813",
    "gross_weight_kg": "10 560",
    "taking_over": "Kutaisi, Georgia, 18.11.2026",
    "established": "Kutaisi, 18.11.2026",
}
INVOICE = {
    "invoice_number": "IWC-2026/0917",
    "invoice_date": "17.11.2026",
    "seller": "Imereti Walnut Co LLC, Tax ID 212345678, 14 Chavchavadze Ave, Kutaisi 4600, Georgia",
    "buyer": "Bursa Kuruyemis Ticaret A.S., Ataturk Cad. 55, 16050 Bursa, Turkey",
    "currency": "USD",
    "origin": "Georgia",
    "incoterm": "FCA",
    "incoterm_place": "Kutaisi",
    "item_1_description": "Walnuts in shell, dried",
    "item_1_hs_code": "0802 31 00",
    "item_1_quantity": "8 000",
    "item_1_unit": "kg",
    "item_1_unit_price": "4.10",
    "item_1_amount": "32 800.00",
    "item_1_net_kg": "8 000",
    "item_1_gross_kg": "8 320",
    "item_2_description": "Dried apricots",
    "item_2_hs_code": "0813 10 00",
    "item_2_quantity": "2 000",
    "item_2_unit": "kg",
    "item_2_unit_price": "6.50",
    "item_2_amount": "13 000.00",
    "item_2_net_kg": "2 000",
    "item_2_gross_kg": "2 240",
    "total_amount": "45 800.00",
    "total_net_kg": "10 000",
    "total_gross_kg": "10 560",
}
CERTIFICATE = {
    "certificate_number": "GCCI 2026 004512",
    "exporter": "Imereti Walnut Co LLC, Kutaisi, Georgia",
    "consignee": "Bursa Kuruyemis Ticaret A.S., Bursa, Turkey",
    "origin_country": "Georgia",
    "destination_country": "Turkey",
    "item_1_description": "1. 18 packages: Walnuts in shell",
    "item_1_hs_code": "0802.31",
    "item_2_description": "2. 6 packages: Dried apricots",
    "item_2_hs_code": "0813.10",
    "gross_mass": "10560",
    "issue_place_date": "Kutaisi, 17.11.2026",
}
PACKING = {
    "packing_list_number": "PL-0917",
    "invoice_number": "IWC-2026/0917",
    "packing_date": "17.11.2026",
    "shipper": "Imereti Walnut Co LLC, Kutaisi, Georgia",
    "consignee": "Bursa Kuruyemis Ticaret A.S., Bursa, Turkey",
    "vehicle_plate": "TB-714-RK",
    "container": CONTAINER,
    "item_1_description": "Walnuts in shell",
    "item_1_hs_code": "0802.31",
    "item_1_packages": "18",
    "item_1_net_kg": "8000",
    "item_1_gross_kg": "8320",
    "item_2_description": "Dried apricots",
    "item_2_hs_code": "0813.10",
    "item_2_packages": "6",
    "item_2_net_kg": "2000",
    "item_2_gross_kg": "2240",
    "total_packages": "24",
    "total_net_kg": "10000",
    "total_gross_kg": "10560",
}
CLEAN = {"cmr": CMR, "invoice": INVOICE, "certificate_of_origin": CERTIFICATE, "packing_list": PACKING}


def read_fields(fields: dict[str, str]) -> dict[str, dict[str, Any]]:
    """The fields as `cez-kiosk vision read --json` gives them."""
    return {name: {"value": value, "confidence": 0.93, "accepted": True} for name, value in fields.items()}


def pages(changes: dict[str, dict[str, str | None]] | None = None,
          without: tuple[str, ...] = ()) -> list[tuple[str, dict[str, Any]]]:
    """(doc_type, fields) of the clean set, with fields changed per kind (None removes one) and kinds left out."""
    built = []
    for kind, fields in CLEAN.items():
        if kind in without:
            continue
        changed = {**fields, **(changes or {}).get(kind, {})}
        built.append((kind, read_fields({name: value for name, value in changed.items() if value is not None})))
    return built


def vision_results(changes: dict[str, dict[str, str | None]] | None = None,
                   without: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """The pages as vision's JSON results (one object per page)."""
    return [{"file": f"{kind}.png", "page": 1, "doc_type": kind, "fields": fields}
            for kind, fields in pages(changes, without)]


NOMENCLATURE = Nomenclature.load(on=date.fromisoformat(ON))


def found(changes: dict[str, dict[str, str | None]] | None = None, without: tuple[str, ...] = ()) -> list[Finding]:
    return validate(DocumentSet.from_pages(pages(changes, without)), on=date.fromisoformat(ON),
                    nomenclature=NOMENCLATURE)


def where(findings: list[Finding]) -> list[tuple[str, str]]:
    return [(item.code, item.field) for item in findings]


def test_the_clean_set_has_no_finding() -> None:
    assert found() == []


@pytest.mark.parametrize(("changes", "expected"), [
    # ISO 6346: the packing list's container and the one in the CMR's marks
    ({"packing_list": {"container": "TGHU 761498-5"}}, [("container.check_digit", "packing_list.container")]),
    ({"cmr": {"marks": "IWC 0917, TGHU 761498-1"}, "packing_list": {"container": "TGHU7614981"}},
     [("container.check_digit", "cmr.marks"), ("container.check_digit", "packing_list.container")]),
    # plates against the carrier's country (Georgia)
    ({"cmr": {"vehicle_reg": "34 ABC 123 / KT-220-M"}}, [("plate.format", "cmr.vehicle_plate")]),
    ({"cmr": {"vehicle_reg": "TB-714-RK / KT-220-MN"}}, [("plate.vehicle_on_trailer", "cmr.trailer_plate")]),
    ({"cmr": {"vehicle_reg": "TB-714-R"}}, [("plate.trailer_on_vehicle", "cmr.vehicle_plate")]),
    # HS codes in force on the date: the invoice to the declaration's precision, the others to their own
    ({"invoice": {"item_1_hs_code": "0802"}}, [("hs.heading_only", "invoice.items[1].hs_code")]),
    ({"invoice": {"item_2_hs_code": "0813 10 00 10"}}, [("hs.length", "invoice.items[2].hs_code")]),
    # (a code the invoice does not list is also inconsistent)
    ({"cmr": {"statistical_number": "0802.31, 0899"}},
     [("hs.unknown", "cmr.statistical_number[2]"), ("consistency.hs_code", "sets.hs_code")]),
    ({"packing_list": {"item_2_hs_code": "0813.77"}},
     [("hs.unknown", "packing_list.items[2].hs_code"), ("consistency.hs_code", "sets.hs_code")]),
    ({"certificate_of_origin": {"item_1_hs_code": "0802.39.99"}},
     [("hs.unknown", "certificate_of_origin.items[1].hs_code"), ("consistency.hs_code", "sets.hs_code")]),
    # weights: gross >= net on each line and the totals, the lines' sums against the totals
    ({"invoice": {"item_2_gross_kg": "1 990", "total_gross_kg": "10 310"}},
     [("weights.gross_below_net", "invoice.items[2].gross_kg"), ("consistency.gross_weight", "sets.gross_weight")]),
    ({"packing_list": {"total_net_kg": "9000"}}, [("weights.net_sum_mismatch", "packing_list.total_net_kg"),
                                                  ("consistency.net_weight", "sets.net_weight")]),
    ({"invoice": {"total_gross_kg": "9 900", "total_net_kg": "10 000"}, "cmr": {"gross_weight_kg": "9900"},
      "packing_list": {"total_gross_kg": None}, "certificate_of_origin": {"gross_mass": None}},
     [("weights.gross_below_net", "invoice.total_gross_kg"), ("weights.gross_sum_mismatch", "invoice.total_gross_kg")]),
    # dates against the declaration date
    ({"invoice": {"invoice_date": "17.11.2027"}}, [("dates.future", "invoice.invoice_date")]),
    ({"cmr": {"established": "Kutaisi, 18.11.2023"}}, [("dates.too_old", "cmr.established")]),
    ({"certificate_of_origin": {"issue_place_date": "Kutaisi, 01.12.2026"}},
     [("dates.future", "certificate_of_origin.issue_place_date")]),
    # delivery terms and parties' identifiers
    ({"invoice": {"incoterm_place": None}}, [("incoterm.place_missing", "invoice.incoterm_place")]),
    ({"invoice": {"seller": "Imereti Walnut Co LLC, Tax ID 21234567, 14 Chavchavadze Ave, Kutaisi, Georgia"}},
     [("taxpayer_id.length", "invoice.seller.taxpayer_id")]),
    ({"invoice": {"buyer": "Bursa Kuruyemis Ticaret A.S., VKN: 1234567891, Ataturk Cad. 55, Bursa, Turkey"}},
     [("taxpayer_id.checksum", "invoice.buyer.taxpayer_id")]),
    ({"cmr": {"consignee": "Bursa Kuruyemis Ticaret A.S., EORI: GE404040404, Bursa, Turkey"}},
     [("eori.country", "cmr.consignee.eori")]),
    # across documents
    ({"certificate_of_origin": {"origin_country": "Armenia"}}, [("consistency.origin", "sets.origin")]),
    ({"cmr": {"packages": "25"}}, [("consistency.packages", "sets.packages")]),
    # what the pages themselves do not give
    ({"invoice": {"total_amount": "45 800,00,0"}}, [("document.amount", "invoice.total_amount")]),
])
def test_each_fault_is_found_with_its_code_and_field(changes: dict[str, dict[str, str | None]],
                                                     expected: list[tuple[str, str]]) -> None:
    assert sorted(where(errors(found(changes)))) == sorted(expected)


def test_a_carrier_without_a_country_lets_any_known_format_pass() -> None:
    carrier = {"carrier": "Kartli Trans LLC"}
    assert found({"cmr": carrier}) == []
    assert found({"cmr": {**carrier, "vehicle_reg": "34 ABC 123"}, "packing_list": {"vehicle_plate": None}}) == []
    [unknown] = found({"cmr": {**carrier, "vehicle_reg": "Q1 / KT-220-M"}, "packing_list": {"vehicle_plate": None}})
    assert (unknown.code, unknown.field, unknown.severity) == ("plate.country_unknown", "cmr.vehicle_plate",
                                                               Severity.WARNING)
    assert unknown.params == {"plate": "Q1"}


def test_the_named_place_may_be_printed_with_the_incoterm() -> None:
    assert found({"invoice": {"incoterm": "FCA Kutaisi, Incoterms 2020", "incoterm_place": None}}) == []


def test_plate_countries_are_those_whose_format_fits() -> None:
    assert plate_countries("34 ABC 123") == ["TR"]
    assert plate_countries("А 123 ВС 77") == ["RU"]
    assert "GE" in plate_countries("TB-714-RK") and "TR" not in plate_countries("TB-714-RK")
    assert plate_countries("KT-220-M", "trailer")[0] == "GE"
    assert plate_countries("Q1") == []


@pytest.mark.parametrize(("text", "ids"), [
    ("Tax ID: 204 567 890, Tbilisi", ("204 567 890", None)),
    ("ИНН 7707083893, Москва", ("7707083893", None)),
    ("VAT No DE129273398, EORI: DE1234567890123, Hamburg", ("DE129273398", "DE1234567890123")),
    ("12 Vatutina St, Tinatin Square 4, Kyiv", (None, None)),
])
def test_ids_are_taken_from_a_party_box_only_after_their_label(text: str, ids: tuple[str | None, str | None]) -> None:
    assert party_ids(Party(name="Firm", address=text)) == ids


def test_a_national_code_hint_is_a_warning_on_the_invoice_only() -> None:
    changes = {kind: {"item_1_hs_code": "0802.31"} for kind in ("invoice", "certificate_of_origin", "packing_list")}
    [hint] = found(changes)
    assert (hint.code, hint.field, hint.severity) == ("hs.national_code_expected", "invoice.items[1].hs_code",
                                                      Severity.WARNING)


@pytest.mark.parametrize("kind", ["cmr", "invoice"])
def test_a_set_without_a_cmr_or_an_invoice_says_which_is_missing(kind: str) -> None:
    findings = found(without=(kind,))
    assert [(item.code, item.field, item.params) for item in errors(findings)] == [
        ("set.missing_document", kind, {"document": kind})]
    assert not any(item.code.startswith("consistency.") for item in findings)


def test_a_set_of_pages_no_one_could_read_still_gives_findings() -> None:
    findings = validate(DocumentSet.from_pages([("other", {})]), on=date.fromisoformat(ON), nomenclature=NOMENCLATURE)
    assert where(findings) == [("set.missing_document", "cmr"), ("set.missing_document", "invoice")]


ODD_FIELDS = {
    "cmr": ["vehicle_reg", "marks", "statistical_number", "gross_weight_kg", "established", "carrier", "packages"],
    "invoice": ["item_1_hs_code", "item_1_gross_kg", "item_2_net_kg", "invoice_date", "incoterm", "incoterm_place",
                "currency", "seller", "total_net_kg", "origin"],
    "certificate_of_origin": ["item_1_hs_code", "issue_place_date", "origin_country", "exporter", "gross_mass"],
    "packing_list": ["container", "item_2_gross_kg", "total_gross_kg", "packing_date", "shipper", "item_1_packages"],
}


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.fixed_dictionaries({kind: st.dictionaries(st.sampled_from(names), st.text(max_size=40))
                              for kind, names in ODD_FIELDS.items()}))
def test_no_page_content_makes_validation_raise(changes: dict[str, dict[str, str]]) -> None:
    findings = found(dict(changes))
    assert all(isinstance(item, Finding) for item in findings)
