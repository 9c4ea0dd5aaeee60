"""What is put on a page besides printed text: stamps, signatures, QR codes and Code128 barcodes.

Each is recorded on the canvas (`codes` with the exact encoded text, `marks` with the kind of mark)
with its pixel box, so a reader's barcode results and a quality gate's stamp tolerance can be
checked against the truth.
"""

from __future__ import annotations

import math
import random

import numpy as np
import segno
import zxingcpp
from PIL import Image, ImageDraw

from vision.synth import fonts
from vision.synth.canvas import PEN, Canvas, union

STAMP_INKS = ((40, 60, 170), (120, 40, 140), (170, 30, 40))
"""Blue, violet and red: the inks of rubber stamps."""


def qr(canvas: Canvas, x_mm: float, y_mm: float, text: str, *, module_mm: float = 0.5) -> None:
    """A QR code (error level M) with its top-left corner at the point, quiet zone included."""
    matrix = segno.make_qr(text, error="m").matrix
    modules = np.array(matrix, dtype=bool)
    scale = max(1, canvas.px(module_mm))
    border = 4
    size = (modules.shape[0] + 2 * border) * scale
    pixels = np.full((size, size), 255, dtype=np.uint8)
    dark = np.kron(modules, np.ones((scale, scale), dtype=bool))
    pixels[border * scale:border * scale + dark.shape[0], border * scale:border * scale + dark.shape[1]][dark] = 0
    box = _print_dark(canvas, pixels, x_mm, y_mm)
    canvas.codes.append({"format": "QRCode", "text": text, "box": list(box)})


def code128(canvas: Canvas, x_mm: float, y_mm: float, text: str, *, height_mm: float = 10.0,
            module_mm: float = 0.3) -> None:
    """A Code128 barcode (quiet zones of 10 modules) with its top-left corner at the point."""
    symbol = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.Code128)
    row = np.asarray(zxingcpp.write_barcode_to_image(symbol, scale=1, add_quiet_zones=True))[0]
    scale = max(1, canvas.px(module_mm))
    height = canvas.px(height_mm)
    pixels = np.repeat(np.repeat(row[np.newaxis, :], height, axis=0), scale, axis=1)
    box = _print_dark(canvas, pixels.astype(np.uint8), x_mm, y_mm)
    canvas.codes.append({"format": "Code128", "text": text, "box": list(box)})


def _print_dark(canvas: Canvas, pixels: np.ndarray, x_mm: float, y_mm: float) -> tuple[int, int, int, int]:
    """Print the dark modules only, so the paper's shade shows through the light ones and the quiet zone."""
    ink = Image.fromarray(np.where(pixels < 128, 255, 0).astype(np.uint8))
    return canvas.paste(Image.new("RGB", ink.size, (0, 0, 0)), x_mm, y_mm, ink)


def signature(canvas: Canvas, x_mm: float, y_mm: float, w_mm: float, h_mm: float) -> None:
    """A signature in pen ink, in one of three hands: looped, a jagged scrawl, or written initials."""
    style = canvas.rng.choice(("loops", "scrawl", "initials"))
    if style == "initials":
        box = _initials(canvas, x_mm, y_mm, w_mm, h_mm)
    else:
        strokes = _loops(canvas.rng, style == "scrawl")
        box = _draw_strokes(canvas, strokes, x_mm, y_mm, w_mm, h_mm)
    canvas.marks.append({"type": "signature", "style": style, "box": list(box)})


def _loops(rng: random.Random, jagged: bool) -> list[np.ndarray]:
    """Strokes in a unit box: a decaying loop train, or a smoothed random walk split in two or three."""
    n = 80
    xs = np.linspace(0, 1, n)
    if not jagged:
        phase, loops = rng.uniform(0, math.tau), rng.uniform(3, 7)
        ys = 0.5 + 0.35 * np.sin(xs * loops * math.tau + phase) * np.exp(-xs * rng.uniform(0.5, 1.5))
        xs = xs + 0.04 * np.cos(xs * loops * math.tau + phase)
        return [np.column_stack([xs, ys])]
    steps = np.array([rng.uniform(-0.35, 0.35) for _ in range(n)])
    ys = 0.5 + np.convolve(np.cumsum(steps) * 0.25, np.ones(3) / 3, mode="same")
    ys = (ys - ys.min()) / max(float(np.ptp(ys)), 1e-6) * 0.8 + 0.1
    cuts = sorted(rng.sample(range(10, n - 10), rng.randint(1, 2)))
    return [part for part in np.split(np.column_stack([xs, ys]), cuts) if len(part) > 1]


