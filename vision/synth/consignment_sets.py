"""The documents of one consignment as a driver brings them to the kiosk: a CMR, an invoice, a certificate of
origin and, for some, a packing list, which agree with one another, or carry one injected fault.

Each kind's own renderer draws its page (`vision.synth.cmr`, `invoice`, `coo`, `packing_list`) from one shared
`Consignment`, where the generator otherwise draws a consignment per page. A fault is put into that content
before drawing, so it is printed on the page and is in the page's truth exactly as printed:
- `check_digit`: the container number (CMR marks, packing list, certificate) has a wrong ISO 6346 check digit;
- `unknown_hs`: one line's six-digit code is not in the HS nomenclature (on every document that prints codes);
- `weights`: the CMR's gross weight is 15-35 % above the other documents' total;
- `undervalued`: one invoice line, of goods the unit-value table covers, at 3-7 % of their normal value per kg;
- `origin`: the certificate names another country of origin than the invoice.
A set is fixed by its seed, fault, data folder, unit-value table, degradation and dpi.
"""

from __future__ import annotations

import csv
import functools
import json
import random
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from vision.synth import cmr, coo, invoice, packing_list
from vision.synth.canvas import Canvas
from vision.synth.cmr import SynthPage, png_bytes
from vision.synth.cmr_content import _digits, format_weight, plate_for, varied_cmr_content
from vision.synth.cmr_forms import FORMS as CMR_FORMS
from vision.synth.degrade import Level
from vision.synth.fonts import FAMILIES
from vision.synth.generator import Variant, render
from vision.synth.goods import MAX_DESCRIPTION, LineItem, data_dir, hs_goods
from vision.synth.iso6346 import container_number
from vision.synth.parties import party
from vision.synth.trade_content import COUNTRY_NAMES, Consignment, consignment

SCHEMA = "cez-consignment-set/1"
FAULTS: tuple[str, ...] = ("check_digit", "unknown_hs", "weights", "undervalued", "origin")
KIND_ORDER: tuple[str, ...] = ("cmr", "invoice", "certificate_of_origin", "packing_list")
"""The order a driver feeds the pages in; a set's pages come in it."""

MAX_ITEMS = 4
"""Lines per consignment: what the EUR.1's box 8 and a block-per-package packing list hold on one page."""
PACKING_LIST_SHARE = 0.5
CONTAINER_SHARE = 0.6
COVERED_SHARE = 0.5
"""Sets (of any fault) whose first line is goods the unit-value table covers, priced normally unless undervalued:
so the undervaluation rule is also tried on sets where it must stay silent."""
NORMAL_VALUE = (0.8, 2.0)
UNDERVALUE = (0.03, 0.07)
WEIGHT_EXCESS = (1.15, 1.35)
CARRIER_COUNTRIES = ("GE", "TR", "AZ", "AM", "RU", "PL", "LT")
UNSPECIFIED_CHAPTER = "99"
"""Trade statistics' 'not specified according to kind': no trader invoices goods under it."""
CMR_LAYOUTS = tuple(sorted(name for name in CMR_FORMS if name != "iru-classic"))
"""The classic form is left out: its zonal reader reads ASCII Latin only, and a set's parties write in their own
script."""

UnitValues = Mapping[str, tuple[float, str]]
"""Six-digit HS code -> (a normal value per kg of net mass, its ISO 4217 currency). The caller passes the customs
reference table's figures in: vision never reads the kiosk's data."""

TradeDraw = Callable[[Canvas, int, Path, Consignment], dict[str, Any]]
DRAWERS: dict[str, dict[str, TradeDraw]] = {
    "invoice": {"invoice-grid": invoice.draw_grid, "invoice-letterhead": invoice.draw_letterhead,
                "invoice-boxed": invoice.draw_boxed},
    "certificate_of_origin": {"eur1": coo.draw_eur1, "generic-coo": coo.draw_generic,
                              "chamber-coo": coo.draw_chamber},
    "packing_list": {"packing-table": packing_list.draw_table, "packing-by-package": packing_list.draw_by_package,
                     "packing-landscape": packing_list.draw_landscape},
}


@dataclass(frozen=True)
class SetConsignment(Consignment):
    """A consignment whose goods may originate elsewhere than the seller's country (a trader's goods, or a false
    claim on a certificate)."""

    origin_code: str = ""

    @property
    def origin(self) -> str:
        return COUNTRY_NAMES[self.origin_code or self.seller.country_code]


