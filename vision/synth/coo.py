"""Certificates of origin: the EUR.1 movement certificate (boxes 1-12), a generic certificate, and a
chamber-of-commerce certificate (held out).

Fields: certificate_number (also as a QR code or Code128), exporter, consignee, origin_country,
destination_country, transport, remarks, goods rows (`item_<n>_<column>`), gross_mass, invoices,
customs_office, issue_place_date (handwriting-like on the EUR.1 and the chamber form), declaration_place_date.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from vision.synth import marks
from vision.synth.canvas import Canvas
from vision.synth.cmr_content import _digits
from vision.synth.labels import label
from vision.synth.tables import Column, draw_table
from vision.synth.trade_content import Consignment, consignment, date_text

CUSTOMS_OFFICES = ("Sarpi customs checkpoint", "Tsiteli Khidi customs checkpoint", "Poti port customs office",
                   "Tbilisi customs clearance zone", "Kazbegi customs checkpoint", "Sadakhlo customs checkpoint")
CHAMBERS = ("Georgian Chamber of Commerce and Industry", "Union of Chambers of Türkiye (TOBB)",
            "Chamber of Commerce and Industry of Azerbaijan", "Chamber of Commerce and Industry of Armenia",
            "Chamber of Commerce and Industry of the Russian Federation", "IHK Köln")
EU = ("DE", "PL", "LT", "FR", "IT", "BG", "RO")
EUR1_PARTNERS = {"GE": ("TR", *EU), "TR": ("GE", *EU), **{code: ("GE", "TR") for code in EU}}
"""Who trades on EUR.1 with whom here: Georgia's and Türkiye's agreements with the EU and each other."""
_AREA_NAMES = {"GE": "GEORGIA", "TR": "TÜRKİYE", **{code: "the EUROPEAN UNION" for code in EU}}


def _content(seed: int, data: Path, given: Consignment | None, *, eur1: bool = False
             ) -> tuple[Consignment, random.Random, str]:
    """The seed's own consignment, or `given` (one shared by the documents of a set: on an EUR.1 its parties must
    trade on EUR.1, `EUR1_PARTNERS`), and the certificate's number."""
    rng = random.Random(f"certificate_of_origin:{seed}")
    if given is not None:
        c = given
    elif eur1:
        seller = rng.choice(sorted(EUR1_PARTNERS))
        c = consignment(rng, data, max_items=4, sellers=(seller,), buyers=EUR1_PARTNERS[seller])
    else:
        c = consignment(rng, data, max_items=4)
    number = rng.choice(("A {n}", "GE {n}", "TR/{n}", "CO-{n}")).format(n=_digits(rng, 7))
    return c, rng, number


def _box(canvas: Canvas, x: float, y: float, w: float, h: float, caption: str) -> None:
    canvas.rect(x, y, w, h)
    canvas.text(x + 1, y + 0.8, caption, canvas.fit_pt(caption, 5.5, w - 2, floor_pt=3.5))


