"""Text as a 1-bit image, for scripts a receipt printer's code pages lack (Georgian, and Cyrillic on
printers without CP866): python-escpos would print them as '?', so we draw them with DejaVuSans.
"""

from __future__ import annotations

from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

FONT_DIR = "/usr/share/fonts/truetype/dejavu"
FONT_REGULAR, FONT_BOLD = f"{FONT_DIR}/DejaVuSans.ttf", f"{FONT_DIR}/DejaVuSans-Bold.ttf"
PAPER_DOTS = 512  # printable width of an 80 mm roll at 203 dpi on common printers
LINE_SPACING = 1.25


@lru_cache(maxsize=8)
def _font(bold: bool, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(FONT_BOLD if bold else FONT_REGULAR, size)


def needs_image(text: str) -> bool:
    """Whether `text` has characters a printer's default code page cannot print."""
    return not text.isascii()


def render_lines(
    lines: list[str], *, size: int = 24, bold: bool = False, center: bool = False, width: int = PAPER_DOTS
) -> Image.Image:
    """One black-on-white 1-bit image holding `lines`, `width` dots wide (long lines are clipped)."""
    font = _font(bold, size)
    step = int(size * LINE_SPACING)
    image = Image.new("1", (width, max(step * len(lines), 1)), 1)
    draw = ImageDraw.Draw(image)
    for index, line in enumerate(lines):
        x = 0
        if center:
            x = max((width - int(draw.textlength(line, font=font))) // 2, 0)
        draw.text((x, index * step), line, font=font, fill=0)
    return image
