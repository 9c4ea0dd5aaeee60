"""Cross-document consistency on literal document sets and on consignments of the generator (content only)."""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

import pytest

from kiosk.customs.consistency import Tolerance, check_consistency, name_key, same_party
from kiosk.customs.documents import Certificate, Cmr, Invoice, PackingList, Party
from kiosk.customs.findings import Finding
from tests.kiosk.customs.test_documents import trade_truth
from vision.synth.cmr_content import format_weight
from vision.synth.goods import data_dir
from vision.synth.trade_content import Consignment, consignment

CMR = {
    "sender": "Kolkheti Hazelnut LLC, 3 Gorgasali Street, 2000 Zugdidi, Georgia",
    "consignee": "Ege Makina Sanayi A.Ş., İnönü Sok. No 4, 35210 İzmir, Türkiye",
    "packages": "35",
    "goods": "Hazelnuts, in shell, Wine; still",
    "statistical_number": "0802.21, 2204.21",
    "gross_weight_kg": "14213",
}
INVOICE = {
    "seller": "KOLKHETI HAZELNUT, L.L.C., 3 Gorgasali St., Zugdidi, Georgia",
    "buyer": "Ege Makina Sanayi AS, Izmir, Turkey",
    "invoice_number": "EXP-2025/12345",
    "origin": "Georgia",
    "total_net_kg": "13 450,0",
    "total_gross_kg": "14 212,6",
    "item_1_description": "Hazelnuts; fresh or dried, in shell",
    "item_1_hs_code": "0802.21",
    "item_2_description": "Wine of fresh grapes, still",
    "item_2_hs_code": "220421",
}
CERTIFICATE = {
    "exporter": "Kolkheti Hazelnut LLC, Zugdidi, Georgia",
    "consignee": "Ege Makina Sanayi A.Ş., İzmir, Türkiye",
    "origin_country": "GE",
    "destination_country": "TR",
    "gross_mass": "14212.6",
    "item_1_description": "1. 31 packages: Hazelnuts in shell",
    "item_2_description": "2. 4 packages: Still wine",
    "invoices": "EXP-2025 12345",
}
PACKING = {
    "shipper": "Kolkheti Hazelnut LLC, Zugdidi, Georgia",
    "consignee": "Ege Makina Sanayi A.Ş., İzmir, Türkiye",
    "invoice_number": "EXP-2025/12345",
    "total_packages": "35",
    "total_net_kg": "13450.0",
    "total_gross_kg": "14212.6",
}


def check(cmr: dict[str, Any] | None = None, invoice: dict[str, Any] | None = None,
          certificate: dict[str, Any] | None = None, packing: dict[str, Any] | None = None,
          **options: Any) -> list[Finding]:
    """The findings of the literal set with some fields replaced."""
    return check_consistency(Cmr.from_fields({**CMR, **(cmr or {})}),
                             Invoice.from_fields({**INVOICE, **(invoice or {})}),
                             Certificate.from_fields({**CERTIFICATE, **(certificate or {})}),
                             PackingList.from_fields({**PACKING, **(packing or {})}), **options)


def codes(findings: list[Finding]) -> list[tuple[str, str, str]]:
    return [(found.code, found.field, found.severity.value) for found in findings]


def test_a_consistent_set_has_no_findings() -> None:
    assert check() == []


def test_the_certificate_and_packing_list_are_optional() -> None:
    assert check_consistency(Cmr.from_fields(CMR), Invoice.from_fields(INVOICE)) == []


def test_a_gross_weight_beyond_the_tolerance_is_an_error_naming_both_documents() -> None:
    [found] = check(cmr={"gross_weight_kg": "15213"})
    assert codes([found]) == [("consistency.gross_weight", "sets.gross_weight", "error")]
    # the certificate and packing list agree with the invoice, so the CMR alone is out
    assert found.params == {"document": "invoice", "value": "14212.6", "other_document": "cmr",
                            "other_value": "15213"}
    assert found.message == "The gross weight differs: invoice gives 14212.6 kg, cmr 15213 kg"


@pytest.mark.parametrize(("cmr_kg", "tolerance", "flagged"), [
    ("14213", None, False),             # whole kilograms against one decimal
    ("14280", None, False),             # within 0.5 %
    ("14290", None, True),              # beyond 0.5 % of 14290 (71.45 kg)
    ("14290", Tolerance(relative=Decimal("0.01")), False),
    ("14214", Tolerance(relative=Decimal(0), absolute_kg=Decimal("0.5")), True),
])
def test_the_weight_tolerance(cmr_kg: str, tolerance: Tolerance | None, flagged: bool) -> None:
    found = check(cmr={"gross_weight_kg": cmr_kg}, tolerance=tolerance)
    assert [f.code for f in found] == (["consistency.gross_weight"] if flagged else [])


