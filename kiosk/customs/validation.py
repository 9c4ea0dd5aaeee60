"""One consignment's documents checked as a whole: what could not be read, every field's validator, and the
documents against each other.

Rules of what is checked, and where:
- Only values a page gives are validated: a field the page lacks is the draft's business (`draft.missing`, naming
  the SAD box), since many fields are optional on one document and given by another.
- Plates (CMR box 16) are checked against the carrier's country when box 16 names it. Without it a plate valid
  in any country of the kiosk's table passes; one valid in none is a WARNING (`plate.country_unknown`), since it
  may come from a country the table lacks.
- Containers: the packing list's, and any number shaped like one (four letters, seven digits) in the CMR's marks.
- HS codes: the invoice's lines are what the declaration carries, so they get the declaration's rule (6 or 8 digits
  in force on the date). The CMR's box 10, the certificate and the packing list may print a heading (4 digits),
  which passes when the nomenclature has it; the hint to use a national 8-digit code is kept for the invoice.
- Weights (invoice, packing list): gross >= net per line and for the totals; the lines' sums against the totals
  when every line gives both masses.
- Dates of issue against `on`; the Incoterm with its place (`named_place`); a party's taxpayer id or EORI where its
  box prints one with a label ('Tax ID: 204567890', 'EORI: DE123456789012345'). The currency and the countries,
  which the documents already read as codes, still go through their validators: those are the rule, the readers
  only read.
- A set without a CMR or without an invoice cannot become a declaration: one ERROR `set.missing_document` each.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from kiosk.customs.consistency import check_consistency
from kiosk.customs.document_set import DocumentSet
from kiosk.customs.documents import Certificate, Cmr, Invoice, InvoiceLine, PackingLine, PackingList, Party, Read
from kiosk.customs.documents.values import PlaceAndDate
from kiosk.customs.findings import Finding, Severity, finding
from kiosk.customs.nomenclature import Nomenclature
from kiosk.customs.validators import (
    PlateKind,
    validate_container,
    validate_country,
    validate_currency,
    validate_document_date,
    validate_eori,
    validate_hs_code,
    validate_incoterm,
    validate_item_weights,
    validate_plate,
    validate_taxpayer_id,
    validate_weight_totals,
)
from kiosk.customs.validators.incoterms import split_incoterm
from kiosk.customs.validators.plate_formats import RULES

CONTAINER_IN_MARKS = re.compile(r"\b[A-Z]{4}[ -]?[0-9]{6}[ -]?[0-9]\b")
"""A container number as marks print it ('MSKU 123456-7'); the validator then checks its parts and check digit."""
_ID_VALUE = r"[\s.:№#-]*([A-Z]{0,2}[0-9][0-9 -]*[0-9])"
TAXPAYER_ID_IN_BOX = re.compile(
    r"(?:\bTIN|\bINN|ИНН|\bVKN|\bV[ÖO]EN|\bTax\s*(?:ID|No|Number)|\bID\s*code|\bIdentification\s*code|ს/კ|"
    r"\bVAT(?:\s*No)?)\b" + _ID_VALUE, re.IGNORECASE)
"""A taxpayer id printed in a party box after its label."""
EORI_IN_BOX = re.compile(r"\bEORI(?:\s*No)?[\s.:№#-]*([A-Z]{2}[0-9A-Z]{1,15})\b")


def party_ids(party: Party) -> tuple[str | None, str | None]:
    """The taxpayer id and the EORI number a party box prints with their labels, as printed (None where none)."""
    text = ", ".join(part for part in (party.name, party.address) if part)
    taxpayer, eori = TAXPAYER_ID_IN_BOX.search(text), EORI_IN_BOX.search(text)
    return (taxpayer.group(1).strip() if taxpayer else None), (eori.group(1) if eori else None)


def party_address(party: Party) -> str | None:
    """The address without the parts that print a taxpayer id or an EORI number (the draft carries them apart)."""
    parts = [part for part in (party.address or "").split(", ")
             if not TAXPAYER_ID_IN_BOX.search(part) and not EORI_IN_BOX.search(part)]
    return ", ".join(parts) or None


def named_place(invoice: Invoice) -> str | None:
    """The Incoterm's named place: its own field, else what the Incoterm's box prints after the rule ('FCA Poti')."""
    if invoice.incoterm_place.value is not None:
        return invoice.incoterm_place.value
    return (split_incoterm(invoice.incoterm.raw)[1] or None) if invoice.incoterm.raw else None


def plate_countries(plate: str, kind: PlateKind = "vehicle") -> list[str]:
    """The countries of the kiosk's plate table whose format `plate` has."""
    return [country for country in RULES if not validate_plate(plate, country, "", kind)]


