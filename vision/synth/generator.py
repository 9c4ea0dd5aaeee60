"""`generate(kind, seed, ...)`: one synthetic page of any document kind, degraded as asked, with its truth.

A page is fixed by (kind, seed, variant, degradation, dpi, data folder): the content, the layout and
font chosen when no variant is given, and the degradation are all drawn from generators seeded by
those, so a corpus can be regenerated instead of stored.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from vision.synth import cmr, coo, id_document, invoice, packing_list
from vision.synth.canvas import Canvas
from vision.synth.cmr import SynthPage
from vision.synth.cmr_forms import FORMS as CMR_FORMS
from vision.synth.cmr_forms import HELD_OUT as CMR_HELD_OUT
from vision.synth.degrade import LEVELS, Level
from vision.synth.degrade import degrade as apply_degradation
from vision.synth.fonts import FAMILIES
from vision.synth.goods import data_dir

SCHEMA = "cez-synth/1"
KINDS: tuple[str, ...] = ("cmr", "invoice", "certificate_of_origin", "packing_list", "id_document")
"""The document kinds, named as everywhere in the project (`other` is never generated)."""

HeldOut = Literal["include", "exclude", "only"]
HELD_OUT_CHOICES: tuple[HeldOut, ...] = ("include", "exclude", "only")

MIN_DPI, MAX_DPI = 72, 600
MAX_SHIFT_MM = 3.0
"""How far a page's print may sit off its nominal position (sheet feed, printer margins)."""
PAPERS = ((255, 255, 255), (255, 255, 255), (252, 250, 243), (246, 246, 244), (250, 251, 255), (255, 253, 248))
"""Paper shades: mostly white, some cream, grey recycled or bluish."""


@dataclass(frozen=True)
class Layout:
    """A layout variant: its page size, how to draw it, and whether it is held out from tuning."""

    name: str
    size_mm: tuple[float, float]
    draw: Callable[[Canvas, int, Path], dict[str, Any]]
    held_out: bool = False


@dataclass(frozen=True)
class Variant:
    """A layout and a font family, by name."""

    layout: str
    font: str

    @classmethod
    def parse(cls, text: str, kind: str) -> Variant:
        """'LAYOUT' or 'LAYOUT:FONT' (the font then defaults to dejavu-sans)."""
        layout, _, font = text.partition(":")
        variant = cls(layout, font or "dejavu-sans")
        variant.check(kind)
        return variant

    def check(self, kind: str) -> None:
        if self.layout not in LAYOUTS[kind]:
            raise ValueError(f"{kind} has no layout {self.layout!r}; choose one of {', '.join(LAYOUTS[kind])}")
        if self.font not in FAMILIES:
            raise ValueError(f"no font family {self.font!r}; choose one of {', '.join(FAMILIES)}")


def _cmr(layout: str) -> Callable[[Canvas, int, Path], dict[str, Any]]:
    def draw(canvas: Canvas, seed: int, data: Path) -> dict[str, Any]:
        return cmr.draw_cmr(canvas, layout, seed, data / "hs" / "harmonized-system.csv")

    return draw


A4 = (210.0, 297.0)

LAYOUTS: dict[str, dict[str, Layout]] = {
    "cmr": {
        name: Layout(name, A4, _cmr(name), held_out=name in CMR_HELD_OUT)
        for name in CMR_FORMS
    },
    "invoice": {layout.name: layout for layout in (
        Layout("invoice-grid", A4, invoice.draw_grid),
        Layout("invoice-letterhead", A4, invoice.draw_letterhead),
        Layout("invoice-boxed", A4, invoice.draw_boxed, held_out=True),
    )},
    "certificate_of_origin": {layout.name: layout for layout in (
        Layout("eur1", A4, coo.draw_eur1),
        Layout("generic-coo", A4, coo.draw_generic),
        Layout("chamber-coo", A4, coo.draw_chamber, held_out=True),
    )},
    "packing_list": {layout.name: layout for layout in (
        Layout("packing-table", A4, packing_list.draw_table),
        Layout("packing-by-package", A4, packing_list.draw_by_package),
        Layout("packing-landscape", (297.0, 210.0), packing_list.draw_landscape, held_out=True),
    )},
    "id_document": {layout.name: layout for layout in (
        Layout("td3-passport", id_document.TD3_MM, id_document.draw_td3),
        Layout("td1-card", id_document.TD1_MM, id_document.draw_td1),
        Layout("td3-passport-b", id_document.TD3_MM, id_document.draw_td3_alt, held_out=True),
        Layout("td3-copy", A4, id_document.draw_td3_copy),
        Layout("td1-copy", A4, id_document.draw_td1_copy),
    )},
}