@dataclass(frozen=True)
class Document:
    kind: str
    layout: str
    font: str


@dataclass(frozen=True)
class SetContent:
    """What every page of a set says, before drawing."""

    seed: int
    consignment: SetConsignment
    certified: SetConsignment
    """What the certificate of origin says: the consignment, or it with another origin (the `origin` fault)."""
    cmr: dict[str, tuple[str, ...]]
    """The CMR's box lines, as `vision.synth.cmr_content.cmr_content` gives them."""
    documents: tuple[Document, ...]
    declared_on: date
    """When the truck leaves and the declaration is made: the day of loading."""
    fault: str | None = None
    fault_detail: dict[str, str] = field(default_factory=dict)


@functools.lru_cache(maxsize=4)
def _nomenclature(path: Path) -> dict[str, str]:
    """Every code of the HS file (chapters to subheadings) -> its description; empty without the file."""
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            return {row["hscode"]: row["description"] for row in csv.DictReader(handle)}
    except (OSError, KeyError, csv.Error):
        return {}


def _short(text: str) -> str:
    return text if len(text) <= MAX_DESCRIPTION else text[:MAX_DESCRIPTION].rsplit(" ", 1)[0].rstrip(",;")


def _specified(items: list[LineItem], rng: random.Random, folder: Path) -> list[LineItem]:
    """The items, goods of the unspecified chapter swapped for other goods."""
    used = {item.hs_code for item in items}
    spare = [good for good in hs_goods(folder) if not good[0].startswith(UNSPECIFIED_CHAPTER) and good[0] not in used]
    out = []
    for item in items:
        if item.hs_code.startswith(UNSPECIFIED_CHAPTER):
            code, description = spare.pop(rng.randrange(len(spare)))
            item = replace(item, hs_code=code, description=description)
        out.append(item)
    return out


def _priced(item: LineItem, per_kg: float) -> LineItem:
    """The line sold by the kilogram at `per_kg`: value per kg of net mass is then `per_kg`, to the cent."""
    quantity = max(1, round(item.net_kg))
    return replace(item, unit="KG", quantity=quantity, unit_price=max(0.01, round(per_kg * item.net_kg / quantity, 2)))


def unit_value(code: str, unit_values: UnitValues) -> tuple[float, str] | None:
    """The entry of the longest code that prefixes `code` (six digits, then four, then two), as the customs
    reference table is read."""
    return next((unit_values[code[:n]] for n in (6, 4, 2) if code[:n] in unit_values), None)


def _covered_code(unit_values: UnitValues, known: Mapping[str, str], rng: random.Random) -> str:
    """A six-digit code of the nomenclature under an entry of the table (entries first, so a chapter's many codes do
    not crowd out a subheading's one)."""
    under = {entry: sorted(code for code in known if len(code) == 6 and code.isdigit() and code.startswith(entry))
             for entry in sorted(unit_values)}
    entry = rng.choice([entry for entry, codes in under.items() if codes])
    return rng.choice(under[entry])


def unknown_code(code: str, known: Collection[str], rng: random.Random) -> str:
    """A six-digit code under `code`'s heading that the nomenclature lacks: its last two digits swapped when that is
    no code (a typist's slip), else another subheading number."""
    swapped = code[:4] + code[5] + code[4]
    if swapped != code and swapped not in known:
        return swapped
    free = [f"{code[:4]}{n:02d}" for n in range(1, 100) if f"{code[:4]}{n:02d}" not in known]
    if not free:
        raise ValueError(f"heading {code[:4]} has no free subheading number")
    return rng.choice(free)


def wrong_check_digit(container: str, rng: random.Random) -> str:
    """The container number with any other last digit."""
    return container[:10] + str((int(container[10]) + rng.randint(1, 9)) % 10)


def _eur1_partners(c: Consignment) -> bool:
    return c.buyer.country_code in coo.EUR1_PARTNERS.get(c.seller.country_code, ())


