"""The export-declaration draft (SAD) made from one consignment's documents, with everything found on the way.

Where each box comes from:
- box 2 exporter: the invoice's seller, else the CMR's sender; box 8 consignee: the invoice's buyer, else the
  CMR's consignee. The first party read with a name, an address and a country is taken, with the taxpayer id
  and EORI its box prints.
- box 17a destination: the certificate's destination country, else the consignee's country.
- box 18 transport: the CMR's plates (compacted as `normalize_plate` writes them); the vehicle's nationality is
  the carrier's country, else the one country whose format the plate has (several: it cannot be told).
  Box 31's containers: the packing list's and those the CMR's marks name, when valid.
- boxes 20 and 22: the invoice's Incoterm, place (`named_place`), currency and total (the lines' amounts summed
  when no total is printed and every line gives one).
- items (boxes 31 to 42): one per invoice line: its description, HS code, amount, masses, quantity and unit; the
  origin is the certificate's origin country, else the invoice's.
- packages per item: the packing list's, else the certificate's lines, when that document itemises every
  invoice line (paired by line number unless the HS codes differ, else by HS code); else the CMR's number of
  packages (else the packing list's total) split over the items in proportion to their gross mass, by largest
  remainder, so the items add up to the total exactly (ties go to the earlier line). Box 6 is the items' sum, as
  is the total gross mass.
- box 44: each document's number and date of issue.

Rounding: amounts go to the cent and masses to the gram, half up (documents print no finer; the SAD holds no
finer). Nothing else is rounded.

The draft is None when a value a box needs is absent, or a validator found an ERROR on the field it would come
from: one `draft.missing` finding per such field names the box, and the field the driver has to fix.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, TypeVar

from pydantic import ValidationError

from kiosk.customs.declaration import make_reference
from kiosk.customs.document_set import DocumentSet
from kiosk.customs.documents import Certificate, CertificateLine, Invoice, InvoiceLine, PackingLine, Party, Read
from kiosk.customs.findings import Finding, Severity, finding
from kiosk.customs.nomenclature import Nomenclature
from kiosk.customs.risk import Flag
from kiosk.customs.sad import Draft
from kiosk.customs.validation import (
    CONTAINER_IN_MARKS,
    carrier_country,
    named_place,
    party_address,
    party_ids,
    plate_countries,
    validate,
)
from kiosk.customs.validators import normalize_container, normalize_plate, validate_container

T = TypeVar("T")

CENT = Decimal("0.01")
GRAM = Decimal("0.001")
MISSING = "SAD box {box} ({element}) cannot be filled: {source} is missing or invalid"
BOXES = {
    "exporter": "2", "consignee": "8", "destination_country": "17a", "transport": "18", "vehicle_plate": "18",
    "vehicle_country": "18", "trailer_plate": "18", "incoterm": "20", "incoterm_place": "20", "valuation": "20",
    "currency": "22", "invoice_total": "22", "total_packages": "6", "documents": "44", "office": "A",
    "date": "A", "description": "31", "packages": "31", "containers": "31", "hs_code": "33", "origin_country": "34",
    "gross_kg": "35", "total_gross_kg": "35", "net_kg": "38", "quantity": "41", "unit": "41",
    "invoice_amount": "42", "items": "31",
}
"""A draft element's name -> its SAD box, to name the box of an element the model refuses."""
_NOT_FROM_PAGES = (("uuid",), ("reference",), ("kiosk_id",), ("created_at",))
"""Draft elements the caller gives: a refusal there is a programming error, not the driver's to fix."""


@dataclass(frozen=True)
class Declaration:
    draft: Draft | None
    findings: list[Finding]
    flags: list[Flag]

    def to_dict(self) -> dict[str, Any]:
        return {"draft": self.draft.to_json() if self.draft is not None else None,
                "findings": [item.to_dict() for item in self.findings],
                "flags": [flag.to_dict() for flag in self.flags]}


