"""Commercial invoices in three layouts: a ruled grid, a letterhead, and a boxed form (held out).

Fields: seller, buyer, invoice_number, invoice_date, currency, incoterm, incoterm_place,
contract, origin, every line item's cells (`item_<n>_<column>`), total_amount, total_net_kg,
total_gross_kg, signed_by (handwriting-like). The invoice number is also printed as a QR code or a
Code128 barcode.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from vision.synth import marks
from vision.synth.canvas import Canvas
from vision.synth.labels import Langs, label
from vision.synth.tables import Column, Rules, draw_table
from vision.synth.trade_content import Consignment, consignment, date_text

COLUMNS = [
    Column("description", 62.0, label_key="description"),
    Column("hs_code", 18.0),
    Column("quantity", 14.0, "right"),
    Column("unit", 10.0),
    Column("unit_price", 20.0, "right"),
    Column("amount", 22.0, "right"),
    Column("net_kg", 17.0, "right"),
    Column("gross_kg", 17.0, "right"),
]


def _content(seed: int, data: Path, given: Consignment | None) -> tuple[Consignment, random.Random]:
    """The seed's own consignment, or `given` (one shared by the documents of a set)."""
    rng = random.Random(f"invoice:{seed}")
    return given or consignment(rng, data), rng


def _party(canvas: Canvas, name: str, x: float, y: float, w: float, title: str, lines: tuple[str, ...],
           pt: float = 9.0) -> float:
    canvas.text(x, y, title, 6.5, "bold")
    return canvas.field_lines(name, x, y + 3.5, lines, pt, width_mm=w)


def _labelled(canvas: Canvas, name: str, x: float, y: float, key: str, value: str, langs: Langs,
              pt: float = 9.0, label_w: float = 40.0) -> None:
    text = label(key, langs)
    canvas.text(x, y + 0.6, text + ":", canvas.fit_pt(text + ":", 6.5, label_w - 1, floor_pt=4.0))
    canvas.field(name, x + label_w, y, value, pt, "bold")


def _meta(canvas: Canvas, c: Consignment, rng: random.Random, x: float, y: float, label_w: float = 40.0) -> float:
    rows = [
        ("invoice_number", "invoice_number", c.number),
        ("invoice_date", "invoice_date", date_text(c.issued, rng)),
        ("contract", "contract", c.contract),
        ("currency", "currency", c.currency),
        ("origin", "origin", c.origin),
    ]
    for name, key, value in rows:
        _labelled(canvas, name, x, y, key, value, c.langs, label_w=label_w)
        y += 5.5
    text = label("incoterm", c.langs)
    canvas.text(x, y + 0.6, text + ":", canvas.fit_pt(text + ":", 6.5, label_w - 1, floor_pt=4.0))
    canvas.field("incoterm", x + label_w, y, c.incoterm, 9.0, "bold")
    canvas.field("incoterm_place", x + label_w + canvas.width_mm_of(c.incoterm + " ", 9.0, "bold"), y,
                 c.incoterm_place, 9.0, "bold")
    return y + 5.5


def _totals(canvas: Canvas, c: Consignment, x_right: float, y: float) -> float:
    for name, key, value in (
        ("total_amount", "total", f"{c.money(c.total)} {c.currency}"),
        ("total_net_kg", "total_net", c.kg(c.total_net)),
        ("total_gross_kg", "total_gross", c.kg(c.total_gross)),
    ):
        text = label(key, c.langs) + ":"
        canvas.text(x_right - 45, y + 0.6, text, canvas.fit_pt(text, 7.0, 50, floor_pt=4.5), align="right")
        canvas.field(name, x_right, y, value, 9.5, "bold", align="right")
        y += 6.0
    return y


def _signature_block(canvas: Canvas, c: Consignment, x: float, y: float) -> None:
    canvas.text(x, y, label("signature", c.langs), 6.5)
    marks.signature(canvas, x + 2, y + 4, 40, 12)
    marks.stamp(canvas, x + 62, y + 12, c.seller.name, c.seller.town, diameter_mm=30)
    canvas.text(x, y + 20, label("signed_by", c.langs) + ":", 6.5)
    canvas.field("signed_by", x, y + 23.5, c.signatory, 12.0, handwriting=True)


def _items(canvas: Canvas, c: Consignment, x: float, y: float, rules: Rules,
           fill: tuple[int, int, int] | None = None) -> float:
    return draw_table(canvas, x, y, COLUMNS, c.item_rows(), langs=c.langs, rules=rules, header_fill=fill)