def draw_eur1(canvas: Canvas, seed: int, data: Path, given: Consignment | None = None) -> dict[str, Any]:
    """EUR.1 movement certificate: the 12 numbered boxes of the front side."""
    c, rng, number = _content(seed, data, given, eur1=True)
    left, mid, right = 10.0, 105.0, 200.0
    _box(canvas, left, 10, mid - left, 30, "1. Exporter (Name, full address, country)")
    canvas.field_lines("exporter", left + 2, 15, c.seller.lines, 9, width_mm=90)
    canvas.text(mid + 3, 12, "EUR.1", 18, "bold")
    canvas.text(mid + 30, 13.5, "No", 9)
    canvas.field("certificate_number", mid + 37, 12.5, number, 12, "bold")
    marks.code128(canvas, mid + 3, 21, number.replace(" ", ""), height_mm=7, module_mm=0.25)
    _box(canvas, mid, 30, right - mid, 20, "2. Certificate used in preferential trade between")
    trade = f"{_AREA_NAMES[c.seller.country_code]} and {_AREA_NAMES[c.buyer.country_code]}"
    canvas.field("preferential_trade", mid + 2, 38, trade, 8.5, width_mm=90)
    _box(canvas, left, 40, mid - left, 30, "3. Consignee (Name, full address, country) (Optional)")
    canvas.field_lines("consignee", left + 2, 45, c.buyer.lines, 9, width_mm=90)
    _box(canvas, mid, 50, (right - mid) / 2, 20, "4. Country in which the products are considered as originating")
    canvas.field("origin_country", mid + 2, 61, c.origin, 10, "bold", width_mm=44)
    _box(canvas, mid + (right - mid) / 2, 50, (right - mid) / 2, 20, "5. Country of destination")
    canvas.field("destination_country", mid + (right - mid) / 2 + 2, 61, c.destination, 10, "bold", width_mm=44)
    _box(canvas, left, 70, mid - left, 22, "6. Transport details (Optional)")
    canvas.field("transport", left + 2, 78, f"Truck {c.plate}", 10, "mono")
    _box(canvas, mid, 70, right - mid, 22, "7. Remarks")
    canvas.field("remarks", mid + 2, 78, f"Container {c.container}" if c.container else "—", 9)
    _box(canvas, left, 92, 150, 70, "8. Item number; Marks and numbers; Number and kind of packages; "
                                      "Description of goods")
    _box(canvas, 160, 92, 20, 70, "9. Gross mass (kg)")
    _box(canvas, 180, 92, 20, 70, "10. Invoices")
    y = 100.0
    for i, item in enumerate(c.items, start=1):
        line = f"{i}. {item.packages} packages: {item.description}"
        canvas.field(f"item_{i}_description", left + 2, y, line, 8.5, width_mm=146)
        canvas.field(f"item_{i}_gross_kg", 178, y, c.kg(item.gross_kg), 8.5, align="right", width_mm=17)
        y += 6.5
    canvas.field("gross_mass", 178, 150, c.kg(c.total_gross), 9, "bold", align="right", width_mm=17)
    canvas.field("invoices", 181, 100, c.number, 7, width_mm=18)
    _box(canvas, left, 162, mid - left, 85, "11. CUSTOMS ENDORSEMENT. Declaration certified")
    canvas.text(left + 2, 170, "Export document: Form", 7)
    canvas.field("export_document", left + 36, 169.5, f"EX {_digits(rng, 8)}", 8)
    canvas.text(left + 2, 177, "Customs office:", 7)
    canvas.field("customs_office", left + 25, 176.5, rng.choice(CUSTOMS_OFFICES), 8, width_mm=64)
    canvas.text(left + 2, 184, "Issuing country:", 7)
    canvas.field("issuing_country", left + 25, 183.5, c.origin, 8)
    canvas.text(left + 2, 192, "Date:", 7)
    canvas.field("issue_place_date", left + 12, 190, date_text(c.issued, rng), 11, handwriting=True)
    marks.stamp(canvas, left + 65, 222, "CUSTOMS " + c.origin.upper(), _digits(rng, 5), diameter_mm=32)
    marks.signature(canvas, left + 5, 215, 35, 14)
    _box(canvas, mid, 162, right - mid, 85, "12. DECLARATION BY THE EXPORTER")
    canvas.text(mid + 2, 170, "I, the undersigned, declare that the goods described above meet the", 6.5)
    canvas.text(mid + 2, 174, "conditions required for the issue of this certificate.", 6.5)
    canvas.field("declaration_place_date", mid + 2, 200, f"{c.seller.town}, {date_text(c.issued, rng)}", 11,
                 handwriting=True)
    marks.signature(canvas, mid + 10, 215, 40, 14)
    return {}


