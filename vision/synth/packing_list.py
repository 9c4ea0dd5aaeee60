"""Packing lists: one table of goods, a block per package, and a landscape table (held out).

Fields: shipper, consignee, packing_list_number, invoice_number, packing_date, container (when
shipped in one), vehicle_plate, the rows (`item_<n>_<column>`), total_packages, total_net_kg,
total_gross_kg, packed_by (handwriting-like). The list number is printed as a Code128 or QR code.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from vision.synth import marks
from vision.synth.canvas import Canvas
from vision.synth.cmr_content import _digits
from vision.synth.labels import label
from vision.synth.tables import Column
from vision.synth.tables import draw_table as table
from vision.synth.trade_content import Consignment, consignment, date_text

PACKAGE_KINDS = ("pallet", "carton", "crate", "bag", "drum", "bundle")


def _content(seed: int, data: Path, given: Consignment | None) -> tuple[Consignment, random.Random, str]:
    """The seed's own consignment, or `given` (one shared by the documents of a set), and the list's number."""
    rng = random.Random(f"packing_list:{seed}")
    c = given or consignment(rng, data, max_items=8)
    return c, rng, f"PL-{c.issued.year}-{_digits(rng, 5)}"


def _header(canvas: Canvas, c: Consignment, rng: random.Random, number: str, x: float, y: float, width: float) -> float:
    title = label("packing_list", c.langs)
    canvas.text(x, y, title, canvas.fit_pt(title, 15, width * 0.6, "bold"), "bold")
    canvas.text(x, y + 9, "No", 8)
    canvas.field("packing_list_number", x + 6, y + 8.5, number, 10, "bold")
    canvas.text(x + 50, y + 9, label("invoice_number", c.langs[:1]), 7)
    canvas.field("invoice_number", x + 50 + canvas.width_mm_of(label("invoice_number", c.langs[:1]) + " ", 7), y + 8.5,
                 c.number, 10)
    canvas.field("packing_date", x + width, y + 8.5, date_text(c.issued, rng), 10, align="right")
    return y + 16


def _parties(canvas: Canvas, c: Consignment, x: float, y: float, width: float) -> float:
    half = width / 2
    for i, (name, key, party) in enumerate((("shipper", "seller", c.seller), ("consignee", "consignee", c.buyer))):
        canvas.rect(x + i * half, y, half, 26)
        canvas.text(x + i * half + 1, y + 0.8, label(key, c.langs), 6)
        canvas.field_lines(name, x + i * half + 2, y + 5, party.lines, 9, width_mm=half - 4)
    y += 28
    canvas.text(x, y + 0.5, label("transport", c.langs[:1]) + ":", 7)
    canvas.field("vehicle_plate", x + 32, y, c.plate, 10, "mono")
    if c.container:
        canvas.text(x + half, y + 0.5, label("container", c.langs[:1]) + ":", 7)
        canvas.field("container", x + half + 25, y, c.container, 10, "mono")
    return y + 7


def _totals(canvas: Canvas, c: Consignment, x_right: float, y: float) -> float:
    for name, key, value in (("total_packages", "packages", str(c.total_packages)),
                             ("total_net_kg", "total_net", c.kg(c.total_net)),
                             ("total_gross_kg", "total_gross", c.kg(c.total_gross))):
        canvas.text(x_right - 35, y + 0.5, label(key, c.langs[:1]) + ":", 7.5, align="right")
        canvas.field(name, x_right, y, value, 10, "bold", align="right")
        y += 6
    return y


def _sign(canvas: Canvas, c: Consignment, x: float, y: float) -> None:
    canvas.text(x, y, "Packed by / " + label("signature", c.langs[:1]), 7)
    canvas.field("packed_by", x, y + 4, c.signatory, 12, handwriting=True)
    marks.signature(canvas, x + 45, y + 2, 35, 12)


def _rows(c: Consignment, rng: random.Random) -> list[dict[str, str]]:
    rows = []
    first = 1
    for row, item in zip(c.item_rows(), c.items, strict=True):
        last = first + item.packages - 1
        rows.append(dict(row, package_no=f"{first}-{last}" if last > first else str(first),
                         dimensions=f"{rng.choice((120, 100, 80, 60))}x{rng.choice((80, 60, 40))}x"
                                    f"{rng.randint(40, 180)}"))
        first = last + 1
    return rows


def draw_table(canvas: Canvas, seed: int, data: Path, given: Consignment | None = None) -> dict[str, Any]:
    """Portrait: header, parties, one ruled table of goods with package ranges, totals, Code128."""
    c, rng, number = _content(seed, data, given)
    y = _header(canvas, c, rng, number, 12, 12, 186)
    marks.code128(canvas, 140, 4, number, height_mm=7, module_mm=0.25)
    y = _parties(canvas, c, 12, y, 186)
    columns = [Column("package_no", 16.0, label_key="package_no"), Column("description", 70.0),
               Column("quantity", 16.0, "right"), Column("unit", 12.0), Column("packages", 16.0, "right"),
               Column("net_kg", 18.0, "right"), Column("gross_kg", 18.0, "right"),
               Column("dimensions", 20.0, label_key="dimensions")]
    y = table(canvas, 12, y + 3, columns, _rows(c, rng), langs=c.langs, rules="grid", header_fill=(236, 236, 236))
    y = _totals(canvas, c, 198, y + 5)
    _sign(canvas, c, 12, max(y + 8, 250))
    return {}


def draw_by_package(canvas: Canvas, seed: int, data: Path, given: Consignment | None = None) -> dict[str, Any]:
    """A block per package line: its number range, kind, contents and weights, with a QR of the list number."""
    c, rng, number = _content(seed, data, given)
    y = _header(canvas, c, rng, number, 12, 12, 150)
    marks.qr(canvas, 172, 6, number, module_mm=0.5)
    y = _parties(canvas, c, 12, y + 6, 186)
    for i, row in enumerate(_rows(c, rng), start=1):
        kind = rng.choice(PACKAGE_KINDS)
        canvas.hline(12, y, 186, line_mm=0.2)
        canvas.field(f"item_{i}_package_no", 12, y + 1.5, row["package_no"], 10, "bold")
        canvas.text(32, y + 2, f"{row['packages']} x {kind}, {row['dimensions']} cm", 8)
        canvas.field(f"item_{i}_description", 32, y + 6.5, row["description"], 9, width_mm=120)
        canvas.field(f"item_{i}_quantity", 32, y + 11.5, f"{row['quantity']} {row['unit']}", 8)
        canvas.text(160, y + 2, "N", 7)
        canvas.field(f"item_{i}_net_kg", 196, y + 1.5, row["net_kg"], 9, align="right")
        canvas.text(160, y + 7, "G", 7)
        canvas.field(f"item_{i}_gross_kg", 196, y + 6.5, row["gross_kg"], 9, align="right")
        y += 17
        if y > 245:
            break
    y = _totals(canvas, c, 198, y + 3)
    _sign(canvas, c, 12, max(y + 4, 262))
    return {}


def draw_landscape(canvas: Canvas, seed: int, data: Path, given: Consignment | None = None) -> dict[str, Any]:
    """Landscape A4 with a wide table that carries HS codes and marks (held-out layout)."""
    c, rng, number = _content(seed, data, given)
    y = _header(canvas, c, rng, number, 12, 10, 273)
    marks.code128(canvas, 200, 22, number, height_mm=7, module_mm=0.25)
    y = _parties(canvas, c, 12, y + 10, 180)
    columns = [Column("package_no", 18.0, label_key="package_no"), Column("marks", 24.0, label_key="marks"),
               Column("description", 92.0), Column("hs_code", 20.0), Column("quantity", 18.0, "right"),
               Column("unit", 12.0), Column("packages", 16.0, "right"), Column("net_kg", 22.0, "right"),
               Column("gross_kg", 22.0, "right"), Column("dimensions", 24.0, label_key="dimensions")]
    rows = [dict(row, marks=f"{c.buyer.country_code}/{i:03d}") for i, row in enumerate(_rows(c, rng), start=1)]
    y = table(canvas, 12, y + 2, columns, rows, langs=c.langs, rules="rows", pt=8.0)
    y = _totals(canvas, c, 285, y + 4)
    _sign(canvas, c, 12, max(y + 2, 180))
    return {}
