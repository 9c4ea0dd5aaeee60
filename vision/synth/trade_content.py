"""What an invoice, packing list or certificate of origin says: one consignment, drawn once per seed.

The three kinds share it so that (as in a real file of documents) the same goods, weights and
parties can be told apart by layout alone; each kind prints the parts it needs.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from vision.synth.cmr_content import _digits, plate_for
from vision.synth.goods import LineItem, kg, line_items, money
from vision.synth.iso6346 import container_number
from vision.synth.labels import Langs, pick_langs
from vision.synth.parties import Party, party

INCOTERMS_2020 = ("EXW", "FCA", "CPT", "CIP", "DAP", "DPU", "DDP", "FAS", "FOB", "CFR", "CIF")
ROAD_INCOTERMS = ("EXW", "FCA", "CPT", "CIP", "DAP", "DPU", "DDP")
CURRENCIES = {"GE": "GEL", "TR": "TRY", "AZ": "AZN", "AM": "AMD", "RU": "RUB"}
CONTINENTAL = frozenset({"DE", "PL", "LT", "FR", "IT", "BG", "RO", "RU", "TR", "AZ"})
"""Countries that print 12 345,60 rather than 12,345.60."""

COUNTRY_NAMES = {
    "GE": "Georgia", "TR": "Türkiye", "AZ": "Azerbaijan", "AM": "Armenia", "RU": "Russia", "DE": "Germany",
    "PL": "Poland", "LT": "Lithuania", "FR": "France", "IT": "Italy", "BG": "Bulgaria", "RO": "Romania",
}


@dataclass(frozen=True)
class Consignment:
    seller: Party
    buyer: Party
    number: str
    issued: date
    currency: str
    incoterm: str
    incoterm_place: str
    contract: str
    items: list[LineItem]
    container: str
    plate: str
    langs: Langs
    money_style: str
    signatory: str

    def money(self, amount: float) -> str:
        return money(amount, self.money_style)

    def kg(self, weight: float) -> str:
        return kg(weight, self.money_style)

    @property
    def total(self) -> float:
        return round(sum(item.amount for item in self.items), 2)

    @property
    def total_net(self) -> float:
        return round(sum(item.net_kg for item in self.items), 1)

    @property
    def total_gross(self) -> float:
        return round(sum(item.gross_kg for item in self.items), 1)

    @property
    def total_packages(self) -> int:
        return sum(item.packages for item in self.items)

    @property
    def origin(self) -> str:
        return COUNTRY_NAMES[self.seller.country_code]

    @property
    def destination(self) -> str:
        return COUNTRY_NAMES[self.buyer.country_code]

    def item_rows(self) -> list[dict[str, str]]:
        return [{
            "description": item.description,
            "hs_code": item.hs_code,
            "quantity": str(item.quantity),
            "unit": item.unit,
            "unit_price": self.money(item.unit_price),
            "amount": self.money(item.amount),
            "net_kg": self.kg(item.net_kg),
            "gross_kg": self.kg(item.gross_kg),
            "packages": str(item.packages),
        } for item in self.items]


_SIGNATORIES = ("G. Beridze", "N. Kapanadze", "A. Yilmaz", "E. Mammadov", "A. Petrosyan", "I. Petrov",
                "K. Müller", "M. Kowalski", "Д. Смирнов", "ლ. გელაშვილი", "S. Kaya", "T. Lomidze")


def consignment(rng: random.Random, data: Path, *, max_items: int = 6,
                sellers: tuple[str, ...] | None = None, buyers: tuple[str, ...] | None = None) -> Consignment:
    """One consignment: parties in different countries (from `sellers`/`buyers` when given), 1..max_items
    line items, numbers and dates."""
    seller = party(rng, rng.choice(sellers) if sellers else None)
    buyer = party(rng, rng.choice([c for c in buyers or ("GE", "TR", "AZ", "AM", "RU", "DE", "PL", "IT", "BG", "LT")
                                   if c != seller.country_code]))
    issued = date(2025, 1, 1) + timedelta(days=rng.randrange(600))
    style = rng.choice(("{cc}-{y}-{n5}", "INV {n6}", "{n4}/{y}", "EXP-{y}{n5}", "{cc}{n7}"))
    number = style.format(cc=seller.country_code, y=issued.year, n4=_digits(rng, 4), n5=_digits(rng, 5),
                          n6=_digits(rng, 6), n7=_digits(rng, 7))
    incoterm = rng.choice(ROAD_INCOTERMS if rng.random() < 0.8 else INCOTERMS_2020)
    place = buyer.town if incoterm in ("CPT", "CIP", "DAP", "DPU", "DDP", "CFR", "CIF") else seller.town
    currency = rng.choice(("USD", "EUR", CURRENCIES.get(seller.country_code, "EUR")))
    return Consignment(
        seller=seller,
        buyer=buyer,
        number=number,
        issued=issued,
        currency=currency,
        incoterm=incoterm,
        incoterm_place=place,
        contract=f"{_digits(rng, 3)}/{issued.year - rng.randint(0, 2)}",
        items=line_items(rng, rng.randint(1, max_items), data),
        container=container_number(rng) if rng.random() < 0.5 else "",
        plate=plate_for(rng.choice(("GE", "TR", "AZ", "AM", "RU", "PL", "LT")), rng),
        langs=pick_langs(rng),
        money_style="continental" if seller.country_code in CONTINENTAL and rng.random() < 0.7 else "en",
        signatory=rng.choice(_SIGNATORIES),
    )


def date_text(value: date, rng: random.Random) -> str:
    return value.strftime(rng.choice(("%d.%m.%Y", "%d/%m/%Y", "%Y-%m-%d", "%d %b %Y")))
