"""A page being drawn in millimetre coordinates that remembers what it wrote where.

Every kind draws through `Canvas.field`, so the ground truth (a field's value, its pixel box on the
undegraded page, whether it is handwriting-like) is taken from what was actually rendered and can
never drift from the drawing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from PIL import Image, ImageDraw, ImageFont

from vision.synth import fonts
from vision.synth.fonts import FontFamily

Style = Literal["regular", "bold", "italic", "mono", "mrz"]
BBox = tuple[int, int, int, int]

INK = (0, 0, 0)
PEN = (22, 38, 128)
"""Ballpoint blue for handwriting-like fields and signatures."""


@dataclass
class Region:
    """Where one field was printed on the undegraded page, in pixels: (left, top, right, bottom)."""

    box: BBox
    handwriting: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"box": list(self.box), "handwriting": self.handwriting}


def union(boxes: list[BBox]) -> BBox:
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


@dataclass
class Canvas:
    """One page: its image, its font family, and the truth collected while drawing."""

    width_mm: float
    height_mm: float
    dpi: int
    family: FontFamily
    rng: random.Random
    background: tuple[int, int, int] = (255, 255, 255)
    image: Image.Image = field(init=False)
    draw: ImageDraw.ImageDraw = field(init=False)
    fields: dict[str, str] = field(default_factory=dict)
    regions: dict[str, Region] = field(default_factory=dict)
    codes: list[dict[str, Any]] = field(default_factory=list)
    marks: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.image = Image.new("RGB", (self.px(self.width_mm), self.px(self.height_mm)), self.background)
        self.draw = ImageDraw.Draw(self.image)

    @property
    def px_per_mm(self) -> float:
        return self.dpi / 25.4

    def px(self, mm: float) -> int:
        return round(mm * self.px_per_mm)

    def face(self, style: Style) -> Path:
        if style == "mono":
            return fonts.MONO
        if style == "mrz":
            return fonts.mrz_font_path()
        return {"regular": self.family.regular, "bold": self.family.bold, "italic": self.family.italic}[style]

    def font(self, path: Path, pt: float) -> ImageFont.FreeTypeFont:
        return fonts.load(path, round(pt * self.dpi / 72))

    def width_mm_of(self, text: str, pt: float, style: Style = "regular") -> float:
        px = round(pt * self.dpi / 72)
        return sum(fonts.length(face, px, run) for face, run in fonts.runs(self.face(style), text)) / self.px_per_mm

    def fit_pt(self, text: str, pt: float, width_mm: float, style: Style = "regular", floor_pt: float = 5.0) -> float:
        """The largest size from `pt` down to `floor_pt` at which `text` fits `width_mm`."""
        while pt > floor_pt and self.width_mm_of(text, pt, style) > width_mm:
            pt -= 0.5
        return pt

    # -- drawing ---------------------------------------------------------------------------------

    def text(
        self,
        x_mm: float,
        y_mm: float,
        text: str,
        pt: float,
        style: Style = "regular",
        *,
        colour: tuple[int, int, int] = INK,
        align: Literal["left", "right", "centre"] = "left",
    ) -> BBox | None:
        """Print one line with its top-left (or top-right/centre) at the point; returns its ink box."""
        if not text:
            return None
        if align != "left":
            width = self.width_mm_of(text, pt, style)
            x_mm -= width if align == "right" else width / 2
        x = float(self.px(x_mm))
        y = self.px(y_mm)
        boxes: list[BBox] = []
        for face, run in fonts.runs(self.face(style), text):
            font = self.font(face, pt)
            if run.strip():
                left, top, right, bottom = self.draw.textbbox((x, y), run, font=font)
                boxes.append((int(left), int(top), int(right), int(bottom)))
                self.draw.text((x, y), run, fill=colour, font=font)
            x += font.getlength(run)
        return union(boxes) if boxes else None

    def handwrite(self, x_mm: float, y_mm: float, text: str, pt: float) -> BBox | None:
        """Print `text` as if by hand: a script face, pen ink, wandering baseline and a slight slant."""
        if not text:
            return None
        size = self.font(fonts.HANDWRITING, pt).size
        width = int(self.width_mm_of(text, pt, "italic") * self.px_per_mm * 1.6 + size * 2)
        layer = Image.new("L", (width, int(size * 3)), 0)
        pen = ImageDraw.Draw(layer)
        x = float(size // 2)
        for word in text.split(" "):
            dy = self.rng.uniform(-0.12, 0.12) * size
            for face, run in fonts.runs(fonts.HANDWRITING, word):
                font = fonts.load(face, round(size * self.rng.uniform(0.92, 1.08)))
                pen.text((x, size + dy), run, fill=255, font=font)
                x += font.getlength(run) * self.rng.uniform(0.96, 1.06)
            x += size * self.rng.uniform(0.25, 0.45)
        layer = layer.rotate(self.rng.uniform(-2.5, 2.5), resample=Image.Resampling.BILINEAR, expand=False)
        ink = layer.getbbox()
        if ink is None:
            return None
        layer = layer.crop(ink)
        left, top = self.px(x_mm), self.px(y_mm)
        self.image.paste(Image.new("RGB", layer.size, PEN), (left, top), layer)
        return left, top, left + layer.width, top + layer.height

    def field(
        self,
        name: str,
        x_mm: float,
        y_mm: float,
        value: str,
        pt: float,
        style: Style = "regular",
        *,
        width_mm: float | None = None,
        handwriting: bool = False,
        align: Literal["left", "right", "centre"] = "left",
    ) -> None:
        """Print a one-line field and record its value and box; shrinks to `width_mm` when given."""
        if width_mm is not None:
            pt = self.fit_pt(value, pt, width_mm, "italic" if handwriting else style)
        box = self.handwrite(x_mm, y_mm, value, pt) if handwriting else self.text(
            x_mm, y_mm, value, pt, style, align=align
        )
        self._record(name, value, [box] if box else [], handwriting)

    def field_lines(
        self,
        name: str,
        x_mm: float,
        y_mm: float,
        lines: tuple[str, ...],
        pt: float,
        style: Style = "regular",
        *,
        width_mm: float | None = None,
        line_mm: float | None = None,
        handwriting: bool = False,
        value: str | None = None,
    ) -> float:
        """Print a multi-line field (value: lines joined by ', ' unless given); returns the y just below it."""
        if width_mm is not None:
            pt = min((self.fit_pt(line, pt, width_mm, style) for line in lines), default=pt)
        step = line_mm if line_mm is not None else pt * 25.4 / 72 * 1.3
        boxes: list[BBox] = []
        for i, line in enumerate(lines):
            box = (self.handwrite(x_mm, y_mm + i * step, line, pt) if handwriting
                   else self.text(x_mm, y_mm + i * step, line, pt, style))
            if box:
                boxes.append(box)
        self._record(name, ", ".join(lines) if value is None else value, boxes, handwriting)
        return y_mm + len(lines) * step

    def _record(self, name: str, value: str, boxes: list[BBox], handwriting: bool) -> None:
        if name in self.fields:
            raise ValueError(f"field {name!r} drawn twice")
        self.fields[name] = value
        if boxes:
            self.regions[name] = Region(union(boxes), handwriting)

    def rect(self, x_mm: float, y_mm: float, w_mm: float, h_mm: float, *, line_mm: float = 0.25,
             fill: tuple[int, int, int] | None = None) -> None:
        self.draw.rectangle(
            (self.px(x_mm), self.px(y_mm), self.px(x_mm + w_mm), self.px(y_mm + h_mm)),
            outline=INK, width=max(1, self.px(line_mm)), fill=fill,
        )

    def hline(self, x_mm: float, y_mm: float, w_mm: float, *, line_mm: float = 0.25) -> None:
        self.draw.line((self.px(x_mm), self.px(y_mm), self.px(x_mm + w_mm), self.px(y_mm)), fill=INK,
                       width=max(1, self.px(line_mm)))

    def vline(self, x_mm: float, y_mm: float, h_mm: float, *, line_mm: float = 0.25) -> None:
        self.draw.line((self.px(x_mm), self.px(y_mm), self.px(x_mm), self.px(y_mm + h_mm)), fill=INK,
                       width=max(1, self.px(line_mm)))

    def paste(self, picture: Image.Image, x_mm: float, y_mm: float, mask: Image.Image | None = None) -> BBox:
        left, top = self.px(x_mm), self.px(y_mm)
        self.image.paste(picture, (left, top), mask)
        return left, top, left + picture.width, top + picture.height

    def place(self, other: Canvas, x_mm: float, y_mm: float) -> None:
        """Paste another page (a passport on a photocopy) at the point, taking over its truth, moved along."""
        dx, dy = self.px(x_mm), self.px(y_mm)
        self.image.paste(other.image, (dx, dy))

        def move(box: BBox | list[int]) -> list[int]:
            return [box[0] + dx, box[1] + dy, box[2] + dx, box[3] + dy]

        for name, value in other.fields.items():
            if name in self.fields:
                raise ValueError(f"field {name!r} drawn twice")
            self.fields[name] = value
        for name, region in other.regions.items():
            x0, y0, x1, y1 = move(region.box)
            self.regions[name] = Region((x0, y0, x1, y1), region.handwriting)
        self.codes.extend({**code, "box": move(code["box"])} for code in other.codes)
        self.marks.extend({**mark, "box": move(mark["box"])} for mark in other.marks)

    def shift(self, dx_px: int, dy_px: int) -> None:
        """Move everything drawn by a few pixels (a sheet fed off-centre); boxes follow, clipped to the page."""
        moved = Image.new("RGB", self.image.size, self.background)
        moved.paste(self.image, (dx_px, dy_px))
        self.image = moved
        self.draw = ImageDraw.Draw(self.image)
        width, height = self.image.size

        def move(box: BBox | list[int]) -> BBox:
            x0, y0, x1, y1 = box
            return (min(max(x0 + dx_px, 0), width - 1), min(max(y0 + dy_px, 0), height - 1),
                    min(max(x1 + dx_px, 1), width), min(max(y1 + dy_px, 1), height))

        for region in self.regions.values():
            region.box = move(region.box)
        for item in (*self.codes, *self.marks):
            item["box"] = list(move(item["box"]))

    def truth(self) -> dict[str, Any]:
        """What was drawn: fields, their regions, the codes and the marks (stamps, signatures)."""
        return {
            "fields": dict(self.fields),
            "regions": {name: region.to_dict() for name, region in self.regions.items()},
            "handwriting": sorted(name for name, region in self.regions.items() if region.handwriting),
            "codes": list(self.codes),
            "marks": list(self.marks),
        }