def set_content(seed: int, fault: str | None = None, *, data: Path | None = None,
                unit_values: UnitValues | None = None) -> SetContent:
    """The content of set `seed` with `fault` (None: a clean set); `unit_values` prices covered goods normally and
    is required by the `undervalued` fault, the HS file in `data` by `unknown_hs`."""
    if fault is not None and fault not in FAULTS:
        raise ValueError(f"unknown fault {fault!r}; choose one of {', '.join(FAULTS)}")
    if fault == "undervalued" and not unit_values:
        raise ValueError("the undervalued fault needs unit values (HS code -> normal value per kg)")
    folder = data_dir(data)
    hs_file = folder / "hs" / "harmonized-system.csv"
    known = _nomenclature(hs_file)
    if fault == "unknown_hs" and not known:
        raise ValueError(f"the unknown_hs fault needs the HS nomenclature at {hs_file}")
    rng = random.Random(f"set:{seed}")
    base = consignment(rng, folder, max_items=MAX_ITEMS)
    items = _specified(base.items, rng, folder)
    currency = base.currency
    detail: dict[str, str] = {}
    if unit_values and (fault == "undervalued" or rng.random() < COVERED_SHARE):
        code = _covered_code(unit_values, known, rng)
        items[0] = replace(items[0], hs_code=code, description=_short(known.get(code, f"Goods of HS {code}")))
    covered = [(i, value) for i, item in enumerate(items) if (value := unit_value(item.hs_code, unit_values or {}))]
    if covered:  # priced in the table's currency, so that every covered line can be compared with it
        currency = covered[0][1][1]
        for i, (per_kg, in_currency) in covered:
            low = fault == "undervalued" and i == 0
            if in_currency == currency:
                items[i] = _priced(items[i], per_kg * rng.uniform(*(UNDERVALUE if low else NORMAL_VALUE)))
            if low:
                detail = {"line": "1", "hs_code": items[0].hs_code, "unit_price": f"{items[0].unit_price:.2f}",
                          "reference_per_kg": f"{per_kg:.2f}", "currency": currency}
    if fault == "unknown_hs":
        line = rng.randrange(len(items))
        code = unknown_code(items[line].hs_code, known, rng)
        detail = {"line": str(line + 1), "hs_code": code, "replaces": items[line].hs_code}
        items[line] = replace(items[line], hs_code=code)
    container = container_number(rng) if fault == "check_digit" or rng.random() < CONTAINER_SHARE else ""
    if fault == "check_digit":
        wrong = wrong_check_digit(container, rng)
        detail = {"container": wrong, "valid": container}
        container = wrong
    carrier_country = rng.choice(CARRIER_COUNTRIES)
    carrier = party(rng, carrier_country, script="latin")
    plate = plate_for(carrier_country, rng)
    c = SetConsignment(**{f.name: getattr(base, f.name) for f in fields(Consignment)}
                       | {"items": items, "currency": currency, "container": container, "plate": plate})
    certified = c
    if fault == "origin":
        other = rng.choice(sorted(code for code in COUNTRY_NAMES if code != c.seller.country_code))
        certified = replace(c, origin_code=other)
        detail = {"invoice_origin": c.seller.country_code, "certificate_origin": other}
    loaded = c.issued + timedelta(days=rng.randint(0, 3))
    gross = round(c.total_gross)
    shown = round(gross * rng.uniform(*WEIGHT_EXCESS)) if fault == "weights" else gross
    if fault == "weights":
        detail = {"cmr_gross_kg": str(shown), "gross_kg": f"{c.total_gross:.1f}"}
    with_packing = fault == "check_digit" or rng.random() < PACKING_LIST_SHARE
    kinds = KIND_ORDER if with_packing else KIND_ORDER[:3]
    box_lines = _cmr_lines(c, carrier.lines, carrier.name, plate, loaded, shown, with_packing,
                           random.Random(f"set-cmr:{seed}"), hs_file)
    documents = tuple(Document(kind, _layout(kind, c, rng), rng.choice(sorted(FAMILIES))) for kind in kinds)
    return SetContent(seed, c, certified, box_lines, documents, loaded, fault, detail)


def _layout(kind: str, c: Consignment, rng: random.Random) -> str:
    if kind == "cmr":
        return rng.choice(CMR_LAYOUTS)
    names = sorted(DRAWERS[kind])
    if kind == "certificate_of_origin" and not _eur1_partners(c):
        names.remove("eur1")
    return rng.choice(names)