class _Sources:
    """Takes values from the documents for the draft, noting `draft.missing` for each box it cannot fill."""

    def __init__(self, findings: Sequence[Finding]) -> None:
        self.invalid = {item.field for item in findings if item.severity is Severity.ERROR}
        self.missing: dict[str, Finding] = {}

    def usable(self, field: str) -> bool:
        """No ERROR on the field or inside it ('invoice.seller.taxpayer_id' spoils 'invoice.seller')."""
        return field not in self.invalid and not any(bad.startswith(f"{field}.") for bad in self.invalid)

    def lack(self, source: str, box: str, element: str) -> None:
        self.missing.setdefault(source, finding("draft.missing", source, MISSING, box=box, element=element,
                                                source=source))

    def take(self, read: Read[T], source: str, box: str, element: str) -> T | None:
        if read.value is None or not self.usable(source):
            self.lack(source, box, element)
            return None
        return read.value

    def optional(self, read: Read[T], source: str, box: str, element: str) -> T | None:
        """A value the draft may go without: absent is fine, present but invalid is not."""
        return None if read.value is None else self.take(read, source, box, element)

    def rounded(self, read: Read[Decimal], source: str, box: str, element: str, step: Decimal) -> Decimal | None:
        """An amount or a mass to `step`, half up."""
        value = self.take(read, source, box, element)
        try:
            return None if value is None else value.quantize(step, rounding=ROUND_HALF_UP)
        except InvalidOperation:  # more digits than Decimal holds: no figure a document prints
            self.lack(source, box, element)
            return None


def _party(sources: _Sources, candidates: Sequence[tuple[Read[Party], str]], box: str,
           element: str) -> dict[str, Any] | None:
    for read, source in candidates:
        party = read.value
        address = party_address(party) if party is not None else None
        if party is not None and address and party.country and sources.usable(source):
            taxpayer_id, eori = party_ids(party)
            return {"name": party.name, "address": address, "country": party.country,
                    "taxpayer_id": re.sub(r"[\s-]", "", taxpayer_id) if taxpayer_id else None, "eori": eori}
    sources.lack(next((source for read, source in candidates if read.present), candidates[0][1]), box, element)
    return None


def split_packages(total: int, weights: Sequence[Decimal]) -> list[int]:
    """`total` packages over items in proportion to `weights` (equal shares when they are all 0), by largest
    remainder: the shares add up to `total`; a tie goes to the earlier item."""
    if not weights:
        return []
    shares = list(weights) if any(weights) else [Decimal(1)] * len(weights)
    whole = sum(shares, Decimal(0))
    quotas = [Decimal(total) * share / whole for share in shares]
    counts = [int(quota) for quota in quotas]
    by_remainder = sorted(range(len(quotas)), key=lambda i: (-(quotas[i] - counts[i]), i))
    for i in by_remainder[:total - sum(counts)]:
        counts[i] += 1
    return counts


def _same_goods(code: str | None, other: str | None) -> bool | None:
    """Whether two HS codes agree to the precision both print (08023100 and 080231 do); None when one is absent."""
    if not code or not other:
        return None
    return code[:min(len(code), len(other))] == other[:min(len(code), len(other))]


def _paired_packages(lines: Sequence[InvoiceLine], others: Sequence[CertificateLine | PackingLine]) -> list[int | None]:
    """Each invoice line's packages on another document's lines: the line of the same number unless its HS code
    differs, else the first line left with the same HS code; no line is counted twice."""
    left = list(others)
    counts: list[int | None] = []
    for line in lines:
        code = line.hs_code.value
        other = next((other for other in left if other.number == line.number
                      and _same_goods(code, other.hs_code.value) is not False),
                     next((other for other in left if _same_goods(code, other.hs_code.value)), None))
        if other is not None:
            left.remove(other)
        counts.append(other.packages.value if other is not None else None)
    return counts


def _packages(sources: _Sources, documents: DocumentSet, lines: Sequence[InvoiceLine],
              gross: Sequence[Decimal]) -> list[int] | None:
    itemised = [(doc.kind, doc.lines) for doc in (documents.packing_list, documents.certificate) if doc is not None]
    for kind, others in itemised:
        counts = _paired_packages(lines, others)
        if all(count is not None for count in counts) and all(sources.usable(f"{kind}.items[{other.number}].packages")
                                                             for other in others):
            return [count for count in counts if count is not None]
    cmr, packing = documents.cmr, documents.packing_list
    totals = [(cmr.packages, "cmr.packages")] if cmr is not None else []
    if packing is not None:
        totals.append((packing.total_packages, "packing_list.total_packages"))
    for read, source in totals:
        if read.present:
            total = sources.take(read, source, "6", "total_packages")
            return split_packages(total, gross) if total is not None else None
    sources.lack("cmr.packages", "31", "packages")
    return None