def draw_grid(canvas: Canvas, seed: int, data: Path, given: Consignment | None = None) -> dict[str, Any]:
    """Title centred, seller and buyer side by side, metadata, a ruled grid table, QR bottom right."""
    c, rng = _content(seed, data, given)
    canvas.text(105, 12, label("invoice", c.langs[:1]), 16, "bold", align="centre")
    if len(c.langs) > 1:
        canvas.text(105, 20, " / ".join(label("invoice", (i,)) for i in c.langs[1:]), 8, align="centre")
    canvas.rect(10, 28, 93, 30)
    canvas.rect(107, 28, 93, 30)
    _party(canvas, "seller", 12, 30, 88, label("seller", c.langs), c.seller.lines)
    _party(canvas, "buyer", 109, 30, 88, label("buyer", c.langs), c.buyer.lines)
    y = _meta(canvas, c, rng, 12, 64)
    y = _items(canvas, c, 10, y + 4, "grid", (230, 230, 230))
    y = _totals(canvas, c, 198, y + 5)
    _signature_block(canvas, c, 12, max(y + 6, 230))
    marks.qr(canvas, 165, 250, f"INV:{c.number};{c.issued.isoformat()};{c.money(c.total)} {c.currency}")
    return {}


def draw_letterhead(canvas: Canvas, seed: int, data: Path, given: Consignment | None = None) -> dict[str, Any]:
    """The seller as a letterhead, 'bill to' below, a table with row rules only, a Code128 top right."""
    c, rng = _content(seed, data, given)
    canvas.field("seller", 14, 12, ", ".join(c.seller.lines), 11, "bold", width_mm=110)
    canvas.hline(14, 22, 182, line_mm=0.6)
    canvas.text(196, 26, label("invoice", c.langs[:1]), 14, "bold", align="right")
    marks.code128(canvas, 140, 34, c.number, height_mm=9)
    _party(canvas, "buyer", 14, 28, 100, label("buyer", c.langs), c.buyer.lines, 9.5)
    y = _meta(canvas, c, rng, 14, 52, label_w=48)
    y = _items(canvas, c, 14, y + 6, "rows")
    y = _totals(canvas, c, 194, y + 4)
    _signature_block(canvas, c, 14, max(y + 8, 228))
    return {}


def draw_boxed(canvas: Canvas, seed: int, data: Path, given: Consignment | None = None) -> dict[str, Any]:
    """A form of numbered boxes, the number in a box at the top, the QR top left (held-out layout)."""
    c, rng = _content(seed, data, given)
    marks.qr(canvas, 10, 8, c.number, module_mm=0.45)
    canvas.text(45, 12, label("invoice", c.langs), canvas.fit_pt(label("invoice", c.langs), 13, 150), "bold")
    canvas.rect(45, 20, 70, 10)
    canvas.text(46, 20.6, "1. " + label("invoice_number", c.langs), 5.5)
    canvas.field("invoice_number", 47, 24, c.number, 10, "bold")
    canvas.rect(115, 20, 85, 10)
    canvas.text(116, 20.6, "2. " + label("invoice_date", c.langs), 5.5)
    canvas.field("invoice_date", 117, 24, date_text(c.issued, rng), 10)
    for i, (name, party, top) in enumerate((("seller", c.seller, 40.0), ("buyer", c.buyer, 72.0))):
        canvas.rect(10, top, 120, 32)
        canvas.text(11, top + 0.6, f"{3 + i}. " + label(name, c.langs), 5.5)
        canvas.field_lines(name, 13, top + 5, party.lines, 9.5, width_mm=114)
    side = [("currency", c.currency), ("contract", c.contract), ("origin", c.origin)]
    for i, (name, value) in enumerate(side):
        top = 40.0 + i * 16
        canvas.rect(130, top, 70, 16)
        canvas.text(131, top + 0.6, f"{5 + i}. " + label(name, c.langs), 5.5)
        canvas.field(name, 133, top + 6, value, 10)
    canvas.rect(130, 88, 70, 16)
    canvas.text(131, 88.6, "8. " + label("incoterm", c.langs), 5.0)
    canvas.field("incoterm", 133, 94, c.incoterm, 10, "bold")
    canvas.field("incoterm_place", 133 + canvas.width_mm_of(c.incoterm + " ", 10, "bold"), 94, c.incoterm_place, 10)
    y = _items(canvas, c, 10, 110, "grid")
    y = _totals(canvas, c, 198, y + 4)
    _signature_block(canvas, c, 12, max(y + 6, 232))
    return {}
