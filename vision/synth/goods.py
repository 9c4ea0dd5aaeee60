"""Goods for the pages: HS subheadings from the shared nomenclature, weights and quantities.

The nomenclature is read at run time from the shared data folder (never copied into the
repository); without it a short built-in list keeps the generator working, so a seed renders the
same page only where the same data folder is present.
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass
from pathlib import Path

from vision.synth.cmr_content import _hs_goods

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[3] / "shared" / "data"
"""`../shared/data` beside the repository; `$CEZ_SHARED_DATA` or an explicit path overrides it."""

MAX_DESCRIPTION = 70
"""Longer nomenclature texts are left out: traders do not print a paragraph per line item."""

UNITS = ("PCS", "KG", "CTN", "SET", "L", "M2", "PAL")


def data_dir(override: Path | None = None) -> Path:
    if override is not None:
        return override
    env = os.environ.get("CEZ_SHARED_DATA")
    return Path(env) if env else DEFAULT_DATA_DIR


def hs_goods(folder: Path | None = None) -> tuple[tuple[str, str], ...]:
    """(six-digit code, description) pairs short enough to print on a line."""
    rows = _hs_goods(data_dir(folder) / "hs" / "harmonized-system.csv")
    short = tuple(row for row in rows if len(row[1]) <= MAX_DESCRIPTION)
    return short or rows


@dataclass(frozen=True)
class LineItem:
    """One line of an invoice or packing list."""

    description: str
    hs_code: str
    quantity: int
    unit: str
    unit_price: float
    net_kg: float
    gross_kg: float
    packages: int

    @property
    def amount(self) -> float:
        return round(self.quantity * self.unit_price, 2)


MAX_LOAD_KG = 22_000.0
"""A consignment's net weight stays below what one truck may carry on the region's roads."""


def line_items(rng: random.Random, count: int, folder: Path | None = None) -> list[LineItem]:
    """`count` line items sharing one truck load: net weights summing to at most `MAX_LOAD_KG`, gross =
    net plus packing, quantities in kilograms or in units, prices per unit."""
    goods = hs_goods(folder)
    chosen = rng.sample(goods, min(count, len(goods)))
    load = rng.uniform(150.0, MAX_LOAD_KG)
    shares = [rng.uniform(0.2, 1.0) for _ in chosen]
    items = []
    for (code, description), share in zip(chosen, shares, strict=True):
        net = round(load * share / sum(shares), 1)
        unit = rng.choice(UNITS)
        quantity = max(1, round(net)) if unit == "KG" else max(1, round(net / rng.uniform(0.05, 40.0)))
        packages = max(1, min(33, round(net / rng.uniform(150.0, 900.0))))
        items.append(LineItem(
            description=description,
            hs_code=code,
            quantity=quantity,
            unit=unit,
            unit_price=round(rng.uniform(0.2, 900.0) if unit != "KG" else rng.uniform(0.3, 40.0), 2),
            net_kg=net,
            gross_kg=round(net * rng.uniform(1.01, 1.08) + packages * rng.uniform(2.0, 25.0), 1),
            packages=packages,
        ))
    return items


def money(amount: float, style: str = "en") -> str:
    """An amount as printed: '12,345.60' (en) or '12 345,60' (continental)."""
    text = f"{amount:,.2f}"
    if style == "en":
        return text
    return text.replace(",", " ").replace(".", ",")


def kg(weight: float, style: str = "en") -> str:
    """A weight as printed: '12 345.6' (en) or '12 345,6' (continental)."""
    text = f"{weight:,.1f}".replace(",", " ")
    return text if style == "en" else text.replace(".", ",")