def _items(sources: _Sources, documents: DocumentSet, origin: str | None) -> list[dict[str, Any]] | None:
    invoice = documents.invoice
    assert invoice is not None
    if not invoice.lines:
        sources.lack("invoice.items", "31", "items")
        return None
    items: list[dict[str, Any]] = []
    for line in invoice.lines:
        where = f"invoice.items[{line.number}]"
        take = sources.take
        items.append({
            "number": len(items) + 1,
            "description": take(line.description, f"{where}.description", "31", "description"),
            "hs_code": take(line.hs_code, f"{where}.hs_code", "33", "hs_code"),
            "origin_country": origin,
            "gross_kg": sources.rounded(line.gross_kg, f"{where}.gross_kg", "35", "gross_kg", GRAM),
            "net_kg": sources.rounded(line.net_kg, f"{where}.net_kg", "38", "net_kg", GRAM),
            "quantity": sources.optional(line.quantity, f"{where}.quantity", "41", "quantity"),
            "unit": sources.optional(line.unit, f"{where}.unit", "41", "unit"),
            "invoice_amount": sources.rounded(line.amount, f"{where}.amount", "42", "invoice_amount", CENT),
        })
    gross = [item["gross_kg"] for item in items]
    if not all(isinstance(mass, Decimal) for mass in gross):
        return None
    packages = _packages(sources, documents, invoice.lines, gross)
    if packages is None:
        return None
    return [{**item, "packages": count} for item, count in zip(items, packages, strict=True)]


def _transport(sources: _Sources, documents: DocumentSet) -> dict[str, Any] | None:
    cmr = documents.cmr
    assert cmr is not None
    plate = sources.take(cmr.vehicle_plate, "cmr.vehicle_plate", "18", "vehicle_plate")
    trailer = sources.optional(cmr.trailer_plate, "cmr.trailer_plate", "18", "trailer_plate")
    country = carrier_country(cmr)
    if country is None and plate is not None:
        matches = plate_countries(plate)
        country = matches[0] if len(matches) == 1 else None
        if country is None:
            sources.lack("cmr.carrier", "18", "vehicle_country")
    containers: list[str] = []
    packing = documents.packing_list
    container = sources.optional(packing.container, "packing_list.container", "31", "containers") \
        if packing is not None else None
    if container is not None:
        containers.append(normalize_container(container))
    if sources.usable("cmr.marks"):
        containers += [normalize_container(found) for found in CONTAINER_IN_MARKS.findall(cmr.marks.value or "")
                       if not validate_container(found, "cmr.marks")]
    if plate is None or country is None:
        return None
    return {"vehicle_plate": normalize_plate(plate, country), "vehicle_country": country,
            "trailer_plate": normalize_plate(trailer, country) if trailer else None,
            "containers": tuple(dict.fromkeys(containers))}


def _documents(documents: DocumentSet) -> list[dict[str, Any]]:
    """Box 44: every document whose number was read, with its date when that was read too."""
    cmr, invoice, certificate, packing = documents.cmr, documents.invoice, documents.certificate, documents.packing_list
    produced: list[tuple[str, str | None, date | None]] = []
    if cmr is not None:
        produced.append(("cmr", cmr.cmr_number.value, cmr.established.value.on if cmr.established.value else None))
    if invoice is not None:
        produced.append(("invoice", invoice.invoice_number.value, invoice.invoice_date.value))
    if certificate is not None:
        issued = certificate.issue_place_date.value
        produced.append((Certificate.kind, certificate.certificate_number.value, issued.on if issued else None))
    if packing is not None:
        produced.append(("packing_list", packing.packing_list_number.value, packing.packing_date.value))
    return [{"kind": kind, "number": number, "issued": issued} for kind, number, issued in produced if number]


def _place(invoice: Invoice) -> tuple[Read[str], str]:
    """The named place and the field it is read from: its own, or the Incoterm's when printed there."""
    if invoice.incoterm_place.present or not named_place(invoice):
        return invoice.incoterm_place, "invoice.incoterm_place"
    return invoice.incoterm.carrying(named_place(invoice)), "invoice.incoterm"


def _element(location: tuple[int | str, ...]) -> str:
    """('items', 0, 'hs_code') -> 'items[1].hs_code'."""
    path = ""
    for part in location:
        path += f"[{part + 1}]" if isinstance(part, int) else f".{part}" if path else str(part)
    return path


