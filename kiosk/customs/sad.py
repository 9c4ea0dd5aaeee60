"""The export-declaration draft as an ASYCUDA-style Single Administrative Document: a general segment and items.

The kiosk prepares it; central's RPA enters it into ASYCUDA and answers with the registration number.
Box numbers in the field descriptions are the SAD's (the EU/ASYCUDA form), so an officer can map
every element to the paper form. Money is `Decimal`; masses are kilograms, as `Decimal` with up to three
decimals; countries are ISO 3166 alpha-2; currencies ISO 4217; HS codes digits only (6 or 8).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal, get_args

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

CountryCode = Annotated[str, Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")]
CurrencyCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217")]
HsCode = Annotated[str, Field(pattern=r"^[0-9]{6}([0-9]{2})?$", description="HS six digits, or a national eight")]
Money = Annotated[Decimal, Field(ge=0, decimal_places=2)]
Kilograms = Annotated[Decimal, Field(ge=0, decimal_places=3)]
Text = Annotated[str, Field(min_length=1, max_length=300)]
ContainerNumber = Annotated[str, Field(pattern=r"^[A-Z]{3}[UJZ][0-9]{7}$", description="ISO 6346")]

Incoterm = Literal["EXW", "FCA", "CPT", "CIP", "DAP", "DPU", "DDP", "FAS", "FOB", "CFR", "CIF"]
INCOTERMS_2020: tuple[str, ...] = get_args(Incoterm)


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Party(_Model):
    """Boxes 2 (exporter), 8 (consignee) and 14 (declarant)."""

    name: Text
    address: Text
    country: CountryCode
    taxpayer_id: str | None = Field(default=None, min_length=1, max_length=20,
                                    description="national tax id, e.g. GE 9 or 11 digits")
    eori: str | None = Field(default=None, pattern=r"^[A-Z]{2}[0-9A-Z]{1,15}$")


class Transport(_Model):
    """Boxes 18 (identity and nationality at departure), 21 (active means at the border), 25 (mode), 19 (container)."""

    mode: Literal[3] = Field(default=3, description="box 25: 3 = road, the only mode a kiosk sees")
    vehicle_plate: Text
    vehicle_country: CountryCode
    trailer_plate: str | None = Field(default=None, min_length=1, max_length=20)
    containers: tuple[ContainerNumber, ...] = Field(default=(), description="box 31's marks")


class Valuation(_Model):
    """Boxes 20 (delivery terms), 22 (currency and total invoiced), 23 (exchange rate)."""

    incoterm: Incoterm
    incoterm_place: Text
    currency: CurrencyCode
    invoice_total: Money
    freight: Money | None = Field(default=None, description=(
        "when the invoice states it: to the border for EXW/FCA (added), beyond it for C and D terms (deducted)"))
    insurance: Money | None = Field(default=None, description="as freight: to the border, or beyond it")


class DocumentRef(_Model):
    """Box 44: a produced document."""

    kind: Literal["cmr", "invoice", "certificate_of_origin", "packing_list"]
    number: Text
    issued: date | None = None


class Item(_Model):
    """Boxes 31–46 of one goods item."""

    number: int = Field(ge=1, description="box 32")
    description: Text = Field(description="box 31: goods description")
    packages: int = Field(ge=0, description="box 31: number of packages")
    package_kind: str | None = Field(default=None, min_length=1, max_length=40,
                                     description="box 31: pallets, cartons, …")
    hs_code: HsCode = Field(description="box 33")
    origin_country: CountryCode = Field(description="box 34")
    gross_kg: Kilograms = Field(description="box 35")
    net_kg: Kilograms = Field(description="box 38")
    procedure: str = Field(default="1000", pattern=r"^[0-9]{4}$", description="box 37: 1000 = outright export")
    quantity: Decimal | None = Field(default=None, ge=0, description="box 41: supplementary units")
    unit: str | None = Field(default=None, min_length=1, max_length=10)
    invoice_amount: Money = Field(description="box 42: item price in the invoice currency")
    statistical_value: Money | None = Field(default=None, description="box 46, in the national currency")


class GeneralSegment(_Model):
    """The declaration's header: boxes 1–30 and 44 for the whole consignment."""

    declaration_type: Literal["EX"] = Field(default="EX", description="box 1: export")
    procedure_type: Literal["1"] = Field(default="1", description="box 1, second part: 1 = definitive export")
    office: str = Field(min_length=1, max_length=20, description="box A: customs office of the kiosk's zone")
    date: date
    exporter: Party
    consignee: Party
    declarant: Party | None = None
    export_country: CountryCode = Field(default="GE", description="box 15a")
    destination_country: CountryCode = Field(description="box 17a")
    transport: Transport
    valuation: Valuation
    total_packages: int = Field(ge=0, description="box 6")
    total_gross_kg: Kilograms
    documents: tuple[DocumentRef, ...] = Field(min_length=1, description="box 44")


class Draft(_Model):
    """A whole draft: who made it where and when, the general segment and at least one item."""

    uuid: str = Field(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
    reference: str = Field(pattern=r"^CEZ-[0-9]{8}-[0-9A-F]{8}$")
    kiosk_id: Text
    created_at: AwareDatetime
    general: GeneralSegment
    items: tuple[Item, ...] = Field(min_length=1, max_length=999)

    def to_json(self) -> dict[str, Any]:
        """Plain JSON: decimals as strings, so no amount passes through a float."""
        return self.model_dump(mode="json")