def _draw_strokes(canvas: Canvas, strokes: list[np.ndarray], x_mm: float, y_mm: float, w_mm: float,
                  h_mm: float) -> tuple[int, int, int, int]:
    width = max(1, canvas.px(canvas.rng.uniform(0.25, 0.45)))
    boxes = []
    for stroke in strokes:
        points = [(canvas.px(x_mm + float(px) * w_mm), canvas.px(y_mm + float(py) * h_mm)) for px, py in stroke]
        canvas.draw.line(points, fill=PEN, width=width, joint="curve")
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        boxes.append((min(xs), min(ys), max(xs) + 1, max(ys) + 1))
    return union(boxes)


def _initials(canvas: Canvas, x_mm: float, y_mm: float, w_mm: float, h_mm: float) -> tuple[int, int, int, int]:
    """Two capitals and a few letters in the script face, underlined with a flourish."""
    rng = canvas.rng
    letters = "ABDEGKLMNPRSTV"
    text = f"{rng.choice(letters)}.{rng.choice(letters)}{''.join(rng.choice('aeilmnorstu') for _ in range(4))}"
    box = canvas.handwrite(x_mm, y_mm, text, max(8.0, h_mm * 1.6))
    flourish = _draw_strokes(canvas, [np.array([[0.0, 0.9], [0.4, 0.8], [0.8, 0.95], [1.0, 0.7]])], x_mm,
                             y_mm, w_mm, h_mm)
    return union([b for b in (box, flourish) if b is not None])


def stamp(canvas: Canvas, cx_mm: float, cy_mm: float, ring_text: str, centre_text: str, *,
          diameter_mm: float = 32.0) -> None:
    """A round rubber stamp: text around the ring, a line in the centre, patchy ink, a slight tilt."""
    rng = canvas.rng
    size = canvas.px(diameter_mm)
    mask = Image.new("L", (size, size), 0)
    pen = ImageDraw.Draw(mask)
    line = max(2, canvas.px(0.5))
    pen.ellipse((line, line, size - line, size - line), outline=255, width=line)
    inner = canvas.px(diameter_mm * 0.16)
    pen.ellipse((inner, inner, size - inner, size - inner), outline=255, width=max(1, line // 2))
    ring_px = max(6, round(size * 0.085))
    radius = size / 2 - line * 2 - ring_px * 0.65
    ring = f"{ring_text} * "
    font = fonts.load(fonts.fallback_for(canvas.family.bold), ring_px)
    step = math.tau / max(len(ring), 1)
    for i, char in enumerate(ring):
        angle = -math.pi / 2 + i * step
        glyph = Image.new("L", (ring_px * 2, ring_px * 2), 0)
        ImageDraw.Draw(glyph).text((ring_px, ring_px), char, fill=255, font=font, anchor="mm")
        glyph = glyph.rotate(-math.degrees(angle) - 90, resample=Image.Resampling.BILINEAR)
        gx = size / 2 + radius * math.cos(angle) - ring_px
        gy = size / 2 + radius * math.sin(angle) - ring_px
        mask.paste(255, (round(gx), round(gy)), glyph)
    centre_font = fonts.load(fonts.fallback_for(canvas.family.bold), max(6, round(size * 0.09)))
    pen.text((size / 2, size / 2), centre_text, fill=255, font=centre_font, anchor="mm")
    mask = mask.rotate(rng.uniform(-25, 25), resample=Image.Resampling.BILINEAR)
    patchy = np.asarray(mask, dtype=np.float32) * _patchiness(rng.randrange(2**31), size, rng.uniform(0.55, 0.85))
    alpha = Image.fromarray(np.clip(patchy, 0, 255).astype(np.uint8))
    ink = Image.new("RGB", (size, size), rng.choice(STAMP_INKS))
    box = canvas.paste(ink, cx_mm - diameter_mm / 2, cy_mm - diameter_mm / 2, alpha)
    canvas.marks.append({"type": "stamp", "box": list(box), "text": ring_text})


def _patchiness(seed: int, size: int, strength: float) -> np.ndarray:
    """Uneven ink coverage: smooth noise between `strength` and 1, upsampled from a coarse grid."""
    coarse = np.random.default_rng(seed).uniform(strength, 1.0, (8, 8)).astype(np.float32)
    return np.asarray(Image.fromarray(coarse).resize((size, size), Image.Resampling.BICUBIC), dtype=np.float32)
