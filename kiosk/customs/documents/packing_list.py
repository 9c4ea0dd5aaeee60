"""The packing list as read: numbers, date, parties, vehicle and container, per-line packages and weights, totals.

Field names are vision's and the generator's (`vision.packing_fields`, `vision.synth.packing_list`). A list
printed as a block per package writes a line's quantity with its unit ('120 PCS'); both are taken from it.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from kiosk.customs.documents.read import FieldReader, Read, item_numbers, read_item, sure
from kiosk.customs.documents.values import (
    Party,
    parse_count,
    parse_date,
    parse_hs_code,
    parse_party,
    parse_quantity,
)
from kiosk.customs.findings import Finding

_WITH_UNIT = re.compile(r"(.*\d)\s+([A-Z][A-Z0-9]{0,3})")
"""'120 PCS', 'M2' and 'L' included: a quantity and its unit of measure in one cell."""


class PackingLine(BaseModel):
    model_config = ConfigDict(frozen=True)

    number: int = Field(ge=1, description="the item's number as printed, 1 first")
    package_no: Read[str] = Field(default_factory=Read, description="the packages' numbers, '1-12'")
    marks: Read[str] = Field(default_factory=Read)
    description: Read[str] = Field(default_factory=Read)
    hs_code: Read[str] = Field(default_factory=Read, description="digits only, 4 to 10")
    quantity: Read[Decimal] = Field(default_factory=Read)
    unit: Read[str] = Field(default_factory=Read)
    packages: Read[int] = Field(default_factory=Read)
    net_kg: Read[Decimal] = Field(default_factory=Read)
    gross_kg: Read[Decimal] = Field(default_factory=Read)
    dimensions: Read[str] = Field(default_factory=Read, description="as printed, cm")


def _quantity_and_unit(text: str) -> tuple[tuple[Decimal, str | None], bool]:
    together = _WITH_UNIT.fullmatch(text)
    value, unsure = parse_quantity(together.group(1) if together else text)
    return (value, together.group(2) if together else None), unsure


def _line(reader: FieldReader, n: int) -> PackingLine:
    both = read_item(reader, n, "quantity", _quantity_and_unit, "quantity")
    quantity, printed_unit = both.value or (None, None)
    unit = read_item(reader, n, "unit", sure(str), "text")
    return PackingLine(
        number=n,
        package_no=read_item(reader, n, "package_no", sure(str), "text"),
        marks=read_item(reader, n, "marks", sure(str), "text"),
        description=read_item(reader, n, "description", sure(str), "text"),
        hs_code=read_item(reader, n, "hs_code", parse_hs_code, "hs_code"),
        quantity=both.carrying(quantity),
        unit=unit if unit.present or printed_unit is None else both.carrying(printed_unit),
        packages=read_item(reader, n, "packages", parse_count, "count"),
        net_kg=read_item(reader, n, "net_kg", parse_quantity, "weight"),
        gross_kg=read_item(reader, n, "gross_kg", parse_quantity, "weight"),
        dimensions=read_item(reader, n, "dimensions", sure(str), "text"),
    )


class PackingList(BaseModel):
    """A packing list as read; `findings` for what could not be read (none raised)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: ClassVar[str] = "packing_list"

    packing_list_number: Read[str] = Field(default_factory=Read)
    invoice_number: Read[str] = Field(default_factory=Read, description="the invoice the list belongs to")
    packing_date: Read[date] = Field(default_factory=Read)
    shipper: Read[Party] = Field(default_factory=Read)
    consignee: Read[Party] = Field(default_factory=Read)
    vehicle_plate: Read[str] = Field(default_factory=Read)
    container: Read[str] = Field(default_factory=Read, description="ISO 6346, as read")
    lines: tuple[PackingLine, ...] = ()
    total_packages: Read[int] = Field(default_factory=Read)
    total_net_kg: Read[Decimal] = Field(default_factory=Read)
    total_gross_kg: Read[Decimal] = Field(default_factory=Read)
    packed_by: Read[str] = Field(default_factory=Read)
    findings: tuple[Finding, ...] = ()

    @classmethod
    def from_fields(cls, fields: object) -> PackingList:
        """The list from vision's fields of its page (or a truth's); DocumentInputError only when `fields` is not
        a mapping of names at all."""
        reader = FieldReader(cls.kind, fields)
        read = reader.read
        return cls(
            **{name: reader.text(name) for name in ("packing_list_number", "invoice_number", "vehicle_plate",
                                                    "container", "packed_by")},
            packing_date=read("packing_date", parse_date, "date"),
            shipper=read("shipper", parse_party, "party"),
            consignee=read("consignee", parse_party, "party"),
            lines=tuple(_line(reader, n) for n in item_numbers(reader)),
            total_packages=read("total_packages", parse_count, "count"),
            total_net_kg=read("total_net_kg", parse_quantity, "weight"),
            total_gross_kg=read("total_gross_kg", parse_quantity, "weight"),
            findings=tuple(reader.findings),
        )