@pytest.mark.parametrize(("relative", "absolute"), [
    (Decimal("-0.01"), Decimal(1)), (Decimal("0.01"), Decimal("-1")), (Decimal("NaN"), Decimal(1)),
    (Decimal("0.01"), Decimal("Infinity")), (0.01, Decimal(1)),
])
def test_a_tolerance_out_of_range_is_refused(relative: Any, absolute: Any) -> None:
    with pytest.raises(ValueError, match="weight tolerance"):
        Tolerance(relative=relative, absolute_kg=absolute)


def test_line_weights_paired_by_hs_code_or_number_warn() -> None:
    invoice = {"item_1_gross_kg": "12 650,0", "item_2_gross_kg": "1 562,6"}
    certificate = {"item_1_gross_kg": "12650", "item_2_gross_kg": "1662.6"}
    packing = {"item_1_hs_code": "2204.21", "item_1_gross_kg": "1562.6", "item_2_hs_code": "0802.21",
               "item_2_gross_kg": "12 650.0"}
    found = check(invoice=invoice, certificate=certificate, packing=packing)
    assert codes(found) == [("consistency.line_gross_weight", "sets.goods[2].gross_weight", "warning")]
    assert found[0].params["line"] == 2
    assert (found[0].params["other_document"], found[0].params["other_value"]) == ("certificate_of_origin", "1662.6")


def test_net_weights_and_package_counts_are_errors() -> None:
    found = check(packing={"total_net_kg": "12 450,0", "total_packages": "34"})
    assert codes(found) == [("consistency.packages", "sets.packages", "error"),
                            ("consistency.net_weight", "sets.net_weight", "error")]
    assert found[0].params["other_value"] == "34"


def test_packages_summed_from_lines_when_no_total() -> None:
    packing = {**PACKING, "item_1_packages": "30", "item_2_packages": "4"}
    del packing["total_packages"]
    found = check_consistency(Cmr.from_fields(CMR), Invoice.from_fields(INVOICE), None,
                              PackingList.from_fields(packing))
    assert [(f.code, f.params["other_value"]) for f in found] == [("consistency.packages", "34")]


def test_an_origin_conflict_is_an_error() -> None:
    found = check(certificate={"origin_country": "Türkiye"})
    assert codes(found) == [("consistency.origin", "sets.origin", "error")]
    assert (found[0].params["value"], found[0].params["other_value"]) == ("GE", "TR")


def test_a_different_destination_is_a_warning() -> None:
    found = check(certificate={"destination_country": "AZ"})
    assert codes(found) == [("consistency.destination", "sets.destination", "warning")]


def test_an_hs_code_not_on_the_invoice_is_an_error_and_a_missing_one_a_warning() -> None:
    found = check(cmr={"statistical_number": "0802.22"})
    assert codes(found) == [("consistency.hs_code", "sets.hs_code", "error"),
                            ("consistency.hs_code_missing", "sets.hs_code_missing", "warning"),
                            ("consistency.hs_code_missing", "sets.hs_code_missing", "warning")]
    assert found[0].params == {"document": "cmr", "value": "080222", "other_document": "invoice",
                               "other_value": "080221, 220421"}


def test_hs_codes_compare_at_six_digits_and_at_the_heading() -> None:
    assert check(cmr={"statistical_number": "0802, 2204.21.09"}) == []
    assert check(invoice={"item_1_hs_code": "0802.21.00"}) == []


@pytest.mark.parametrize(("seller", "flagged"), [
    ("Kolkheti Hazelnut Ltd", False),
    ("«Kolkheti Hazelnut» LLC", False),
    ("Kolkheti Hazlenut LLC", False),         # a letter or two misread
    ("Rustavi Steel Trade LLC", True),
    ("Kolkheti Wine LLC", True),
])
def test_exporter_names_are_compared_loosely_and_warn(seller: str, flagged: bool) -> None:
    found = check(invoice={"seller": f"{seller}, Zugdidi, Georgia"})
    assert codes(found) == ([("consistency.exporter", "sets.exporter", "warning")] if flagged else [])
    if flagged:  # the three documents that agree outvote the invoice
        assert (found[0].params["document"], found[0].params["other_document"]) == ("cmr", "invoice")


@pytest.mark.parametrize(("first", "second", "same"), [
    ("ООО «Урал Металл Трейд»", "Урал Металл Трейд ООО", True),
    ("შპს ქართული ლოჯისტიკა", "ქართული ლოჯისტიკა", True),
    ("Polmar Trans Sp. z o.o.", "POLMAR TRANS", True),
    ("Anadolu Tekstil A.Ş.", "Anadolu Tekstil AS", True),
    ("Boğaziçi Gıda Ltd. Şti.", "Bogazici Gida", True),
    ("Nordwerk Maschinen GmbH", "Nordwerk Maschinen Handel GmbH", True),
    ("Elbe Logistik KG", "Rhein Spedition GmbH", False),
    ("Baltic Foods", "Baltic Road Cargo", False),
])
def test_same_party(first: str, second: str, same: bool) -> None:
    assert same_party(Party(name=first), Party(name=second)) is same