def _refused(error: ValidationError) -> list[Finding]:
    """The model's refusals as `draft.missing`, at the draft's element ('draft.items[1].unit')."""
    found = []
    for problem in error.errors():
        location = tuple(problem["loc"])
        if location[:1] in _NOT_FROM_PAGES or location[:2] == ("general", "office"):
            raise ValueError(f"declare: {_element(location)}: {problem['msg']}")
        box = next((BOXES[part] for part in reversed(location) if isinstance(part, str) and part in BOXES), "A")
        element = _element(location)
        found.append(finding("draft.missing", f"draft.{element}", MISSING, box=box, element=element,
                             source=f"draft.{element}"))
    return found


def _draft(documents: DocumentSet, findings: Sequence[Finding], *, on: date, kiosk_id: str, office: str,
           declaration_id: str, created_at: datetime) -> tuple[Draft | None, list[Finding]]:
    cmr, invoice, certificate = documents.cmr, documents.invoice, documents.certificate
    if cmr is None or invoice is None:
        return None, [finding("draft.missing", kind, MISSING, box=box, element=element, source=kind)
                      for kind, box, element, document in (("cmr", "18", "transport", cmr),
                                                           ("invoice", "31", "items", invoice)) if document is None]
    sources = _Sources(findings)
    exporter = _party(sources, [(invoice.seller, "invoice.seller"), (cmr.sender, "cmr.sender")], "2", "exporter")
    consignee = _party(sources, [(invoice.buyer, "invoice.buyer"), (cmr.consignee, "cmr.consignee")], "8",
                       "consignee")
    destination = certificate.destination_country if certificate and certificate.destination_country.present \
        else None
    if destination is not None:
        destination_country = sources.take(destination, "certificate_of_origin.destination_country", "17a",
                                           "destination_country")
    else:
        destination_country = consignee["country"] if consignee else None
    origin = certificate.origin_country if certificate and certificate.origin_country.present else None
    origin_country = sources.take(origin, "certificate_of_origin.origin_country", "34", "origin_country") \
        if origin is not None else sources.take(invoice.origin, "invoice.origin", "34", "origin_country")
    transport = _transport(sources, documents)
    items = _items(sources, documents, origin_country)
    total = invoice.total_amount
    if not total.present and invoice.lines and all(line.amount.present for line in invoice.lines):
        total = Read(value=sum((line.amount.value or Decimal(0) for line in invoice.lines), Decimal(0)))
    valuation = {
        "incoterm": sources.take(invoice.incoterm, "invoice.incoterm", "20", "incoterm"),
        "incoterm_place": sources.take(*_place(invoice), "20", "incoterm_place"),
        "currency": sources.take(invoice.currency, "invoice.currency", "22", "currency"),
        "invoice_total": sources.rounded(total, "invoice.total_amount", "22", "invoice_total", CENT),
    }
    if sources.missing or items is None or transport is None:
        return None, list(sources.missing.values())
    general = {
        "office": office, "date": on, "exporter": exporter, "consignee": consignee,
        "destination_country": destination_country, "transport": transport, "valuation": valuation,
        "total_packages": sum(item["packages"] for item in items),
        "total_gross_kg": sum((item["gross_kg"] for item in items), Decimal(0)),
        "documents": _documents(documents),
    }
    try:
        return Draft.model_validate({
            "uuid": declaration_id, "reference": make_reference(declaration_id, created_at), "kiosk_id": kiosk_id,
            "created_at": created_at, "general": general, "items": items,
        }), []
    except ValidationError as error:
        return None, _refused(error)


def declare(documents: DocumentSet, *, on: date, nomenclature: Nomenclature, kiosk_id: str, office: str,
            flags: Sequence[Flag] = (), declaration_id: str | None = None,
            created_at: datetime | None = None) -> Declaration:
    """The set validated (`validate`) and drafted (see the module for the sources); `created_at` must be aware.

    ValueError only for what does not come from the pages: a `declaration_id` that is no UUID, an empty
    `kiosk_id` or `office`, a naive `created_at`."""
    findings = validate(documents, on=on, nomenclature=nomenclature)
    draft, missing = _draft(documents, findings, on=on, kiosk_id=kiosk_id, office=office,
                            declaration_id=declaration_id or str(uuid.uuid4()),
                            created_at=created_at or datetime.now(UTC))
    return Declaration(draft, findings + missing, list(flags))
