"""The commercial invoice as read: header, parties, line items, totals, currency and Incoterm.

Field names are vision's and the generator's (`vision.invoice_fields`, `vision.synth.invoice`): seller, buyer,
invoice_number, invoice_date, currency, contract, origin, incoterm, incoterm_place, total_amount, total_net_kg,
total_gross_kg, signed_by, and `item_<n>_<column>` per line. Amounts keep their printed decimals (no rounding).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from kiosk.customs.documents.read import FieldReader, Read, item_numbers, read_item, sure
from kiosk.customs.documents.values import (
    Party,
    parse_amount,
    parse_country,
    parse_currency,
    parse_date,
    parse_hs_code,
    parse_incoterm,
    parse_incoterm_place,
    parse_party,
    parse_quantity,
)
from kiosk.customs.findings import Finding


class InvoiceLine(BaseModel):
    model_config = ConfigDict(frozen=True)

    number: int = Field(ge=1, description="the item's number as printed, 1 first")
    description: Read[str] = Field(default_factory=Read)
    hs_code: Read[str] = Field(default_factory=Read, description="digits only, 4 to 10")
    quantity: Read[Decimal] = Field(default_factory=Read)
    unit: Read[str] = Field(default_factory=Read)
    unit_price: Read[Decimal] = Field(default_factory=Read)
    amount: Read[Decimal] = Field(default_factory=Read, description="negative on a discount or credit line")
    net_kg: Read[Decimal] = Field(default_factory=Read)
    gross_kg: Read[Decimal] = Field(default_factory=Read)


class Invoice(BaseModel):
    """An invoice as read; `findings` for what could not be read (none raised)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: ClassVar[str] = "invoice"

    invoice_number: Read[str] = Field(default_factory=Read)
    invoice_date: Read[date] = Field(default_factory=Read)
    seller: Read[Party] = Field(default_factory=Read, description="the exporter")
    buyer: Read[Party] = Field(default_factory=Read)
    contract: Read[str] = Field(default_factory=Read)
    currency: Read[str] = Field(default_factory=Read, description="ISO 4217")
    origin: Read[str] = Field(default_factory=Read, description="country of origin, ISO 3166 alpha-2")
    incoterm: Read[str] = Field(default_factory=Read, description="Incoterms 2020 rule")
    incoterm_place: Read[str] = Field(default_factory=Read, description="the named place")
    lines: tuple[InvoiceLine, ...] = ()
    total_amount: Read[Decimal] = Field(default_factory=Read)
    total_net_kg: Read[Decimal] = Field(default_factory=Read)
    total_gross_kg: Read[Decimal] = Field(default_factory=Read)
    signed_by: Read[str] = Field(default_factory=Read)
    findings: tuple[Finding, ...] = ()

    @classmethod
    def from_fields(cls, fields: object) -> Invoice:
        """The invoice from vision's fields of its page (or a truth's); DocumentInputError only when `fields` is
        not a mapping of names at all."""
        reader = FieldReader(cls.kind, fields)
        read = reader.read
        lines = tuple(InvoiceLine(
            number=n,
            description=read_item(reader, n, "description", sure(str), "text"),
            hs_code=read_item(reader, n, "hs_code", parse_hs_code, "hs_code"),
            quantity=read_item(reader, n, "quantity", parse_quantity, "quantity"),
            unit=read_item(reader, n, "unit", sure(str), "text"),
            unit_price=read_item(reader, n, "unit_price", parse_quantity, "amount"),
            amount=read_item(reader, n, "amount", parse_amount, "amount"),
            net_kg=read_item(reader, n, "net_kg", parse_quantity, "weight"),
            gross_kg=read_item(reader, n, "gross_kg", parse_quantity, "weight"),
        ) for n in item_numbers(reader))
        return cls(
            invoice_number=reader.text("invoice_number"),
            invoice_date=read("invoice_date", parse_date, "date"),
            seller=read("seller", parse_party, "party"),
            buyer=read("buyer", parse_party, "party"),
            contract=reader.text("contract"),
            currency=read("currency", parse_currency, "currency"),
            origin=read("origin", parse_country, "country"),
            incoterm=read("incoterm", parse_incoterm, "incoterm"),
            incoterm_place=read("incoterm_place", parse_incoterm_place, "text"),
            lines=lines,
            total_amount=read("total_amount", parse_quantity, "amount"),
            total_net_kg=read("total_net_kg", parse_quantity, "weight"),
            total_gross_kg=read("total_gross_kg", parse_quantity, "weight"),
            signed_by=reader.text("signed_by"),
            findings=tuple(reader.findings),
        )