def carrier_country(cmr: Cmr) -> str | None:
    return cmr.carrier.value.country if cmr.carrier.value else None


def _plate(read: Read[str], field: str, kind: PlateKind, country: str | None) -> list[Finding]:
    if read.value is None:
        return []
    if country is not None:
        return validate_plate(read.value, country, field, kind)
    if plate_countries(read.value, kind):
        return []
    return [finding("plate.country_unknown", field, "{plate} has the form of no plate the kiosk knows; the carrier's "
                    "country is needed to check it", Severity.WARNING, plate=read.value)]


def _hs(code: str, field: str, nomenclature: Nomenclature, *, declared: bool) -> list[Finding]:
    """The declaration's rule for the invoice (`declared`); a supporting document may print a known heading."""
    if not declared and len(code) == 4 and code.isdigit():
        if code in nomenclature:
            return []
        return [finding("hs.unknown", field, "{hs} is not in the nomenclature in force ({edition})", hs=code,
                        edition=nomenclature.edition)]
    found = validate_hs_code(code, field, nomenclature)
    return found if declared else [item for item in found if item.code != "hs.national_code_expected"]


def _date(read: Read[date] | Read[PlaceAndDate], field: str, on: date) -> list[Finding]:
    value = read.value
    when = value.on if isinstance(value, PlaceAndDate) else value
    return validate_document_date(when, field, today=on) if when is not None else []


def _parties(document: str, parties: dict[str, Read[Party]]) -> list[Finding]:
    found: list[Finding] = []
    for name, read in parties.items():
        party = read.value
        if party is None:
            continue
        field = f"{document}.{name}"
        if party.country:
            found += validate_country(party.country, f"{field}.country")
        taxpayer, eori = party_ids(party)
        if taxpayer and party.country:
            found += validate_taxpayer_id(taxpayer, party.country, f"{field}.taxpayer_id")
        if eori:
            found += validate_eori(eori, f"{field}.eori")
    return found


def _totals_field(item: Finding, document: str) -> Finding:
    """A totals finding moved from 'total.gross_kg' to the document's own field, '<document>.total_gross_kg'."""
    return item.model_copy(update={"field": f"{document}.total_{item.field.rsplit('.', 1)[1]}"})


def _weights(document: str, lines: Sequence[InvoiceLine | PackingLine], total_gross: Read[Decimal],
             total_net: Read[Decimal]) -> list[Finding]:
    found: list[Finding] = []
    masses = [(line.gross_kg.value, line.net_kg.value) for line in lines]
    for line, (gross, net) in zip(lines, masses, strict=True):
        if gross is not None and net is not None:
            found += validate_item_weights(gross, net, f"{document}.items[{line.number}]")
    if total_gross.value is None or total_net.value is None:
        return found
    complete = [(gross, net) for gross, net in masses if gross is not None and net is not None]
    if lines and len(complete) == len(lines):
        totals = validate_weight_totals(complete, total_gross.value, total_net.value, "total")
    else:
        totals = validate_item_weights(total_gross.value, total_net.value, "total")
    return found + [_totals_field(item, document) for item in totals]


