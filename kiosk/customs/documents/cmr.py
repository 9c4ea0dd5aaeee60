"""The CMR consignment note (the IRU model of the 1956 CMR Convention): its 24 numbered boxes, each as read.

Field names are the boxes' keys in `vision.cmr_layout` (the generator's truth uses them too); vision's reader
names two differently, and both spellings are taken: `gross_weight_kg` for box 11's `gross_weight`, and
`vehicle_plate` for the truck's plate, which box 16's registration area (`vehicle_reg`) prints as
'truck / trailer'. Boxes 22 to 24 hold signatures and stamps: what is kept is the text printed there.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from kiosk.customs.documents.read import FieldReader, Read, sure
from kiosk.customs.documents.values import (
    Party,
    PlaceAndDate,
    parse_count,
    parse_hs_codes,
    parse_party,
    parse_place_and_date,
    parse_quantity,
)
from kiosk.customs.findings import Finding, Severity


def _plates(text: str) -> tuple[str, str | None]:
    """'GE-123-AB / GE-456-CD' -> the truck's plate and the trailer's (None when only one is written)."""
    truck, _, trailer = (part.strip() for part in text.partition("/"))
    if not truck:
        raise ValueError("no plate before '/'")
    return truck, trailer or None


class Cmr(BaseModel):
    """A CMR note as read: every box a `Read`, `findings` for what could not be read (none raised)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: ClassVar[str] = "cmr"
    BOXES: ClassVar[dict[int, str]] = {
        1: "sender", 2: "consignee", 3: "place_of_delivery", 4: "taking_over", 5: "documents_attached",
        6: "marks", 7: "packages", 8: "packing", 9: "goods", 10: "statistical_number", 11: "gross_weight",
        12: "volume", 13: "sender_instructions", 14: "payment_instructions", 15: "cash_on_delivery", 16: "carrier",
        17: "successive_carriers", 18: "carrier_reservations", 19: "special_agreements", 20: "to_be_paid_by",
        21: "established", 22: "sender_signature", 23: "carrier_signature", 24: "goods_received",
    }
    """Box number -> field, as the form prints the numbers."""

    cmr_number: Read[str] = Field(default_factory=Read, description="the note's own number, in the title block")
    sender: Read[Party] = Field(default_factory=Read, description="box 1")
    consignee: Read[Party] = Field(default_factory=Read, description="box 2")
    place_of_delivery: Read[str] = Field(default_factory=Read, description="box 3")
    taking_over: Read[PlaceAndDate] = Field(default_factory=Read, description="box 4: place and date of loading")
    documents_attached: Read[str] = Field(default_factory=Read, description="box 5")
    marks: Read[str] = Field(default_factory=Read, description="box 6: marks and numbers")
    packages: Read[int] = Field(default_factory=Read, description="box 7: number of packages")
    packing: Read[str] = Field(default_factory=Read, description="box 8: method of packing")
    goods: Read[str] = Field(default_factory=Read, description="box 9: nature of the goods, lines joined with ', '")
    statistical_number: Read[tuple[str, ...]] = Field(default_factory=Read,
                                                      description="box 10: HS codes, digits only, one per goods line")
    gross_weight: Read[Decimal] = Field(default_factory=Read, description="box 11: gross weight, kg")
    volume: Read[Decimal] = Field(default_factory=Read, description="box 12: volume, m3")
    sender_instructions: Read[str] = Field(default_factory=Read, description="box 13")
    payment_instructions: Read[str] = Field(default_factory=Read, description="box 14")
    cash_on_delivery: Read[str] = Field(default_factory=Read, description="box 15")
    carrier: Read[Party] = Field(default_factory=Read, description="box 16")
    vehicle_plate: Read[str] = Field(default_factory=Read, description="box 16: the truck's registration")
    trailer_plate: Read[str] = Field(default_factory=Read, description="box 16: the trailer's, after '/'")
    successive_carriers: Read[str] = Field(default_factory=Read, description="box 17")
    carrier_reservations: Read[str] = Field(default_factory=Read, description="box 18")
    special_agreements: Read[str] = Field(default_factory=Read, description="box 19")
    to_be_paid_by: Read[str] = Field(default_factory=Read, description="box 20")
    established: Read[PlaceAndDate] = Field(default_factory=Read, description="box 21: established in ... on ...")
    sender_signature: Read[str] = Field(default_factory=Read, description="box 22: the name printed or stamped")
    carrier_signature: Read[str] = Field(default_factory=Read, description="box 23")
    goods_received: Read[str] = Field(default_factory=Read, description="box 24: the consignee's receipt")
    findings: tuple[Finding, ...] = ()

    @classmethod
    def from_fields(cls, fields: object) -> Cmr:
        """The note from vision's fields of its page (or a truth's boxes); DocumentInputError only when `fields`
        is not a mapping of names at all."""
        reader = FieldReader(cls.kind, fields)
        read = reader.read
        plates = read("vehicle_plate", sure(_plates), "plate", "vehicle_plate", "vehicle_reg")
        truck, trailer = (plates.value or (None, None))
        texts = ("cmr_number", "place_of_delivery", "documents_attached", "marks", "packing", "goods",
                 "sender_instructions", "payment_instructions", "cash_on_delivery", "successive_carriers",
                 "carrier_reservations", "special_agreements", "to_be_paid_by", "sender_signature",
                 "carrier_signature", "goods_received")
        return cls(
            **{name: reader.text(name) for name in texts},
            sender=read("sender", parse_party, "party"),
            consignee=read("consignee", parse_party, "party"),
            carrier=read("carrier", parse_party, "party"),
            taking_over=read("taking_over", parse_place_and_date, "place_and_date"),
            established=read("established", parse_place_and_date, "place_and_date", severity=Severity.WARNING),
            packages=read("packages", parse_count, "count"),
            statistical_number=read("statistical_number", parse_hs_codes, "hs_code"),
            gross_weight=read("gross_weight", parse_quantity, "weight", "gross_weight", "gross_weight_kg"),
            volume=read("volume", parse_quantity, "volume", severity=Severity.WARNING),
            vehicle_plate=plates.carrying(truck),
            trailer_plate=plates.carrying(trailer) if trailer else Read(),
            findings=tuple(reader.findings),
        )