def variants(kind: str) -> list[Variant]:
    """Every (layout, font) pair of a kind, in a fixed order."""
    _check_kind(kind)
    return [Variant(layout, font) for layout in LAYOUTS[kind] for font in FAMILIES]


def is_held_out(kind: str, variant: Variant) -> dict[str, bool]:
    return {"layout": LAYOUTS[kind][variant.layout].held_out, "font": FAMILIES[variant.font].held_out}


def _pick(kind: str, seed: int, held_out: HeldOut) -> Variant:
    picker = random.Random(f"variant:{kind}:{seed}")
    if held_out == "include":
        return Variant(picker.choice(sorted(LAYOUTS[kind])), picker.choice(sorted(FAMILIES)))
    wanted = held_out == "only"
    pool = [v for v in variants(kind) if any(is_held_out(kind, v).values()) == wanted]
    return picker.choice(pool)


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; choose one of {', '.join(KINDS)}")


def generate(
    kind: str,
    seed: int,
    *,
    degrade: Level = "none",
    dpi: int = 300,
    variant: Variant | str | None = None,
    data: Path | None = None,
    held_out: HeldOut = "include",
) -> SynthPage:
    """One page of `kind` for `seed`.

    `variant` None picks layout and font from the seed; `held_out` says whether that pick may
    include held-out layouts and fonts ("include"), must avoid them (a tuning corpus: "exclude"), or
    must have one ("only": the held-out layout, the held-out font, or both).
    """
    _check_kind(kind)
    if degrade not in LEVELS:
        raise ValueError(f"unknown degradation {degrade!r}; choose one of {', '.join(LEVELS)}")
    if not MIN_DPI <= dpi <= MAX_DPI:
        raise ValueError(f"dpi must be between {MIN_DPI} and {MAX_DPI}, got {dpi}")
    if held_out not in HELD_OUT_CHOICES:
        raise ValueError(f"unknown held_out {held_out!r}; choose one of {', '.join(HELD_OUT_CHOICES)}")
    if isinstance(variant, str):
        variant = Variant.parse(variant, kind)
    elif variant is None:
        variant = _pick(kind, seed, held_out)
    else:
        variant.check(kind)
    folder = data_dir(data)
    draw = LAYOUTS[kind][variant.layout].draw
    return render(kind, seed, variant, lambda canvas: draw(canvas, seed, folder), degrade=degrade, dpi=dpi)


def render(kind: str, seed: int, variant: Variant, draw: Callable[[Canvas], dict[str, Any]], *,
           degrade: Level = "none", dpi: int = 300) -> SynthPage:
    """The page `draw` fills, on the paper, shift and degradation that `generate` gives `kind` and `seed`.

    Apart from `generate` so a caller that brings its own content (the documents of one consignment set)
    gets pages and truth of exactly the same making.
    """
    layout = LAYOUTS[kind][variant.layout]
    page_rng = random.Random(f"page:{kind}:{seed}")
    plain = kind == "id_document" or variant.layout == "iru-classic"  # own background; the reader's template
    paper = (255, 255, 255) if plain else page_rng.choice(PAPERS)
    canvas = Canvas(*layout.size_mm, dpi, FAMILIES[variant.font], random.Random(f"marks:{kind}:{seed}"), paper)
    extra = draw(canvas)
    if not plain:
        canvas.shift(canvas.px(page_rng.uniform(-MAX_SHIFT_MM, MAX_SHIFT_MM)),
                     canvas.px(page_rng.uniform(-MAX_SHIFT_MM, MAX_SHIFT_MM)))
    drawn = canvas.truth()
    image, params = apply_degradation(canvas.image, degrade, seed * len(KINDS) + KINDS.index(kind), dpi)
    truth: dict[str, Any] = {
        "schema": SCHEMA,
        "kind": kind,
        "seed": seed,
        "dpi": dpi,
        "size_px": list(canvas.image.size),
        "variant": {"layout": variant.layout, "font": variant.font, "held_out": is_held_out(kind, variant)},
        "degradation": params,
        **drawn,
        **extra,
    }
    return SynthPage(image, truth)
