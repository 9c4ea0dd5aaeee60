"""Seeded synthetic CMR consignment notes: the printed form of a layout variant, filled in, with ground truth.

`generate_cmr(seed)` is the classic layout in DejaVu Sans with ASCII Latin contents, the page the
zonal reader (`vision.pipeline.read_cmr`) and the scanner simulator use: same seed, same dpi ->
identical PNG bytes. `draw_cmr` draws any layout variant onto a canvas for `vision.synth.generate`.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image

from vision import cmr_layout
from vision.cmr_layout import Box
from vision.synth import marks
from vision.synth.canvas import Canvas, Style
from vision.synth.cmr_content import DEFAULT_HS_CSV, cmr_content, varied_cmr_content
from vision.synth.cmr_forms import FORMS, CmrForm
from vision.synth.fonts import FAMILIES

LABEL_PT = 5.5
NUMBER_PT = 7.0
CONTENT_PT = 10.5
PLATE_PT = 12.0
MIN_LABEL_PT = 4.0
MIN_CONTENT_PT = 8.0
MIN_SQUEEZED_PT = 6.0
"""Below the width-fitting floor only when a box has more lines than room (several goods)."""
CONTENT_PAD_MM = 1.8

LABEL_ORDERS = ((0, 1, 2), (1, 0, 2), (0, 2, 1), (2, 0, 1), (1, 2, 0))
"""Orders of the (English, Russian, Georgian) labels printed by different publishers of the varied forms."""

HANDWRITTEN_BOXES = frozenset({"established", "goods_received"})
"""Boxes a driver or clerk fills in by hand on the varied layouts."""


@dataclass(frozen=True)
class SynthPage:
    """A rendered page and what is written on it. `truth` is for tests and benchmarks only."""

    image: Image.Image
    truth: dict[str, Any]

    def png_bytes(self) -> bytes:
        return png_bytes(self)


def png_bytes(page: SynthPage) -> bytes:
    """The page as PNG, the format the scanner simulator serves. Deterministic: no metadata."""
    buffer = io.BytesIO()
    page.image.save(buffer, format="PNG", dpi=(page.truth.get("dpi", 300),) * 2, compress_level=3)
    return buffer.getvalue()


def _label_lines(box: Box, order: tuple[int, ...]) -> tuple[str, ...]:
    parts = [box.label_parts[i] for i in order if i < len(box.label_parts)]
    if box.label_lines == 1:
        return (" / ".join(parts),)
    if box.label_lines == 2:
        return parts[0], " / ".join(parts[1:])
    return tuple(parts)


def _draw_label(canvas: Canvas, box: Box, order: tuple[int, ...]) -> None:
    x = box.rect.x + 0.8
    top = box.rect.y + 0.5
    if box.number is not None:
        canvas.text(x, top - 0.2, str(box.number), NUMBER_PT, "bold")
        x += canvas.width_mm_of(str(box.number), NUMBER_PT, "bold") + 0.6
    lines = _label_lines(box, order)
    pt = min(canvas.fit_pt(line, LABEL_PT, box.rect.right - x - 0.5, floor_pt=MIN_LABEL_PT) for line in lines)
    for i, line in enumerate(lines):
        canvas.text(x, top + i * cmr_layout.LABEL_LINE_MM, line, pt)


def _wrap(canvas: Canvas, lines: tuple[str, ...], pt: float, width_mm: float) -> tuple[str, ...]:
    """Word-wrap lines that are wider than the box (long goods descriptions)."""
    wrapped: list[str] = []
    for line in lines:
        current = ""
        for word in line.split():
            candidate = f"{current} {word}".strip()
            if current and canvas.width_mm_of(candidate, pt) > width_mm:
                wrapped.append(current)
                current = word
            else:
                current = candidate
        wrapped.append(current)
    return tuple(wrapped)


def _draw_content(canvas: Canvas, box: Box, lines: tuple[str, ...], *, mono: bool = False,
                  handwriting: bool = False) -> None:
    """Fill a box's content area: the largest size that fits, smaller when lines overflow, then fewer lines.

    The truth is what is printed: lines that fit nowhere are left off the page and out of the value.
    """
    area = box.content_rect
    width = area.w - 2 * CONTENT_PAD_MM
    base_pt = PLATE_PT if mono else CONTENT_PT
    style: Style = "mono" if mono else "regular"
    for kept in range(len(lines), 0, -1):
        shown = lines[:kept]
        pt = min(canvas.fit_pt(line, base_pt, width, style, MIN_CONTENT_PT) for line in shown)
        line_mm = base_pt * 25.4 / 72 * 1.35
        while True:
            wrapped = shown if mono else _wrap(canvas, shown, pt, width)
            if len(wrapped) * line_mm <= area.h - CONTENT_PAD_MM / 2 or pt <= MIN_SQUEEZED_PT:
                break
            pt -= 0.5
            line_mm = pt * 25.4 / 72 * 1.3
        if len(wrapped) * line_mm <= area.h - CONTENT_PAD_MM / 2 or kept == 1:
            break
    canvas.field_lines(box.key, area.x + CONTENT_PAD_MM, area.y + 0.6, wrapped, pt, style, line_mm=line_mm,
                       handwriting=handwriting, value=", ".join(shown))


_TITLES = (
    "INTERNATIONAL CONSIGNMENT NOTE",
    "МЕЖДУНАРОДНАЯ ТОВАРНО-ТРАНСПОРТНАЯ НАКЛАДНАЯ",
    "საერთაშორისო სატრანსპორტო ზედნადები",
)


def _draw_title(canvas: Canvas, form: CmrForm, number: str, order: tuple[int, ...]) -> None:
    area = form.title
    canvas.rect(area.x, area.y, area.w, area.h)
    for i, index in enumerate(order):
        canvas.text(area.x + 2, area.y + 2 + i * 3.2, _TITLES[index], 6.5)
    canvas.text(area.x + 2, area.y + 13, "CMR", 26, "bold")
    canvas.text(area.x + 45, area.y + 18, "No ", 10, "bold")
    canvas.field("cmr_number", area.x + 45 + canvas.width_mm_of("No ", 10, "bold"), area.y + 18, number, 10, "bold")


def draw_cmr(canvas: Canvas, layout: str, seed: int, hs_csv: Path = DEFAULT_HS_CSV,
             given: dict[str, tuple[str, ...]] | None = None) -> dict[str, Any]:
    """Draw the CMR for `seed` in `layout` and return its truth's extra keys (`fields`, `boxes`).

    `given` box lines (as `cmr_content` gives them) replace the seed's own: a CMR of a consignment set.
    """
    form = FORMS[layout]
    classic = form is FORMS["iru-classic"]
    if given is not None:
        content = given
    else:
        content = cmr_content(seed, hs_csv) if classic else varied_cmr_content(random.Random(f"cmr:{seed}"), hs_csv)
    order = form.label_order if classic else random.Random(f"cmr-labels:{seed}").choice(LABEL_ORDERS)
    _draw_title(canvas, form, content["cmr_number"][0], order)
    for box in (*form.boxes, form.vehicle_reg):
        canvas.rect(box.rect.x, box.rect.y, box.rect.w, box.rect.h)
        _draw_label(canvas, box, order)
        lines = content.get(box.key, ())
        if box.key == "vehicle_reg":
            _draw_content(canvas, box, lines, mono=True)
        elif lines:
            _draw_content(canvas, box, lines, handwriting=not classic and box.key in HANDWRITTEN_BOXES)
        else:
            canvas.fields[box.key] = ""
    _sign(canvas, form, content)
    if not classic:
        bottom = max(box.rect.bottom for box in form.boxes)
        marks.code128(canvas, form.title.x + 2, bottom + 3, content["cmr_number"][0].replace(" ", ""),
                      height_mm=8.0)
    boxes = {key: canvas.fields[key] for key in (*(box.key for box in form.boxes), "vehicle_reg", "cmr_number")}
    fields = {
        "sender": boxes["sender"],
        "consignee": boxes["consignee"],
        "vehicle_plate": boxes["vehicle_reg"].split(" / ")[0],  # the tractor's plate, not the trailer's
        "gross_weight_kg": "".join(ch for ch in boxes["gross_weight"] if ch.isdigit()),
    }
    for name, key in (("vehicle_plate", "vehicle_reg"), ("gross_weight_kg", "gross_weight")):
        if key in canvas.regions:
            canvas.regions[name] = canvas.regions[key]
    return {"fields": fields, "boxes": boxes}


def _sign(canvas: Canvas, form: CmrForm, content: dict[str, tuple[str, ...]]) -> None:
    """Signatures and stamps in boxes 22 and 23, under the printed names (their ground truth)."""
    for number, party in ((22, "sender"), (23, "carrier")):
        box = next(b for b in form.boxes if b.number == number)
        area = box.content_rect
        marks.signature(canvas, area.x + area.w * 0.1, area.y + area.h * 0.45, area.w * 0.5, area.h * 0.35)
        name = content[party][0] if content.get(party) else ""
        marks.stamp(canvas, area.x + area.w * 0.7, area.y + area.h * 0.55, name, "CMR",
                    diameter_mm=min(area.h * 0.8, 30.0))


def generate_cmr(seed: int, dpi: int = 300, *, hs_csv: Path = DEFAULT_HS_CSV) -> SynthPage:
    """The classic CMR for `seed` at `dpi`; the truth holds the four customs fields and every box's text.

    `hs_csv` supplies the goods descriptions; without it a built-in list is used, so a seed
    renders the same page only where the same HS file is present.
    """
    if dpi < 72:
        raise ValueError(f"dpi must be at least 72, got {dpi}")
    canvas = Canvas(cmr_layout.PAGE_WIDTH_MM, cmr_layout.PAGE_HEIGHT_MM, dpi, FAMILIES["dejavu-sans"],
                    random.Random(f"marks:cmr:{seed}"))
    extra = draw_cmr(canvas, "iru-classic", seed, hs_csv)
    truth = {"kind": "cmr", "seed": seed, "dpi": dpi, **canvas.truth(), **extra}
    return SynthPage(canvas.image, truth)
