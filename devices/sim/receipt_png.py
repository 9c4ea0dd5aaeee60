"""Draws a printed receipt as a PNG from the simulator's ESC/POS events, so a test (or a technician)
can see what came out: text with its styles, raster images, QR codes and 1D barcodes as real symbols
that a decoder (zxing-cpp) reads back.
"""

from __future__ import annotations

import io

import numpy as np
import zxingcpp
from PIL import Image, ImageDraw, ImageFont, ImageOps

from devices.sim.escpos_parser import EscposEvent, TextStyle
from devices.text_image import FONT_DIR

PAPER_DOTS = 576  # 80 mm at 203 dpi
LINE_DOTS = 30  # font A is 12x24 dots plus spacing
FONT_A = f"{FONT_DIR}/DejaVuSansMono.ttf"
FONT_A_BOLD = f"{FONT_DIR}/DejaVuSansMono-Bold.ttf"
BARCODE_FORMATS = {
    2: zxingcpp.BarcodeFormat.EAN13, 67: zxingcpp.BarcodeFormat.EAN13,
    4: zxingcpp.BarcodeFormat.Code39, 69: zxingcpp.BarcodeFormat.Code39,
    73: zxingcpp.BarcodeFormat.Code128,
}
BARCODE_HEIGHT = 80
CODE128 = 73


class _Paper:
    """The receipt being drawn: finished blocks (lines, images, codes) and the text line in progress."""

    def __init__(self) -> None:
        self.blocks: list[Image.Image] = []
        self.line: list[tuple[str, TextStyle]] = []

    def end_line(self, blank_if_empty: bool) -> None:
        if not self.line:
            if blank_if_empty:
                self.blocks.append(Image.new("L", (PAPER_DOTS, LINE_DOTS), 255))
            return
        scale = max(style.height for _, style in self.line)
        block = Image.new("L", (PAPER_DOTS, LINE_DOTS * scale), 255)
        pieces = [_draw_text(text, style) for text, style in self.line]
        total = sum(piece.width for piece in pieces)
        align = self.line[0][1].align
        x = {"center": (PAPER_DOTS - total) // 2, "right": PAPER_DOTS - total}.get(align, 0)
        for piece in pieces:
            block.paste(piece, (max(x, 0), block.height - piece.height))
            x += piece.width
        self.blocks.append(block)
        self.line.clear()

    def add_block(self, image: Image.Image, align: str) -> None:
        self.end_line(False)
        image = image.convert("L")
        block = Image.new("L", (PAPER_DOTS, image.height), 255)
        x = {"center": (PAPER_DOTS - image.width) // 2, "right": PAPER_DOTS - image.width}.get(align, 0)
        block.paste(image, (max(x, 0), 0))
        self.blocks.append(block)


def _draw_text(text: str, style: TextStyle) -> Image.Image:
    font = ImageFont.truetype(FONT_A_BOLD if style.bold else FONT_A, 20)
    width = max(int(font.getlength(text)), 1)
    image = Image.new("L", (width, LINE_DOTS), 255)
    draw = ImageDraw.Draw(image)
    draw.text((0, 3), text, font=font, fill=0)
    if style.underline:
        draw.line([(0, LINE_DOTS - 2), (width, LINE_DOTS - 2)], fill=0, width=style.underline)
    if style.invert:
        image = ImageOps.invert(image)
    if style.width > 1 or style.height > 1:
        image = image.resize((width * style.width, LINE_DOTS * style.height), Image.Resampling.NEAREST)
    return image


def _raster(event: EscposEvent) -> Image.Image:
    width, height = int(str(event.data["width"])), int(str(event.data["height"]))
    raster = event.data["raster"]
    assert isinstance(raster, bytes)
    bits = np.unpackbits(np.frombuffer(raster, dtype=np.uint8))
    pixels = np.where(bits[: width * height].reshape(height, width), 0, 255).astype(np.uint8)
    return Image.fromarray(pixels, mode="L")


def _symbol(payload: str, symbology: zxingcpp.BarcodeFormat, scale: int, ec: str | None) -> Image.Image:
    options = {"ec_level": ec} if ec else {}
    barcode = zxingcpp.create_barcode(payload, symbology, **options)
    image = Image.fromarray(np.asarray(barcode.to_image(scale=scale)), mode="L")
    if symbology != zxingcpp.BarcodeFormat.QRCode:
        image = image.resize((image.width, BARCODE_HEIGHT), Image.Resampling.NEAREST)
    return image


def render_png(events: list[EscposEvent]) -> bytes:
    """PNG bytes of the paper these events printed (one receipt, as `PrintedReceipt.events`)."""
    paper = _Paper()
    style = TextStyle()
    for event in events:
        if event.kind == "style":
            new_style = event.data["style"]
            assert isinstance(new_style, TextStyle)
            style = new_style
        elif event.kind == "init":
            style = TextStyle()
            paper.line.clear()
        elif event.kind == "text":
            paper.line.append((str(event.data["text"]), style))
        elif event.kind == "feed":
            for _ in range(int(str(event.data.get("lines", 1)))):
                paper.end_line(True)
        elif event.kind == "image" and "raster" in event.data:
            paper.add_block(_raster(event), style.align)
        elif event.kind == "qr":
            size = int(str(event.data["module_size"]))
            paper.add_block(_symbol(str(event.data["payload"]), zxingcpp.BarcodeFormat.QRCode, size,
                                    str(event.data["ec"])), style.align)
        elif event.kind == "barcode":
            number, data = int(str(event.data["symbology"])), str(event.data["data"])
            if number == CODE128:
                data = data[2:] if data[:2] in ("{A", "{B", "{C") else data  # the code set selector
            symbology = BARCODE_FORMATS.get(number, zxingcpp.BarcodeFormat.Code128)
            paper.add_block(_symbol(data, symbology, 2, None), style.align)
    paper.end_line(False)
    height = sum(block.height for block in paper.blocks) or 1
    sheet = Image.new("L", (PAPER_DOTS, height + 2 * LINE_DOTS), 255)
    y = LINE_DOTS
    for block in paper.blocks:
        sheet.paste(block, (0, y))
        y += block.height
    out = io.BytesIO()
    sheet.save(out, format="PNG")
    return out.getvalue()
