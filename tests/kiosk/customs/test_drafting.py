"""`declare` on the literal consignment of test_validation: where each box comes from, the XML that xmllint
accepts, and the draft withheld (with `draft.missing` naming the box) when a value it needs is absent or wrong."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from kiosk.customs.document_set import DocumentSet
from kiosk.customs.drafting import Declaration, declare, split_packages
from kiosk.customs.findings import Finding
from kiosk.customs.risk import load_reference_values, risk_flags
from kiosk.customs.sad import Draft
from kiosk.customs.sad_xml import from_xml, to_xml
from kiosk.customs.validation import validate
from tests.kiosk.customs.test_validation import NOMENCLATURE, ON, pages

XSD = Path(__file__).resolve().parents[3] / "docs" / "declaration.xsd"
DECLARATION_ID = "5b7d0c1e-3f3a-4e8a-9d51-2c0e6f1a7b42"
CREATED = datetime(2026, 11, 20, 8, 15, tzinfo=UTC)


def drafted(changes: dict[str, dict[str, str | None]] | None = None, without: tuple[str, ...] = (),
            **options: str) -> Declaration:
    documents = DocumentSet.from_pages(pages(changes, without))
    return declare(documents, on=date.fromisoformat(ON), nomenclature=NOMENCLATURE,
                   kiosk_id=options.get("kiosk_id", "kutaisi-2"), office="GE-CEZ-01",
                   declaration_id=options.get("declaration_id", DECLARATION_ID), created_at=CREATED)


def missing(findings: list[Finding]) -> list[tuple[str, str]]:
    """(field to fix, SAD box) of each `draft.missing`."""
    return [(item.field, item.params["box"]) for item in findings if item.code == "draft.missing"]


def test_the_clean_set_gives_a_draft_from_every_document() -> None:
    declaration = drafted()
    draft = declaration.draft
    assert draft is not None and declaration.findings == [] and declaration.flags == []
    assert (draft.uuid, draft.reference, draft.kiosk_id) == (DECLARATION_ID, "CEZ-20261120-5B7D0C1E", "kutaisi-2")
    general = draft.general
    assert (general.office, general.date) == ("GE-CEZ-01", date(2026, 11, 20))
    assert general.exporter.model_dump() == {
        "name": "Imereti Walnut Co LLC", "address": "14 Chavchavadze Ave, Kutaisi 4600", "country": "GE",
        "taxpayer_id": "212345678", "eori": None}
    assert (general.consignee.name, general.consignee.country, general.destination_country) == (
        "Bursa Kuruyemis Ticaret A.S.", "TR", "TR")
    transport = general.transport
    assert (transport.vehicle_plate, transport.vehicle_country, transport.trailer_plate, transport.containers) == (
        "TB714RK", "GE", "KT220M", ("TGHU7614986",))
    valuation = general.valuation
    assert (valuation.incoterm, valuation.incoterm_place, valuation.currency, valuation.invoice_total) == (
        "FCA", "Kutaisi", "USD", Decimal("45800.00"))
    assert (general.total_packages, general.total_gross_kg) == (24, Decimal("10560"))
    assert [(doc.kind, doc.number, doc.issued) for doc in general.documents] == [
        ("cmr", "GE 0451872", date(2026, 11, 18)), ("invoice", "IWC-2026/0917", date(2026, 11, 17)),
        ("certificate_of_origin", "GCCI 2026 004512", date(2026, 11, 17)),
        ("packing_list", "PL-0917", date(2026, 11, 17))]
    assert [(item.number, item.hs_code, item.packages, item.origin_country, item.gross_kg, item.net_kg,
             item.quantity, item.unit, item.invoice_amount) for item in draft.items] == [
        (1, "08023100", 18, "GE", Decimal("8320"), Decimal("8000"), Decimal("8000"), "kg", Decimal("32800.00")),
        (2, "08131000", 6, "GE", Decimal("2240"), Decimal("2000"), Decimal("2000"), "kg", Decimal("13000.00"))]


def test_the_draft_passes_the_model_and_the_schema(tmp_path: Path) -> None:
    draft = drafted().draft
    assert draft is not None
    assert Draft.model_validate(draft.to_json()) == draft
    xml = to_xml(draft)
    target = tmp_path / "draft.xml"
    target.write_bytes(xml)
    xmllint = shutil.which("xmllint")
    assert xmllint is not None, "xmllint is missing: install libxml2-utils (scripts/bootstrap-system does)"
    checked = subprocess.run([xmllint, "--noout", "--schema", str(XSD), str(target)], capture_output=True,
                             text=True, check=False, timeout=60)
    assert checked.returncode == 0, checked.stderr
    assert from_xml(xml) == draft


@pytest.mark.parametrize(("kind", "box"), [("invoice", "31"), ("cmr", "18")])
def test_a_set_without_the_invoice_or_the_cmr_gives_no_draft(kind: str, box: str) -> None:
    declaration = drafted(without=(kind,))
    assert declaration.draft is None
    assert missing(declaration.findings) == [(kind, box)]
    assert ("set.missing_document", kind) in [(item.code, item.field) for item in declaration.findings]


def test_the_findings_are_validations_once_then_what_the_draft_lacks() -> None:
    changes: dict[str, dict[str, str | None]] = {"invoice": {"item_2_hs_code": "0899 10 00"}}
    declaration = drafted(changes)
    validated = validate(DocumentSet.from_pages(pages(changes)), on=date.fromisoformat(ON), nomenclature=NOMENCLATURE)
    assert declaration.findings[:len(validated)] == validated
    assert declaration.draft is None
    [lacking] = declaration.findings[len(validated):]
    assert (lacking.code, lacking.field, lacking.params) == ("draft.missing", "invoice.items[2].hs_code", {
        "box": "33", "element": "hs_code", "source": "invoice.items[2].hs_code"})
    assert lacking.message == "SAD box 33 (hs_code) cannot be filled: invoice.items[2].hs_code is missing or invalid"


@pytest.mark.parametrize(("changes", "expected"), [
    ({"invoice": {"currency": None}}, [("invoice.currency", "22")]),
    ({"invoice": {"incoterm_place": None}}, [("invoice.incoterm_place", "20")]),
    ({"invoice": {"item_1_net_kg": None}}, [("invoice.items[1].net_kg", "38")]),
    ({"invoice": {"item_2_gross_kg": "1 900"}}, [("invoice.items[2].gross_kg", "35")]),
    ({"invoice": {"origin": None}, "certificate_of_origin": {"origin_country": None}}, [("invoice.origin", "34")]),
    ({"cmr": {"vehicle_reg": "TB-714-RKX"}}, [("cmr.vehicle_plate", "18")]),
    ({"invoice": {"item_1_amount": "1" + "0" * 35}}, [("invoice.items[1].amount", "42")]),  # beyond 28 digits
    ({"cmr": {"carrier": "Kartli Trans LLC"}}, [("cmr.carrier", "18")]),  # TB714RK fits seven countries' formats
    ({"invoice": {"seller": "Imereti Walnut Co LLC"}, "cmr": {"sender": "Imereti Walnut Co LLC, Kutaisi"}},
     [("invoice.seller", "2")]),
])
def test_a_value_a_box_needs_absent_or_wrong_withholds_the_draft(changes: dict[str, dict[str, str | None]],
                                                                 expected: list[tuple[str, str]]) -> None:
    declaration = drafted(changes)
    assert declaration.draft is None
    assert missing(declaration.findings) == expected


def test_the_model_refusing_an_element_names_it() -> None:
    declaration = drafted({"invoice": {"item_1_description": "walnuts " * 50}})
    assert declaration.draft is None
    assert missing(declaration.findings) == [("draft.items[1].description", "31")]


def test_the_exporter_falls_back_to_the_cmr_sender_and_the_total_to_the_lines() -> None:
    draft = drafted({"invoice": {"seller": "Imereti Walnut Co", "total_amount": None}}).draft
    assert draft is not None
    assert (draft.general.exporter.address, draft.general.exporter.taxpayer_id) == (
        "14 Chavchavadze Ave, Kutaisi 4600", "212345678")
    assert draft.general.valuation.invoice_total == Decimal("45800.00")


def test_the_vehicle_country_comes_from_the_plate_when_only_one_country_fits() -> None:
    draft = drafted({"cmr": {"carrier": "Anatolia Lojistik", "vehicle_reg": "34 ABC 123 / 34 AB 1234"},
                     "packing_list": {"vehicle_plate": None}}).draft
    assert draft is not None
    assert (draft.general.transport.vehicle_plate, draft.general.transport.vehicle_country,
            draft.general.transport.trailer_plate) == ("34ABC123", "TR", "34AB1234")


def test_packages_come_from_the_cmr_split_by_gross_mass_without_itemised_documents() -> None:
    draft = drafted(without=("packing_list", "certificate_of_origin")).draft
    assert draft is not None
    # 24 x 8320 / 10560 = 18.9 and 24 x 2240 / 10560 = 5.09: the spare package goes to the larger remainder
    assert [item.packages for item in draft.items] == [19, 5]
    assert draft.general.total_packages == 24
    assert [doc.kind for doc in draft.general.documents] == ["cmr", "invoice"]


def test_packages_come_from_the_certificate_lines_without_a_packing_list() -> None:
    draft = drafted({"certificate_of_origin": {"item_1_description": "1. 17 packages: Walnuts in shell",
                                               "item_2_description": "2. 7 packages: Dried apricots"}},
                    without=("packing_list",)).draft
    assert draft is not None and [item.packages for item in draft.items] == [17, 7]


def test_packing_lines_in_another_order_are_paired_by_hs_code() -> None:
    swapped = {"item_1_description": "Dried apricots", "item_1_hs_code": "0813.10", "item_1_packages": "6",
               "item_1_net_kg": "2000", "item_1_gross_kg": "2240", "item_2_description": "Walnuts in shell",
               "item_2_hs_code": "0802.31", "item_2_packages": "18", "item_2_net_kg": "8000", "item_2_gross_kg": "8320"}
    draft = drafted({"packing_list": swapped}).draft
    assert draft is not None and [item.packages for item in draft.items] == [18, 6]


def test_the_named_place_printed_with_the_incoterm_is_taken() -> None:
    draft = drafted({"invoice": {"incoterm": "FCA Kutaisi", "incoterm_place": None}}).draft
    assert draft is not None
    assert (draft.general.valuation.incoterm, draft.general.valuation.incoterm_place) == ("FCA", "Kutaisi")


@pytest.mark.parametrize(("total", "weights", "expected"), [
    (24, ["8320", "2240"], [19, 5]),
    (1, ["1", "1"], [1, 0]),
    (3, ["0", "0", "0"], [1, 1, 1]),
    (10, ["1", "1", "1"], [4, 3, 3]),
    (0, ["5"], [0]),
    (7, [], []),
])
def test_split_packages_by_largest_remainder(total: int, weights: list[str], expected: list[int]) -> None:
    assert split_packages(total, [Decimal(weight) for weight in weights]) == expected


def test_amounts_go_to_the_cent_half_up() -> None:
    draft = drafted({"invoice": {"item_1_amount": "32 799.995", "total_amount": "45 799.995"}}).draft
    assert draft is not None
    assert (draft.items[0].invoice_amount, draft.general.valuation.invoice_total) == (
        Decimal("32800.00"), Decimal("45800.00"))


def test_flags_travel_with_the_draft_in_the_json() -> None:
    changes: dict[str, dict[str, str | None]] = {"certificate_of_origin": {"origin_country": "Armenia"}}
    documents = DocumentSet.from_pages(pages(changes))
    flags = risk_flags(documents, references=load_reference_values())
    declaration = declare(documents, on=date.fromisoformat(ON), nomenclature=NOMENCLATURE, kiosk_id="kutaisi-2",
                          office="GE-CEZ-01", flags=flags, declaration_id=DECLARATION_ID, created_at=CREATED)
    document = declaration.to_dict()
    assert set(document) == {"draft", "findings", "flags"}
    assert [flag["code"] for flag in document["flags"]] == ["risk.origin"]
    assert document["draft"]["items"][0]["origin_country"] == "AM"  # the certificate's, as the rule says
    assert [item["code"] for item in document["findings"]] == ["consistency.origin"]


@pytest.mark.parametrize("options", [{"declaration_id": "not-a-uuid"}, {"kiosk_id": ""}])
def test_what_the_caller_gives_wrong_is_a_value_error(options: dict[str, str]) -> None:
    with pytest.raises(ValueError, match=r"declare: (uuid|kiosk_id)"):
        drafted(**options)