def _cmr_lines(c: Consignment, carrier_lines: tuple[str, ...], carrier_name: str, plate: str, loaded: date,
               gross_kg: int, with_packing: bool, rng: random.Random, hs_file: Path) -> dict[str, tuple[str, ...]]:
    """The varied CMR's boxes, those that describe the consignment taken from it."""
    lines = varied_cmr_content(rng, hs_file)
    attached = (f"Invoice No {c.number}", "Certificate of origin", *(("Packing list",) if with_packing else ()))
    return lines | {
        "cmr_number": (f"{c.seller.country_code} {_digits(rng, 7)}",),
        "sender": c.seller.lines,
        "consignee": c.buyer.lines,
        "place_of_delivery": (f"{c.buyer.town}, {c.buyer.country}",),
        "taking_over": (f"{c.seller.town}, {c.seller.country}", loaded.strftime("%d.%m.%Y")),
        "documents_attached": attached,
        "marks": tuple(filter(None, (f"{c.buyer.country_code}-{_digits(rng, 6)}", c.container))),
        "packages": (str(c.total_packages),),
        "goods": tuple(item.description for item in c.items),
        "statistical_number": tuple(f"{item.hs_code[:4]}.{item.hs_code[4:]}" for item in c.items),
        "gross_weight": (format_weight(gross_kg),),
        "carrier": carrier_lines,
        "vehicle_reg": (plate,),
        "established": (f"{c.seller.town} {loaded.strftime('%d.%m.%Y')}",),
        "sender_signature": (c.seller.name,),
        "carrier_signature": (carrier_name,),
        "goods_received": (),
    }


def render_set(content: SetContent, *, data: Path | None = None, degrade: Level = "none",
               dpi: int = 300) -> list[SynthPage]:
    """Every page of the set, in `KIND_ORDER`, made as `vision.synth.generate` makes pages."""
    folder = data_dir(data)
    pages = []
    for document in content.documents:
        draw: Callable[[Canvas], dict[str, Any]]
        if document.kind == "cmr":
            draw = functools.partial(_draw_cmr, layout=document.layout, content=content, folder=folder)
        else:
            given = content.certified if document.kind == "certificate_of_origin" else content.consignment
            draw = functools.partial(_draw_trade, DRAWERS[document.kind][document.layout], content.seed, folder,
                                     given)
        pages.append(render(document.kind, content.seed, Variant(document.layout, document.font), draw,
                            degrade=degrade, dpi=dpi))
    return pages


def _draw_cmr(canvas: Canvas, *, layout: str, content: SetContent, folder: Path) -> dict[str, Any]:
    return cmr.draw_cmr(canvas, layout, content.seed, folder / "hs" / "harmonized-system.csv", given=content.cmr)


def _draw_trade(draw: TradeDraw, seed: int, folder: Path, given: Consignment, canvas: Canvas) -> dict[str, Any]:
    return draw(canvas, seed, folder, given)


def document_fields(page_truth: Mapping[str, Any]) -> dict[str, str]:
    """A page's truth as the fields a reading of it would give: a CMR's every box (its `fields` are only the four
    the classic reader returns), another kind's `fields`."""
    return dict(page_truth["boxes"] if page_truth["kind"] == "cmr" else page_truth["fields"])


def set_truth(content: SetContent, pages: list[SynthPage], images: list[str] | None = None) -> dict[str, Any]:
    """The set's ground truth: its fault and what each page says (`images` names the pages' files, when written)."""
    return {
        "schema": SCHEMA,
        "seed": content.seed,
        "fault": content.fault,
        "fault_detail": content.fault_detail,
        "declared_on": content.declared_on.isoformat(),
        "currency": content.consignment.currency,
        "pages": [{**({"image": images[i]} if images else {}), **page.truth} for i, page in enumerate(pages)],
    }


def write_set(content: SetContent, out: Path, *, data: Path | None = None, degrade: Level = "none",
              dpi: int = 300) -> dict[str, Any]:
    """Render the set into `out`: a PNG per page (`set-<seed>-<kind>.png`) and the truth (`set-<seed>.json`),
    which is also returned."""
    pages = render_set(content, data=data, degrade=degrade, dpi=dpi)
    stem = f"set-{content.seed:06d}"
    images = [f"{stem}-{page.truth['kind']}.png" for page in pages]
    for name, page in zip(images, pages, strict=True):
        (out / name).write_bytes(png_bytes(page))
    truth = set_truth(content, pages, images)
    (out / f"{stem}.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1))
    return truth
