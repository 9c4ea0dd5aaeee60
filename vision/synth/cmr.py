"""Seeded synthetic CMR pages: the printed form from `cmr_layout`, filled in, with ground truth.

Pages are clean, upright, full-page renders: the stand-in for a flatbed scan until the
degradation steps (skew, noise, stamps) arrive. Same seed, same dpi -> identical PNG bytes.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from vision import cmr_layout
from vision.cmr_layout import Box, Rect
from vision.synth.cmr_content import DEFAULT_HS_CSV, cmr_content

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
SANS = FONT_DIR / "DejaVuSans.ttf"
SANS_BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"
MONO = FONT_DIR / "DejaVuSansMono.ttf"

LABEL_PT = 5.5
NUMBER_PT = 7.0
CONTENT_PT = 10.5
PLATE_PT = 12.0
MIN_LABEL_PT = 4.0
MIN_CONTENT_PT = 8.0
CONTENT_PAD_MM = 1.8
LINE_MM = 0.25


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
    page.image.save(buffer, format="PNG", dpi=(page.truth.get("dpi", 300),) * 2)
    return buffer.getvalue()


class _Painter:
    """Draws on one page in millimetre coordinates."""

    def __init__(self, dpi: int) -> None:
        self.dpi = dpi
        size = (round(cmr_layout.PAGE_WIDTH_MM * self.px_per_mm), round(cmr_layout.PAGE_HEIGHT_MM * self.px_per_mm))
        self.image = Image.new("RGB", size, "white")
        self.draw = ImageDraw.Draw(self.image)

    @property
    def px_per_mm(self) -> float:
        return self.dpi / 25.4

    def px(self, mm: float) -> int:
        return round(mm * self.px_per_mm)

    def font(self, path: Path, pt: float) -> ImageFont.FreeTypeFont:
        return ImageFont.truetype(str(path), max(1, round(pt * self.dpi / 72)))

    def rect(self, rect: Rect) -> None:
        self.draw.rectangle(
            (self.px(rect.x), self.px(rect.y), self.px(rect.right), self.px(rect.bottom)),
            outline="black",
            width=max(1, self.px(LINE_MM)),
        )

    def text(self, x_mm: float, y_mm: float, text: str, font: ImageFont.FreeTypeFont) -> None:
        self.draw.text((self.px(x_mm), self.px(y_mm)), text, fill="black", font=font)

    def fitting_font(
        self, path: Path, pt: float, floor_pt: float, lines: tuple[str, ...], width_mm: float
    ) -> ImageFont.FreeTypeFont:
        """The largest font from `pt` down to `floor_pt` in which every line fits the width."""
        while True:
            font = self.font(path, pt)
            if pt <= floor_pt or all(font.getlength(line) <= self.px(width_mm) for line in lines):
                return font
            pt -= 0.5


def _draw_label(painter: _Painter, box: Box) -> None:
    x = box.rect.x + 0.8
    top = box.rect.y + 0.5
    if box.number is not None:
        number_font = painter.font(SANS_BOLD, NUMBER_PT)
        painter.text(x, top - 0.2, str(box.number), number_font)
        x += number_font.getlength(str(box.number)) / painter.px_per_mm + 0.6
    lines = (box.label,) if box.label_lines == 1 else box.label_parts
    font = painter.fitting_font(SANS, LABEL_PT, MIN_LABEL_PT, lines, box.rect.right - x - 0.5)
    for i, line in enumerate(lines):
        painter.text(x, top + i * cmr_layout.LABEL_LINE_MM, line, font)


def _wrap(painter: _Painter, lines: tuple[str, ...], font: ImageFont.FreeTypeFont, width_mm: float) -> tuple[str, ...]:
    """Word-wrap lines that are wider than the box (long goods descriptions)."""
    wrapped: list[str] = []
    for line in lines:
        current = ""
        for word in line.split():
            candidate = f"{current} {word}".strip()
            if current and font.getlength(candidate) > painter.px(width_mm):
                wrapped.append(current)
                current = word
            else:
                current = candidate
        wrapped.append(current)
    return tuple(wrapped)


def _draw_content(painter: _Painter, box: Box, lines: tuple[str, ...], font_path: Path, pt: float) -> None:
    area = box.content_rect
    width = area.w - 2 * CONTENT_PAD_MM
    line_mm = pt * 25.4 / 72 * 1.35
    font = painter.fitting_font(font_path, pt, MIN_CONTENT_PT, lines, width)
    wrapped = _wrap(painter, lines, font, width)
    max_lines = max(1, int((area.h - CONTENT_PAD_MM) // line_mm))
    if len(wrapped) > max_lines:
        wrapped = (*wrapped[:max_lines - 1], " ".join(wrapped[max_lines - 1:]))
    for i, line in enumerate(wrapped):
        painter.text(area.x + CONTENT_PAD_MM, area.y + 0.6 + i * line_mm, line, font)


def _draw_title(painter: _Painter, number: str) -> None:
    area = cmr_layout.TITLE_RECT
    painter.rect(area)
    small = painter.font(SANS, 6.5)
    for i, line in enumerate(
        (
            "INTERNATIONAL CONSIGNMENT NOTE",
            "МЕЖДУНАРОДНАЯ ТОВАРНО-ТРАНСПОРТНАЯ НАКЛАДНАЯ",
            "საერთაშორისო სატრანსპორტო ზედნადები",
        )
    ):
        painter.text(area.x + 2, area.y + 2 + i * 3.2, line, small)
    painter.text(area.x + 2, area.y + 13, "CMR", painter.font(SANS_BOLD, 26))
    painter.text(area.x + 45, area.y + 18, f"No {number}", painter.font(SANS_BOLD, 10))


def generate_cmr(seed: int, dpi: int = 300, *, hs_csv: Path = DEFAULT_HS_CSV) -> SynthPage:
    """Render the CMR for `seed` at `dpi`; the truth holds the four customs fields and every box's text.

    `hs_csv` supplies the goods descriptions; without it a built-in list is used, so a seed
    renders the same page only where the same HS file is present.
    """
    if dpi < 72:
        raise ValueError(f"dpi must be at least 72, got {dpi}")
    content = cmr_content(seed, hs_csv)
    painter = _Painter(dpi)
    _draw_title(painter, content["cmr_number"][0])
    for box in (*cmr_layout.BOXES, cmr_layout.VEHICLE_REG):
        painter.rect(box.rect)
        _draw_label(painter, box)
        lines = content.get(box.key, ())
        if box is cmr_layout.VEHICLE_REG:
            _draw_content(painter, box, lines, MONO, PLATE_PT)
        elif lines:
            _draw_content(painter, box, lines, SANS, CONTENT_PT)
    truth: dict[str, Any] = {
        "kind": "cmr",
        "seed": seed,
        "dpi": dpi,
        "fields": {
            "sender": ", ".join(content["sender"]),
            "consignee": ", ".join(content["consignee"]),
            "vehicle_plate": content["vehicle_reg"][0],
            "gross_weight_kg": "".join(ch for ch in content["gross_weight"][0] if ch.isdigit()),
        },
        "boxes": {key: ", ".join(lines) for key, lines in content.items()},
    }
    return SynthPage(painter.image, truth)