def _cmr(cmr: Cmr, on: date, nomenclature: Nomenclature) -> list[Finding]:
    country = carrier_country(cmr)
    found = _plate(cmr.vehicle_plate, "cmr.vehicle_plate", "vehicle", country)
    found += _plate(cmr.trailer_plate, "cmr.trailer_plate", "trailer", country)
    for container in CONTAINER_IN_MARKS.findall(cmr.marks.value or ""):
        found += validate_container(container, "cmr.marks")
    for number, code in enumerate(cmr.statistical_number.value or (), 1):
        found += _hs(code, f"cmr.statistical_number[{number}]", nomenclature, declared=False)
    found += _date(cmr.established, "cmr.established", on)
    found += _date(cmr.taking_over, "cmr.taking_over", on)
    return found + _parties("cmr", {"sender": cmr.sender, "consignee": cmr.consignee, "carrier": cmr.carrier})


def _invoice(invoice: Invoice, on: date, nomenclature: Nomenclature) -> list[Finding]:
    found: list[Finding] = []
    for line in invoice.lines:
        if line.hs_code.value is not None:
            found += _hs(line.hs_code.value, f"invoice.items[{line.number}].hs_code", nomenclature, declared=True)
    found += _weights("invoice", invoice.lines, invoice.total_gross_kg, invoice.total_net_kg)
    found += _date(invoice.invoice_date, "invoice.invoice_date", on)
    if invoice.incoterm.value is not None:
        found += validate_incoterm(invoice.incoterm.value, named_place(invoice) or "", "invoice")
    if invoice.currency.value is not None:
        found += validate_currency(invoice.currency.value, "invoice.currency")
    if invoice.origin.value is not None:
        found += validate_country(invoice.origin.value, "invoice.origin")
    return found + _parties("invoice", {"seller": invoice.seller, "buyer": invoice.buyer})


def _certificate(certificate: Certificate, on: date, nomenclature: Nomenclature) -> list[Finding]:
    document = Certificate.kind
    found: list[Finding] = []
    for line in certificate.lines:
        if line.hs_code.value is not None:
            found += _hs(line.hs_code.value, f"{document}.items[{line.number}].hs_code", nomenclature,
                         declared=False)
    for name in ("origin_country", "destination_country", "issuing_country"):
        value = getattr(certificate, name).value
        if value is not None:
            found += validate_country(value, f"{document}.{name}")
    found += _date(certificate.issue_place_date, f"{document}.issue_place_date", on)
    found += _date(certificate.declaration_place_date, f"{document}.declaration_place_date", on)
    return found + _parties(document, {"exporter": certificate.exporter, "consignee": certificate.consignee})


def _packing_list(packing: PackingList, on: date, nomenclature: Nomenclature) -> list[Finding]:
    found: list[Finding] = []
    for line in packing.lines:
        if line.hs_code.value is not None:
            found += _hs(line.hs_code.value, f"packing_list.items[{line.number}].hs_code", nomenclature,
                         declared=False)
    if packing.container.value is not None:
        found += validate_container(packing.container.value, "packing_list.container")
    found += _weights("packing_list", packing.lines, packing.total_gross_kg, packing.total_net_kg)
    found += _date(packing.packing_date, "packing_list.packing_date", on)
    return found + _parties("packing_list", {"shipper": packing.shipper, "consignee": packing.consignee})


def validate(documents: DocumentSet, *, on: date, nomenclature: Nomenclature) -> list[Finding]:
    """Every finding on the set (see the module for the rules); `nomenclature` must be the one in force on `on`."""
    found = documents.reading_findings()
    cmr, invoice = documents.cmr, documents.invoice
    if cmr is not None:
        found += _cmr(cmr, on, nomenclature)
    if invoice is not None:
        found += _invoice(invoice, on, nomenclature)
    if documents.certificate is not None:
        found += _certificate(documents.certificate, on, nomenclature)
    if documents.packing_list is not None:
        found += _packing_list(documents.packing_list, on, nomenclature)
    if cmr is not None and invoice is not None:
        found += check_consistency(cmr, invoice, documents.certificate, documents.packing_list)
    for kind, present in (("cmr", cmr), ("invoice", invoice)):
        if present is None:
            found.append(finding("set.missing_document", kind, "the {document} is missing: a declaration needs the "
                                 "CMR and the invoice", document=kind))
    return found