def test_names_in_different_scripts_compare_by_country_only() -> None:
    georgian, latin = "შპს ქართული ლოჯისტიკა", "Kartuli Logistics LLC"
    assert same_party(Party(name=georgian, country="GE"), Party(name=latin, country="GE")) is True
    assert same_party(Party(name=georgian, country="GE"), Party(name=latin, country="AM")) is False
    assert same_party(Party(name=georgian), Party(name=latin, country="GE")) is None


def test_name_key_drops_legal_forms_but_not_a_name_made_only_of_them() -> None:
    assert name_key("Ege Makina Sanayi A.Ş.") == "ege makina sanayi"
    assert name_key("AS") == "as"


def test_goods_that_share_no_word_warn_per_line() -> None:
    found = check(certificate={"item_2_description": "2. 4 packages: Frozen fish fillets"})
    assert codes(found) == [("consistency.goods", "sets.goods[2]", "warning")]
    assert found[0].params["other_value"] == "Frozen fish fillets"
    found = check(cmr={"goods": "Steel pipes"})
    assert codes(found) == [("consistency.goods", "sets.goods", "warning")]


def test_an_invoice_reference_elsewhere_warns() -> None:
    found = check(packing={"invoice_number": "EXP-2025/12346"})
    assert codes(found) == [("consistency.invoice_reference", "sets.invoice_reference", "warning")]
    assert found[0].params["other_value"] == "EXP-2025/12346"


def test_vehicle_and_container_compare_without_spacing_and_warn() -> None:
    same = check(cmr={"vehicle_plate": "GE-123-AB", "marks": "TR-232860, TGHU 967631 2"},
                 certificate={"transport": "Truck GE 123 AB"},
                 packing={"vehicle_plate": "GE123AB", "container": "TGHU9676312"})
    assert same == []
    found = check(cmr={"vehicle_plate": "GE-123-AB", "marks": "TR-232860"},
                  certificate={"transport": "Truck GE-128-AB"}, packing={"container": "TGHU9676312"})
    assert codes(found) == [("consistency.vehicle", "sets.vehicle", "warning"),
                            ("consistency.container", "sets.container", "warning")]


def test_values_a_document_lacks_or_could_not_read_are_not_compared() -> None:
    cmr = {name: value for name, value in CMR.items() if name not in ("gross_weight_kg", "packages")}
    found = check_consistency(Cmr.from_fields({**cmr, "statistical_number": "0802.2"}),
                              Invoice.from_fields({**INVOICE, "origin": "Atlantis", "total_gross_kg": "12O0"}),
                              Certificate.from_fields(CERTIFICATE))
    assert found == []


def _cmr_fields(c: Consignment) -> dict[str, str]:
    """What a CMR of the same consignment prints (box 11 in whole kilograms)."""
    return {"sender": ", ".join(c.seller.lines), "consignee": ", ".join(c.buyer.lines),
            "packages": str(c.total_packages), "goods": ", ".join(item.description for item in c.items),
            "statistical_number": ", ".join(f"{item.hs_code[:4]}.{item.hs_code[4:]}" for item in c.items),
            "gross_weight": format_weight(round(c.total_gross)), "vehicle_reg": c.plate}


def _generated_set(seed: int) -> tuple[Cmr, Invoice, Certificate, PackingList]:
    c = consignment(random.Random(f"consistency:{seed}"), data_dir())
    rng = random.Random(seed)
    return (Cmr.from_fields(_cmr_fields(c)), Invoice.from_fields(trade_truth("invoice", c, rng)),
            Certificate.from_fields(trade_truth("certificate_of_origin", c, rng)),
            PackingList.from_fields(trade_truth("packing_list", c, rng)))


@pytest.mark.parametrize("seed", range(20))
def test_generated_consignments_are_consistent(seed: int) -> None:
    assert check_consistency(*_generated_set(seed)) == []


@pytest.mark.parametrize("seed", range(5))
def test_conflicts_put_into_generated_consignments_are_found(seed: int) -> None:
    cmr, invoice, certificate, packing = _generated_set(seed)
    heavier = cmr.model_copy(update={"gross_weight": cmr.gross_weight.carrying(
        (cmr.gross_weight.value or Decimal(0)) * Decimal("1.05") + 10)})
    other = "AM" if invoice.origin.value != "AM" else "AZ"
    elsewhere = certificate.model_copy(update={"origin_country": certificate.origin_country.carrying(other)})
    found = check_consistency(heavier, invoice, elsewhere, packing)
    assert {(f.code, f.severity.value) for f in found} == {("consistency.gross_weight", "error"),
                                                           ("consistency.origin", "error")}
