"""Document models built from what vision returns: literal field dicts, messy values, bad input, generator truths."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from kiosk.customs.documents import Certificate, Cmr, DocumentInputError, Invoice, PackingList, Party, Read
from kiosk.customs.documents.amounts import MAX_NUMBER_CHARS, AmountFormatError, parse_count, parse_number
from kiosk.customs.documents.read import MAX_FIELD_CHARS, UNSURE_CAP
from vision import cmr_layout
from vision.synth.cmr_content import cmr_content, varied_cmr_content
from vision.synth.goods import data_dir
from vision.synth.trade_content import Consignment, consignment, date_text


def reading(value: str, confidence: float = 0.93, accepted: bool = True) -> dict[str, Any]:
    return {"value": value, "confidence": confidence, "accepted": accepted}


# --- amounts ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "value", "ambiguous"), [
    ("1 200,00", "1200.00", False),
    ("1,200.00", "1200.00", False),
    ("1.200,00", "1200.00", False),
    ("1'234.50", "1234.50", False),
    ("1\u00a0200,5", "1200.5", False),
    ("18 240 kg", "18240", False),
    ("EUR 1 200,00", "1200.00", False),
    ("101 808,00 TRY", "101808.00", False),
    ("1,200,000.50", "1200000.50", False),
    ("1.200.000", "1200000", False),
    ("12,5", "12.5", False),
    ("0,250", "0.250", False),
    ("1 200,000", "1200.000", False),
    ("-15.50", "-15.50", False),
    ("7", "7", False),
    ("0.5 m3", "0.5", False),
    ("1,200", "1200", True),
    ("1.200", "1200", True),
    ("₾ 45", "45", False),
])
def test_numbers_in_every_printed_convention(text: str, value: str, ambiguous: bool) -> None:
    parsed = parse_number(text)
    assert parsed.value == Decimal(value)
    assert str(parsed.value) == value  # the printed decimals are kept, nothing rounded
    assert parsed.ambiguous is ambiguous


@pytest.mark.parametrize("text", [
    "1.2.3", "12O0", "", "kg", "12,34,567", "10,", "1,200.000,5", "1 2", "abc", "1.000.00", ".5", "1,2,3.4.5",
    "12 345 678 901 234 567 890 123 456 789 012", "x" * 1000, "1e5", "٣٤",
])
def test_what_is_no_number_is_refused_with_a_reason(text: str) -> None:
    with pytest.raises(AmountFormatError) as refused:
        parse_number(text)
    assert refused.value.reason


def test_overlong_text_is_refused_before_parsing() -> None:
    with pytest.raises(AmountFormatError, match="longer than"):
        parse_number("1" * (MAX_NUMBER_CHARS + 1))


def test_counts_are_whole_numbers() -> None:
    assert parse_count("1 200") == 1200
    assert parse_count("33") == 33
    with pytest.raises(AmountFormatError, match="whole"):
        parse_count("12,5")


# --- the CMR ---------------------------------------------------------------------------------------------------

VISION_CMR = {
    "goods": reading("Hazelnuts, in shell, Wine; still, in containers of 2 litres or less", 0.81),
    "statistical_number": reading("0802.21, 2204.21", 0.88),
    "sender": reading("Kolkheti Hazelnut LLC, 3 Gorgasali Street, 2000 Zugdidi, Georgia", 0.9),
    "consignee": reading("Ege Makina Sanayi A.Ş., İnönü Sok. No 4, 35210 İzmir, Türkiye", 0.77, False),
    "carrier": reading("Baltic Road Cargo UAB, Laisvės al. 60, LT-44240 Kaunas, Lietuva"),
    "taking_over": reading("Zugdidi, Georgia, 28.01.2025"),
    "place_of_delivery": reading("İzmir, Türkiye"),
    "vehicle_plate": reading("TB-714-KD", 0.5, False),
    "gross_weight_kg": reading("14213", 0.96),
    "cmr_number": reading("GE 2557209"),
    "packages": reading("31"),
}


def test_a_cmr_from_vision_keeps_values_and_confidences() -> None:
    cmr = Cmr.from_fields(VISION_CMR)
    assert cmr.findings == ()
    assert cmr.gross_weight == Read(value=Decimal("14213"), confidence=0.96, accepted=True, raw="14213")
    assert cmr.packages.value == 31
    assert cmr.statistical_number.value == ("080221", "220421")
    assert cmr.sender.value == Party(name="Kolkheti Hazelnut LLC", address="3 Gorgasali Street, 2000 Zugdidi",
                                     country="GE")
    assert cmr.consignee.value is not None and cmr.consignee.value.country == "TR"
    assert (cmr.consignee.confidence, cmr.consignee.accepted) == (0.77, False)
    assert cmr.taking_over.value is not None and cmr.taking_over.value.on == date(2025, 1, 28)
    assert cmr.taking_over.value.place == "Zugdidi, Georgia"
    assert (cmr.vehicle_plate.value, cmr.vehicle_plate.accepted) == ("TB-714-KD", False)
    assert not cmr.trailer_plate.present
    assert not cmr.volume.present and cmr.volume.raw is None  # a box the page did not give is None, not an error


@pytest.mark.parametrize(("text", "party"), [
    ("Black Sea Agro Ltd, 12 Rustaveli Avenue, 0108 Tbilisi, GE",
     Party(name="Black Sea Agro Ltd", address="12 Rustaveli Avenue, 0108 Tbilisi", country="GE")),
    ("Black Sea Agro Ltd, 0108 Tbilisi, 12 Georgia Street", Party(name="Black Sea Agro Ltd",
                                                                 address="0108 Tbilisi, 12 Georgia Street")),
    ("Black Sea Agro Ltd", Party(name="Black Sea Agro Ltd")),
    ("ЗАО «Арарат Экспорт», ул. Абовяна, 14, 0010 Ереван, Армения",
     Party(name="ЗАО «Арарат Экспорт»", address="ул. Абовяна, 14, 0010 Ереван", country="AM")),
])
def test_party_boxes(text: str, party: Party) -> None:
    assert Cmr.from_fields({"sender": text}).sender.value == party


def test_cmr_boxes_are_the_24_of_the_form() -> None:
    assert sorted(Cmr.BOXES) == list(range(1, 25))
    assert {box.number: box.key for box in cmr_layout.BOXES} == Cmr.BOXES
    assert set(Cmr.BOXES.values()) <= set(Cmr.model_fields)


def test_a_truth_plate_box_gives_truck_and_trailer() -> None:
    cmr = Cmr.from_fields({"vehicle_reg": "GE-123-AB / GE-456-CD", "gross_weight": "18 240 kg",
                           "volume": "54.6 m3", "established": "Tbilisi 28.01.2025", "taking_over": "Tbilisi"})
    assert (cmr.vehicle_plate.value, cmr.trailer_plate.value) == ("GE-123-AB", "GE-456-CD")
    assert cmr.vehicle_plate.confidence == 1.0 and cmr.vehicle_plate.accepted  # a bare string is a truth
    assert cmr.gross_weight.value == Decimal("18240")
    assert cmr.volume.value == Decimal("54.6")
    assert cmr.established.value is not None and cmr.established.value.place == "Tbilisi"
    assert cmr.taking_over.value is not None and (cmr.taking_over.value.place, cmr.taking_over.value.on) == (
        "Tbilisi", None)


def test_an_unreadable_weight_is_a_finding_not_an_exception() -> None:
    cmr = Cmr.from_fields({**VISION_CMR, "gross_weight_kg": reading("12O0", 0.4)})
    assert cmr.gross_weight == Read(value=None, confidence=0.4, accepted=False, raw="12O0")
    [found] = cmr.findings
    assert (found.code, found.field, found.severity) == ("document.weight", "cmr.gross_weight", "error")
    assert found.params["text"] == "12O0" and found.params["document"] == "cmr"
    assert cmr.packages.value == 31  # the other fields still count


@pytest.mark.parametrize(("name", "text", "code"), [
    ("gross_weight_kg", "-500", "document.weight"),
    ("gross_weight_kg", "1.2.3", "document.weight"),
    ("packages", "12,5", "document.count"),
    ("packages", "many", "document.count"),
    ("statistical_number", "0802.1, 2204.21", "document.hs_code"),
    ("taking_over", "", None),
    ("taking_over", "Zugdidi, Georgia, 31.02.2025", "document.place_and_date"),
])
def test_bad_values_of_cmr_boxes(name: str, text: str, code: str | None) -> None:
    cmr = Cmr.from_fields({**VISION_CMR, name: reading(text)})
    assert [found.code for found in cmr.findings] == ([code] if code else [])
    field = {"gross_weight_kg": "gross_weight"}.get(name, name)
    assert getattr(cmr, field).value is None


@pytest.mark.parametrize("entry", [
    {"value": 7, "confidence": 0.9},
    {"value": ["31"], "confidence": 0.9},
    {"value": "31", "confidence": "high"},
    {"value": "31", "confidence": 1.5},
    {"value": "31", "confidence": -0.1},
    {"value": "31", "confidence": float("nan")},
    {"value": "31", "confidence": True},
    {"value": "31", "confidence": 0.9, "accepted": "yes"},
    42,
    ["31"],
])
def test_a_malformed_entry_is_refused_field_by_field(entry: object) -> None:
    cmr = Cmr.from_fields({**VISION_CMR, "packages": entry})
    assert [(found.code, found.field) for found in cmr.findings] == [("document.field_malformed", "cmr.packages")]
    assert cmr.packages == Read()
    assert cmr.gross_weight.value == Decimal("14213")


def test_a_huge_string_is_refused_before_parsing() -> None:
    cmr = Cmr.from_fields({**VISION_CMR, "goods": reading("Hazelnuts " * MAX_FIELD_CHARS),
                           "gross_weight_kg": reading("9" * 500)})
    assert sorted(found.code for found in cmr.findings) == ["document.field_too_long", "document.weight"]
    assert not cmr.goods.present and not cmr.gross_weight.present


@pytest.mark.parametrize("fields", [None, ["sender"], "sender: x", {1: reading("x")}])
def test_fields_that_are_no_mapping_of_names_are_a_clear_error(fields: object) -> None:
    with pytest.raises(DocumentInputError, match="mapping of field names"):
        Cmr.from_fields(fields)


def test_documents_round_trip_through_json() -> None:
    cmr = Cmr.from_fields({**VISION_CMR, "gross_weight_kg": reading("12O0")})
    assert Cmr.model_validate_json(cmr.model_dump_json()) == cmr


# --- the invoice -----------------------------------------------------------------------------------------------

VISION_INVOICE = {
    "invoice_number": reading("EXP-202512345"),
    "invoice_date": reading("2025-02-04"),
    "currency": reading("EUR"),
    "origin": reading("GE"),
    "incoterm": reading("FCA"),
    "incoterm_place": reading("Zugdidi"),
    "total_amount": reading("10225.50", 0.82),
    "total_net_kg": reading("13450.0"),
    "total_gross_kg": reading("14212.6"),
    "item_1_description": reading("Hazelnuts, in shell"),
    "item_1_hs_code": reading("080221"),
    "item_1_quantity": reading("12000"),
    "item_1_unit": reading("KG"),
    "item_1_unit_price": reading("0.75"),
    "item_1_amount": reading("9000.00"),
    "item_1_net_kg": reading("12000.0"),
    "item_1_gross_kg": reading("12650.0"),
    "item_2_description": reading("Wine; still, in containers of 2 litres or less"),
    "item_2_hs_code": reading("2204.21"),
    "item_2_quantity": reading("1450"),
    "item_2_unit": reading("L"),
    "item_2_unit_price": reading("0.8452"),
    "item_2_amount": reading("1225.50"),
    "item_2_net_kg": reading("1450.0"),
    "item_2_gross_kg": reading("1562.6"),
}


def test_an_invoice_from_vision() -> None:
    invoice = Invoice.from_fields(VISION_INVOICE)
    assert invoice.findings == ()
    assert invoice.invoice_date.value == date(2025, 2, 4)
    assert (invoice.currency.value, invoice.origin.value, invoice.incoterm.value) == ("EUR", "GE", "FCA")
    assert invoice.total_amount.value == Decimal("10225.50") and invoice.total_amount.confidence == 0.82
    assert [line.number for line in invoice.lines] == [1, 2]
    assert invoice.lines[1].hs_code.value == "220421"
    assert invoice.lines[1].unit_price.value == Decimal("0.8452")
    assert sum(line.amount.value or 0 for line in invoice.lines) == invoice.total_amount.value


def test_invoice_values_as_printed() -> None:
    invoice = Invoice.from_fields({
        "invoice_date": "04 Feb 2025", "currency": "Currency: EUR", "origin": "Türkiye", "incoterm": "DAP",
        "incoterm_place": "DAP Tbilisi", "total_amount": "1.200,50 EUR", "item_1_amount": "1 200,50",
        "item_2_amount": "-10.00",
    })
    assert invoice.findings == ()
    assert invoice.invoice_date.value == date(2025, 2, 4)
    assert (invoice.currency.value, invoice.origin.value, invoice.incoterm_place.value) == ("EUR", "TR", "Tbilisi")
    assert invoice.total_amount.value == Decimal("1200.50")
    assert invoice.lines[1].amount.value == Decimal("-10.00")  # a credit line


@pytest.mark.parametrize(("text", "code"), [("usd", "USD"), ("Currency: GEL", "GEL"), ("all in EUR", "EUR")])
def test_currencies_typed_or_printed(text: str, code: str) -> None:
    assert Invoice.from_fields({"currency": text}).currency.value == code


def test_an_ambiguous_amount_is_parsed_but_not_accepted() -> None:
    invoice = Invoice.from_fields({"total_amount": reading("1,200", 0.97, True)})
    assert invoice.total_amount.value == Decimal("1200")
    assert invoice.total_amount.confidence == UNSURE_CAP and not invoice.total_amount.accepted
    assert invoice.findings == ()


@pytest.mark.parametrize(("name", "text", "code", "field"), [
    ("currency", "XYZ", "document.currency", "invoice.currency"),
    ("currency", "USD or EUR", "document.currency", "invoice.currency"),
    ("origin", "Atlantis", "document.country", "invoice.origin"),
    ("incoterm", "FOB2", "document.incoterm", "invoice.incoterm"),
    ("invoice_date", "31.02.2025", "document.date", "invoice.invoice_date"),
    ("total_amount", "1.2.3", "document.amount", "invoice.total_amount"),
    ("total_amount", "-1200.00", "document.amount", "invoice.total_amount"),
    ("item_2_amount", "12O,00", "document.amount", "invoice.items[2].amount"),
    ("item_1_hs_code", "08022", "document.hs_code", "invoice.items[1].hs_code"),
    ("item_1_gross_kg", "-12650.0", "document.weight", "invoice.items[1].gross_kg"),
])
def test_bad_invoice_values(name: str, text: str, code: str, field: str) -> None:
    invoice = Invoice.from_fields({**VISION_INVOICE, name: reading(text)})
    assert [(found.code, found.field) for found in invoice.findings] == [(code, field)]


def test_line_numbers_out_of_range_are_refused() -> None:
    invoice = Invoice.from_fields({**VISION_INVOICE, "item_0_amount": reading("5"), "item_1000_amount": reading("5"),
                                   "item_" + "9" * 40 + "_amount": reading("5")})
    assert [line.number for line in invoice.lines] == [1, 2]
    assert [(found.code, found.params["number"]) for found in invoice.findings] == [
        ("document.item_number", 0), ("document.item_number", 1000)]


# --- the certificate and the packing list ----------------------------------------------------------------------

def test_an_eur1_line_gives_its_package_count() -> None:
    certificate = Certificate.from_fields({
        "certificate_number": reading("A 1234567"), "origin_country": reading("GE"),
        "destination_country": reading("TR"), "gross_mass": reading("14212.6"),
        "item_1_description": reading("1. 31 packages: Hazelnuts, in shell"), "item_1_gross_kg": reading("12650.0"),
        "item_2_description": reading("2. 4 packages: Wine; still"), "invoices": reading("EXP-202512345"),
    })
    assert certificate.findings == ()
    assert [(line.packages.value, line.description.value) for line in certificate.lines] == [
        (31, "Hazelnuts, in shell"), (4, "Wine; still")]
    assert certificate.invoice_numbers == {"EXP-202512345"}
    assert certificate.gross_mass.value == Decimal("14212.6")


def test_a_packing_list_block_gives_quantity_and_unit() -> None:
    packing = PackingList.from_fields({"item_1_quantity": "120 PCS", "item_2_quantity": "35 M2",
                                       "item_3_quantity": "7", "item_3_unit": "PAL", "total_packages": "12",
                                       "item_4_quantity": "12 O PCS"})
    assert [(line.quantity.value, line.unit.value) for line in packing.lines] == [
        (Decimal("120"), "PCS"), (Decimal("35"), "M2"), (Decimal("7"), "PAL"), (None, None)]
    assert [(found.code, found.field) for found in packing.findings] == [
        ("document.quantity", "packing_list.items[4].quantity")]
    assert packing.total_packages.value == 12


# --- generator truths (content only: no page is rendered) ------------------------------------------------------

def trade_truth(kind: str, c: Consignment, rng: random.Random) -> dict[str, str]:
    """The fields a generated page of `kind` records as its truth, from its consignment (as `vision.synth` prints
    them), without drawing the page."""
    items = {f"item_{n}_{column}": text for n, row in enumerate(c.item_rows(), start=1) for column, text in row.items()}
    if kind == "invoice":
        return {"seller": ", ".join(c.seller.lines), "buyer": ", ".join(c.buyer.lines), "invoice_number": c.number,
                "invoice_date": date_text(c.issued, rng), "contract": c.contract, "currency": c.currency,
                "origin": c.origin, "incoterm": c.incoterm, "incoterm_place": c.incoterm_place,
                "total_amount": f"{c.money(c.total)} {c.currency}", "total_net_kg": c.kg(c.total_net),
                "total_gross_kg": c.kg(c.total_gross), "signed_by": c.signatory,
                **{name: text for name, text in items.items() if not name.endswith("_packages")}}
    if kind == "certificate_of_origin":
        return {"exporter": ", ".join(c.seller.lines), "consignee": ", ".join(c.buyer.lines),
                "origin_country": c.origin, "destination_country": c.destination, "gross_mass": c.kg(c.total_gross),
                "invoices": c.number,
                **{f"item_{n}_description": f"{n}. {item.packages} packages: {item.description}"
                   for n, item in enumerate(c.items, start=1)},
                **{f"item_{n}_gross_kg": c.kg(item.gross_kg) for n, item in enumerate(c.items, start=1)}}
    return {"shipper": ", ".join(c.seller.lines), "consignee": ", ".join(c.buyer.lines), "invoice_number": c.number,
            "packing_date": date_text(c.issued, rng), "vehicle_plate": c.plate, "total_packages": str(c.total_packages),
            "total_net_kg": c.kg(c.total_net), "total_gross_kg": c.kg(c.total_gross), **items}


@pytest.mark.parametrize("seed", range(12))
def test_generated_cmr_boxes_read_without_findings(seed: int) -> None:
    for content in (cmr_content(seed), varied_cmr_content(random.Random(f"cmr:{seed}"))):
        cmr = Cmr.from_fields({box: ", ".join(lines) for box, lines in content.items()})
        assert cmr.findings == ()
        assert cmr.gross_weight.value == Decimal("".join(ch for ch in content["gross_weight"][0] if ch.isdigit()))
        assert cmr.packages.value == int(content["packages"][0])
        assert cmr.statistical_number.value == tuple(code.replace(".", "") for code in content["statistical_number"])
        assert cmr.vehicle_plate.value == content["vehicle_reg"][0].split(" / ")[0]
        assert cmr.sender.value is not None and cmr.sender.value.name == content["sender"][0]
        assert cmr.sender.value.country is not None and cmr.consignee.value is not None
        assert cmr.taking_over.value is not None and cmr.taking_over.value.on is not None


@pytest.mark.parametrize("seed", range(12))
def test_generator_truths_read_without_findings(seed: int) -> None:
    c = consignment(random.Random(f"documents:{seed}"), data_dir())
    rng = random.Random(seed)
    invoice = Invoice.from_fields(trade_truth("invoice", c, rng))
    certificate = Certificate.from_fields(trade_truth("certificate_of_origin", c, rng))
    packing = PackingList.from_fields(trade_truth("packing_list", c, rng))
    assert invoice.findings == certificate.findings == packing.findings == ()
    assert invoice.invoice_date.value == packing.packing_date.value == c.issued
    assert invoice.seller.value is not None and invoice.seller.value.country == c.seller.country_code
    assert invoice.origin.value == certificate.origin_country.value == c.seller.country_code
    assert invoice.total_amount.value == sum(Decimal(str(item.amount)) for item in c.items)
    assert [line.hs_code.value for line in invoice.lines] == [item.hs_code for item in c.items]
    assert [line.packages.value for line in certificate.lines] == [item.packages for item in c.items]
    assert packing.total_packages.value == c.total_packages
    gross = Decimal(str(c.total_gross))
    assert invoice.total_gross_kg.value == certificate.gross_mass.value == packing.total_gross_kg.value == gross
