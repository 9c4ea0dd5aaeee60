"""The certificate of origin as read: the EUR.1 movement certificate and the generic (chamber) certificates.

Field names are vision's and the generator's (`vision.coo_fields`, `vision.synth.coo`). The EUR.1 prints its
goods as numbered lines in box 8 ('1. 6 packages: Almonds; ...') with the gross mass beside them in box 9 and
the invoices in box 10; the generic forms print a table with marks, HS codes, quantities and an invoice column.
Both become `lines`; an EUR.1 line's package count is taken out of its description.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from kiosk.customs.documents.read import FieldReader, Read, item_numbers, read_item, sure
from kiosk.customs.documents.values import (
    Party,
    PlaceAndDate,
    parse_country,
    parse_hs_code,
    parse_party,
    parse_place_and_date,
    parse_quantity,
)
from kiosk.customs.findings import Finding, Severity

_NUMBERED_LINE = re.compile(r"\d{1,3}\s*[.,]\s*(\d{1,5})\s+packages?\s*:\s*(.+)", re.IGNORECASE)
"""An EUR.1 goods line: item number, package count, description."""


class CertificateLine(BaseModel):
    model_config = ConfigDict(frozen=True)

    number: int = Field(ge=1, description="the item's number as printed, 1 first")
    marks: Read[str] = Field(default_factory=Read)
    packages: Read[int] = Field(default_factory=Read, description="EUR.1 only: the count its line starts with")
    description: Read[str] = Field(default_factory=Read)
    hs_code: Read[str] = Field(default_factory=Read, description="digits only, 4 to 10")
    quantity: Read[Decimal] = Field(default_factory=Read)
    gross_kg: Read[Decimal] = Field(default_factory=Read)
    invoice: Read[str] = Field(default_factory=Read, description="the invoice the line is on")


def _line(reader: FieldReader, n: int) -> CertificateLine:
    printed = read_item(reader, n, "description", sure(str), "text")
    numbered = _NUMBERED_LINE.fullmatch(printed.value or "")
    return CertificateLine(
        number=n,
        marks=read_item(reader, n, "marks", sure(str), "text"),
        packages=printed.carrying(int(numbered.group(1))) if numbered else Read(),
        description=printed.carrying(numbered.group(2)) if numbered else printed,
        hs_code=read_item(reader, n, "hs_code", parse_hs_code, "hs_code"),
        quantity=read_item(reader, n, "quantity", parse_quantity, "quantity"),
        gross_kg=read_item(reader, n, "gross_kg", parse_quantity, "weight"),
        invoice=read_item(reader, n, "invoice", sure(str), "text"),
    )


class Certificate(BaseModel):
    """A certificate of origin as read; `findings` for what could not be read (none raised)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: ClassVar[str] = "certificate_of_origin"

    certificate_number: Read[str] = Field(default_factory=Read)
    exporter: Read[Party] = Field(default_factory=Read, description="EUR.1 box 1")
    consignee: Read[Party] = Field(default_factory=Read, description="EUR.1 box 3")
    preferential_trade: Read[str] = Field(default_factory=Read, description="EUR.1 box 2: between which areas")
    origin_country: Read[str] = Field(default_factory=Read, description="EUR.1 box 4, ISO 3166 alpha-2")
    destination_country: Read[str] = Field(default_factory=Read, description="EUR.1 box 5, ISO 3166 alpha-2")
    transport: Read[str] = Field(default_factory=Read, description="EUR.1 box 6")
    remarks: Read[str] = Field(default_factory=Read, description="EUR.1 box 7")
    lines: tuple[CertificateLine, ...] = Field(default=(), description="EUR.1 boxes 8 to 10")
    gross_mass: Read[Decimal] = Field(default_factory=Read, description="total gross mass, kg")
    invoices: Read[str] = Field(default_factory=Read, description="EUR.1 box 10: the invoices it covers")
    issued_by: Read[str] = Field(default_factory=Read, description="the certifying chamber (generic forms)")
    customs_office: Read[str] = Field(default_factory=Read, description="EUR.1 box 11")
    issuing_country: Read[str] = Field(default_factory=Read, description="EUR.1 box 11, ISO 3166 alpha-2")
    export_document: Read[str] = Field(default_factory=Read, description="EUR.1 box 11: form and number")
    issue_place_date: Read[PlaceAndDate] = Field(default_factory=Read, description="EUR.1 box 11, or the chamber's")
    declaration_place_date: Read[PlaceAndDate] = Field(default_factory=Read, description="EUR.1 box 12")
    findings: tuple[Finding, ...] = ()

    @property
    def invoice_numbers(self) -> frozenset[str]:
        """Every invoice the certificate names (box 10 and the lines' column), as read."""
        named = {line.invoice.value for line in self.lines if line.invoice.value}
        return frozenset(named | ({self.invoices.value} if self.invoices.value else set()))

    @classmethod
    def from_fields(cls, fields: object) -> Certificate:
        """The certificate from vision's fields of its page (or a truth's); DocumentInputError only when
        `fields` is not a mapping of names at all."""
        reader = FieldReader(cls.kind, fields)
        read = reader.read
        return cls(
            **{name: reader.text(name) for name in ("certificate_number", "preferential_trade", "transport",
                                                    "remarks", "invoices", "issued_by", "customs_office",
                                                    "export_document")},
            exporter=read("exporter", parse_party, "party"),
            consignee=read("consignee", parse_party, "party"),
            origin_country=read("origin_country", parse_country, "country"),
            destination_country=read("destination_country", parse_country, "country"),
            issuing_country=read("issuing_country", parse_country, "country", severity=Severity.WARNING),
            lines=tuple(_line(reader, n) for n in item_numbers(reader)),
            gross_mass=read("gross_mass", parse_quantity, "weight"),
            issue_place_date=read("issue_place_date", parse_place_and_date, "place_and_date",
                                  severity=Severity.WARNING),
            declaration_place_date=read("declaration_place_date", parse_place_and_date, "place_and_date",
                                        severity=Severity.WARNING),
            findings=tuple(reader.findings),
        )