def _generic(canvas: Canvas, seed: int, data: Path, given: Consignment | None, *, chamber: bool) -> dict[str, Any]:
    c, rng, number = _content(seed, data, given)
    title = label("certificate_of_origin", c.langs)
    issuer = rng.choice(CHAMBERS)
    if chamber:
        canvas.rect(0, 0, 210, 26, line_mm=0.01, fill=(232, 236, 246))
        canvas.field("issued_by", 12, 5, issuer, 11, "bold", width_mm=140)
    else:
        canvas.field("issued_by", 105, 32, issuer, 8, align="centre", width_mm=180)
    canvas.text(105, 14 if chamber else 12, title, canvas.fit_pt(title, 15, 180, "bold"), "bold", align="centre")
    canvas.text(140 if chamber else 12, 28 if chamber else 22, label("certificate_number", c.langs) + ":", 7)
    canvas.field("certificate_number", 140 if chamber else 12, 31.5 if chamber else 25.5, number, 11, "bold")
    y = 42.0
    for name, key, party in (("exporter", "seller", c.seller), ("consignee", "consignee", c.buyer)):
        canvas.rect(10, y, 190, 24)
        canvas.text(11, y + 0.8, label(key, c.langs), 6)
        canvas.field_lines(name, 13, y + 5, party.lines, 9.5, width_mm=180)
        y += 24
    canvas.rect(10, y, 95, 14)
    canvas.text(11, y + 0.8, label("origin", c.langs), 6)
    canvas.field("origin_country", 13, y + 6, c.origin, 10, "bold")
    canvas.rect(105, y, 95, 14)
    canvas.text(106, y + 0.8, label("destination", c.langs), 6)
    canvas.field("destination_country", 108, y + 6, c.destination, 10, "bold")
    y += 14
    canvas.rect(10, y, 190, 12)
    canvas.text(11, y + 0.8, label("transport", c.langs), 6)
    canvas.field("transport", 13, y + 5, f"{c.plate}" + (f" / {c.container}" if c.container else ""), 10, "mono")
    y += 16
    columns = [Column("marks", 24.0, label_key="marks"), Column("description", 86.0),
               Column("hs_code", 22.0), Column("quantity", 18.0, "right"), Column("gross_kg", 24.0, "right"),
               Column("invoice", 16.0, label_key="invoice_number")]
    rows = [dict(row, marks=f"{c.buyer.country_code}-{i:02d}", invoice=c.number)
            for i, row in enumerate(c.item_rows(), start=1)]
    y = draw_table(canvas, 10, y, columns, rows, langs=c.langs, rules="grid")
    canvas.text(190, y + 3, label("total_gross", c.langs) + ":", 7, align="right")
    canvas.field("gross_mass", 198, y + 7, c.kg(c.total_gross), 9.5, "bold", align="right")
    y = max(y + 18, 200)
    canvas.text(12, y, "The undersigned authority certifies that the goods described above originate in the", 7)
    canvas.text(12, y + 4, "country shown in the box above.", 7)
    canvas.text(12, y + 12, label("place_date", c.langs) + ":", 7)
    canvas.field("issue_place_date", 12, y + 16, f"{c.seller.town}, {date_text(c.issued, rng)}", 11,
                 handwriting=chamber)
    marks.signature(canvas, 70, y + 14, 40, 14)
    marks.stamp(canvas, 140, y + 24, issuer[:48], "CERTIFIED", diameter_mm=34)
    verify = f"https://verify.cez.ge/coo/{number.replace(' ', '').replace('/', '')}"
    if chamber:
        marks.code128(canvas, 12, 278, number.replace(" ", ""), height_mm=9)
    else:
        marks.qr(canvas, 172, 262, verify)
    return {}


def draw_generic(canvas: Canvas, seed: int, data: Path, given: Consignment | None = None) -> dict[str, Any]:
    """A generic certificate of origin: parties, countries, goods table, certification, verification QR."""
    return _generic(canvas, seed, data, given, chamber=False)


def draw_chamber(canvas: Canvas, seed: int, data: Path, given: Consignment | None = None) -> dict[str, Any]:
    """A chamber-of-commerce certificate: a coloured header band, handwritten date, Code128 (held out)."""
    return _generic(canvas, seed, data, given, chamber=True)
