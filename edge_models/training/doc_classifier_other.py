"""Pages that are none of the customs kinds (`other`), rendered from ordinary text found on the system.

The classifier must say `other` for whatever else lands on the scanner: letters, articles, forms,
tables, notices, slides, notes. Their words come from the licence texts and package copyright files
every Debian box carries (/usr/share/common-licenses, /usr/share/doc); layouts and fonts are drawn
from a generator seeded per page, so a page is fixed by its seed and never stored.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

TEXT_DIRS = (Path("/usr/share/common-licenses"),)
COPYRIGHT_GLOB = "/usr/share/doc/*/copyright"
FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/opentype/urw-base35"))
STYLES = ("letter", "article", "form", "table", "notice", "slide", "note", "list", "sparse")
STYLE_WEIGHTS = (2, 2, 3, 4, 1, 1, 1, 1, 1)
"""Forms and tables are the pages most like the customs kinds, so they are drawn most often."""
A4_MM = (210.0, 297.0)

Font = ImageFont.FreeTypeFont


@functools.cache
def _texts() -> tuple[str, ...]:
    """Paragraph-sized chunks of plain text, in a fixed order."""
    files = sorted(p for d in TEXT_DIRS for p in d.glob("*") if p.is_file())
    files += sorted(Path("/").glob(COPYRIGHT_GLOB.lstrip("/")))[:300]
    chunks: list[str] = []
    for path in files:
        try:
            text = path.read_text(encoding="utf-8", errors="ignore")
        except OSError:
            continue
        for block in text.split("\n\n"):
            words = block.split()
            if len(words) >= 8:
                chunks.append(" ".join(words))
    if not chunks:
        raise FileNotFoundError("no text found under /usr/share/common-licenses or /usr/share/doc")
    return tuple(chunks)


@functools.cache
def _font_files() -> tuple[Path, ...]:
    files = sorted(p for d in FONT_DIRS for p in d.glob("*") if p.suffix in {".ttf", ".otf"} and "Mono" not in p.name)
    if not files:
        raise FileNotFoundError("no fonts under /usr/share/fonts (DejaVu, URW base35)")
    return tuple(files)


@functools.cache
def _font(path: Path, size: int) -> Font:
    return ImageFont.truetype(str(path), size)


class _Page:
    """A blank sheet with a cursor, fonts and words drawn from one seeded generator."""

    def __init__(self, rng: random.Random, size_mm: tuple[float, float], dpi: int) -> None:
        self.rng = rng
        self.px_per_mm = dpi / 25.4
        self.width, self.height = (round(v * self.px_per_mm) for v in size_mm)
        shade = rng.choice((255, 255, 252, 247))
        self.image = Image.new("L", (self.width, self.height), shade)
        self.draw = ImageDraw.Draw(self.image)
        self.face = rng.choice(_font_files())
        self.bold = rng.choice(_font_files())
        self.margin = self.mm(rng.uniform(12, 30))
        self.y = self.margin

    def mm(self, value: float) -> int:
        return round(value * self.px_per_mm)

    def font(self, points: float, bold: bool = False) -> Font:
        return _font(self.bold if bold else self.face, max(6, round(points * self.px_per_mm * 0.3528)))

    def words(self, count: int) -> str:
        chunk = self.rng.choice(_texts()).split()
        start = self.rng.randrange(max(1, len(chunk) - count))
        return " ".join(chunk[start:start + count])

    def paragraph(self, x0: int, x1: int, points: float, lines: int, ink: int = 20) -> None:
        font = self.font(points)
        line_height = round(font.size * self.rng.uniform(1.15, 1.6))
        words = self.words(lines * 14).split()
        line = ""
        drawn = 0
        for word in words:
            trial = f"{line} {word}".strip()
            if self.draw.textlength(trial, font=font) > x1 - x0 and line:
                self.draw.text((x0, self.y), line, font=font, fill=ink)
                self.y += line_height
                drawn += 1
                line = word
                if drawn >= lines or self.y > self.height - self.margin - line_height:
                    return
            else:
                line = trial
        if line:
            self.draw.text((x0, self.y), line, font=font, fill=ink)
            self.y += line_height

    def heading(self, points: float, words: int, centred: bool = False) -> None:
        font = self.font(points, bold=True)
        text = self.words(words).title()
        while self.draw.textlength(text, font=font) > self.width - 2 * self.margin and " " in text:
            text = text.rsplit(" ", 1)[0]
        x = (self.width - self.draw.textlength(text, font=font)) / 2 if centred else self.margin
        self.draw.text((x, self.y), text, font=font, fill=10)
        self.y += round(font.size * 1.8)


def _letter(page: _Page) -> None:
    for _ in range(page.rng.randint(3, 5)):
        page.paragraph(page.margin, page.width // 2, 10, 1)
    page.y += page.mm(10)
    page.paragraph(page.width // 2, page.width - page.margin, 10, 1)
    page.y += page.mm(8)
    while page.y < page.height * page.rng.uniform(0.6, 0.85):
        page.paragraph(page.margin, page.width - page.margin, page.rng.uniform(9, 12), page.rng.randint(3, 8))
        page.y += page.mm(4)
    page.y += page.mm(6)
    page.paragraph(page.margin, page.width // 2, 10, 2)


def _article(page: _Page) -> None:
    page.heading(page.rng.uniform(16, 28), page.rng.randint(2, 6), centred=page.rng.random() < 0.5)
    columns = page.rng.choice((1, 2, 2, 3))
    gap = page.mm(6)
    width = (page.width - 2 * page.margin - (columns - 1) * gap) // columns
    top = page.y
    for column in range(columns):
        page.y = top
        x0 = page.margin + column * (width + gap)
        while page.y < page.height - page.margin - page.mm(20):
            page.paragraph(x0, x0 + width, page.rng.uniform(8, 11), page.rng.randint(4, 12))
            page.y += page.mm(3)


def _form(page: _Page) -> None:
    page.heading(page.rng.uniform(14, 20), page.rng.randint(2, 4))
    font = page.font(page.rng.uniform(9, 11))
    while page.y < page.height - page.margin - page.mm(15):
        label = page.words(page.rng.randint(1, 4)) + ":"
        page.draw.text((page.margin, page.y), label, font=font, fill=20)
        x = page.margin + page.draw.textlength(label, font=font) + page.mm(3)
        if page.rng.random() < 0.3:
            for i in range(page.rng.randint(2, 4)):
                bx = round(x + i * page.mm(30))
                page.draw.rectangle((bx, page.y, bx + font.size, page.y + font.size), outline=30, width=2)
                page.draw.text((bx + font.size * 1.5, page.y), page.words(1), font=font, fill=20)
        else:
            baseline = page.y + font.size
            page.draw.line((x, baseline, page.width - page.margin, baseline), fill=60, width=1)
        page.y += round(font.size * page.rng.uniform(2.0, 3.2))


def _table(page: _Page) -> None:
    page.heading(page.rng.uniform(12, 20), page.rng.randint(2, 5))
    if page.rng.random() < 0.5:  # two address-like blocks above the table, as many business tables have
        top = page.y
        page.paragraph(page.margin, page.width // 2 - page.mm(5), 9, page.rng.randint(2, 5))
        left_bottom, page.y = page.y, top
        page.paragraph(page.width // 2, page.width - page.margin, 9, page.rng.randint(2, 5))
        page.y = max(left_bottom, page.y) + page.mm(6)
    columns = page.rng.randint(2, 7)
    rows = page.rng.randint(6, 40)
    font = page.font(page.rng.uniform(7, 10))
    row_height = round(font.size * page.rng.uniform(1.4, 2.0))
    width = (page.width - 2 * page.margin) // columns
    ruled = page.rng.random() < 0.5
    for row in range(rows):
        if page.y > page.height - page.margin - row_height:
            break
        for column in range(columns):
            x = page.margin + column * width
            cell = f"{page.rng.randint(0, 9999)}" if column and page.rng.random() < 0.6 else page.words(2)
            page.draw.text((x + 4, page.y + 2), cell[:18], font=page.font(9, bold=row == 0) if row == 0 else font,
                           fill=20)
            if ruled:
                page.draw.rectangle((x, page.y, x + width, page.y + row_height), outline=80)
        page.y += row_height
    page.y += page.mm(8)
    page.paragraph(page.margin, page.width - page.margin, 9, page.rng.randint(0, 6))


def _notice(page: _Page) -> None:
    page.y = round(page.height * page.rng.uniform(0.08, 0.3))
    page.heading(page.rng.uniform(28, 48), page.rng.randint(1, 3), centred=True)
    page.y += page.mm(10)
    inset = page.mm(page.rng.uniform(10, 30))
    page.paragraph(page.margin + inset, page.width - page.margin - inset, page.rng.uniform(12, 18),
                   page.rng.randint(3, 12))


def _slide(page: _Page) -> None:
    page.heading(page.rng.uniform(24, 40), page.rng.randint(2, 5))
    font = page.font(page.rng.uniform(14, 22))
    for _ in range(page.rng.randint(3, 7)):
        page.draw.ellipse((page.margin, page.y + font.size // 3, page.margin + font.size // 2,
                           page.y + font.size // 3 + font.size // 2), fill=30)
        page.draw.text((page.margin + font.size, page.y), page.words(page.rng.randint(3, 7)), font=font, fill=20)
        page.y += round(font.size * 1.8)


def _note(page: _Page) -> None:
    page.paragraph(page.margin, page.width - page.margin, page.rng.uniform(9, 14), page.rng.randint(2, 10))


def _list(page: _Page) -> None:
    page.heading(page.rng.uniform(14, 22), page.rng.randint(2, 4))
    font = page.font(page.rng.uniform(9, 12))
    number = 1
    while page.y < page.height - page.margin - font.size * 2:
        page.draw.text((page.margin, page.y), f"{number}.", font=font, fill=20)
        page.draw.text((page.margin + font.size * 2, page.y), page.words(page.rng.randint(3, 10)), font=font, fill=20)
        page.y += round(font.size * page.rng.uniform(1.4, 2.4))
        number += 1


def _sparse(page: _Page) -> None:
    page.y = round(page.height * page.rng.uniform(0.05, 0.7))
    page.paragraph(page.margin, page.width - page.margin, page.rng.uniform(9, 14), page.rng.randint(1, 4))


DRAW: dict[str, Callable[[_Page], None]] = {
    "letter": _letter, "article": _article, "form": _form, "table": _table, "notice": _notice,
    "slide": _slide, "note": _note, "list": _list, "sparse": _sparse,
}


def page_size(style: str, rng: random.Random) -> tuple[float, float]:
    """A4 portrait mostly; slides landscape; notes on cards or half sheets of either orientation."""
    if style == "slide":
        return (297.0, 210.0) if rng.random() < 0.7 else (254.0, 143.0)
    if style == "note":
        width, height = rng.choice(((148.0, 105.0), (127.0, 76.0), (105.0, 148.0), (210.0, 148.0), (86.0, 54.0)))
        return width, height
    return A4_MM if rng.random() < 0.85 else (297.0, 210.0)


def render_other(seed: int, dpi: int = 150, style: str | None = None) -> Image.Image:
    """One non-customs page for `seed`, as an RGB image, of a style drawn by STYLE_WEIGHTS or the given one.

    A given style seeds its own generator, so forcing one never repeats the page a mixed seed draws.
    """
    if style is None:
        rng = random.Random(f"other:{seed}")
        style = rng.choices(STYLES, weights=STYLE_WEIGHTS)[0]
    else:
        rng = random.Random(f"other:{style}:{seed}")
    page = _Page(rng, page_size(style, rng), dpi)
    DRAW[style](page)
    return page.image.convert("RGB")
