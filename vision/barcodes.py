"""Find and decode every barcode on an image: zxing-cpp first, retries, then pyzbar for QR codes.

Why each step (measured by `bench/vision.py --part barcodes` on zxing-cpp's own samples):
- zxing-cpp in Plain text mode: the text is the symbol's content as encoded (GS1 separators kept),
  so what a code holds reaches the customs layer unchanged; `bytes_hex` carries the exact bytes.
- Retries run only when every pass before them found nothing, so a page with a code costs one
  pass: another binarizer for uneven light (GlobalHistogram), an upscaled copy of a small image
  (thin modules merge when small; an EAN/UPC found only there must be found again at another
  scale), a fixed threshold for clean, low-contrast prints.
- pyzbar is the last opinion, and only for QR codes, whose error correction makes a wrong read
  unlikely: on the samples, its EAN/UPC answers where zxing-cpp found nothing were wrong 3 times
  in 20, and a wrong code on a customs document is worse than asking the driver to rescan.
  (zbar hands QR content over as UTF-8, so a pyzbar code's bytes are that rendering.)
- A whole page (`LARGE_IMAGE_PIXELS` and more, e.g. A4 at 300 dpi) is read at half resolution,
  without zxing-cpp's own downscaled and inverted passes (a printed page needs neither): a
  printed 2D code's modules survive halving, at a fifth of the time. Thin bars of a Code128 on a
  skewed scan do not, so linear codes get one more pass at full resolution along the rows only
  (~5 ms: the page is already upright). A symbol seen at half resolution but not decoded is read
  again from its full-resolution surroundings. Small images (every benchmark sample) keep the
  full-resolution pass with every zxing-cpp option.
- `is_pure=True` is never used: zxing-cpp 3.1.1 aborts the process on some inputs in that mode.
- EAN/UPC add-ons (EAN-2/5) are ignored by default: customs codes do not carry them, and reading
  them everywhere turns stray digits next to plain EANs into false add-ons. A caller that needs
  them (a retail station) asks with `ean_add_on=EanAddOnSymbol.Require`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import zxingcpp
from pyzbar import pyzbar
from pyzbar.pyzbar import ZBarSymbol

from vision.images import load_gray_file

log = logging.getLogger(__name__)

MIN_PIXELS = 64
"""Images with fewer pixels are refused: the smallest symbols (an EAN-8 row of 67 modules, an 11x11
Micro QR) need more, and a 1x1 image is a broken upload, not a blank one."""

LARGE_IMAGE_PIXELS = 3_000_000
"""From this many pixels an image is read as a page: a half-resolution pass first (A4 at 200 dpi is 3.9 Mpx)."""
PAGE_SCALE = 0.5
MAX_SECOND_LOOKS = 4
"""Symbols seen but not decoded at half resolution that are read again at full resolution, at most."""

SMALL_IMAGE_PX = 400
"""Images whose shorter side is below this get an upscaled retry."""

RETAIL_FORMATS = frozenset({"EAN13", "EAN8", "UPCA", "UPCE"})
"""Guarded by a single check digit: these need a second look before a resampled read counts."""

_PYZBAR_FORMATS = {ZBarSymbol.QRCODE: "QRCode"}
"""pyzbar symbologies we trust as a second opinion, mapped to zxing-cpp's format names."""


@dataclass(frozen=True)
class Code:
    format: str
    """zxing-cpp's format name, e.g. 'QRCode', 'DataMatrix', 'PDF417', 'Code128', 'EAN13'."""
    text: str
    bytes_hex: str
    position: list[list[int]]
    """Corners in image pixels: top-left, top-right, bottom-right, bottom-left of the symbol."""
    reader: str
    """The pass that found it, e.g. 'zxing', 'zxing:upscaled', 'pyzbar' (for the benchmark)."""

    def to_dict(self) -> dict[str, Any]:
        return {"format": self.format, "text": self.text, "bytes_hex": self.bytes_hex, "position": self.position}


@dataclass(frozen=True)
class ReaderOptions:
    """What to look for. The defaults are the kiosk's one configuration."""

    formats: zxingcpp.BarcodeFormats | None = None
    """None: every symbology zxing-cpp reads."""
    ean_add_on: zxingcpp.EanAddOnSymbol = zxingcpp.EanAddOnSymbol.Ignore


def _corners(result: zxingcpp.Barcode) -> list[tuple[float, float]]:
    corners = result.position
    return [(p.x, p.y) for p in (corners.top_left, corners.top_right, corners.bottom_right, corners.bottom_left)]


def _code(result: zxingcpp.Barcode, reader: str, scale: float = 1.0, offset: tuple[int, int] = (0, 0)) -> Code:
    return Code(
        format=result.format.name,
        text=result.text,
        bytes_hex=result.bytes.hex(),
        position=[[round(x / scale) + offset[0], round(y / scale) + offset[1]] for x, y in _corners(result)],
        reader=reader,
    )


def _results(gray: np.ndarray, options: ReaderOptions, *, binarizer: zxingcpp.Binarizer, quick: bool = False,
             rotate: bool = True, errors: bool = False) -> list[zxingcpp.Barcode]:
    """zxing-cpp's answer; `quick` skips its downscaled and inverted passes (a printed page needs neither),
    `rotate=False` its search for linear codes running up and down."""
    kwargs: dict[str, Any] = {"formats": options.formats} if options.formats is not None else {}
    if quick:
        kwargs.update(try_downscale=False, try_invert=False)
    if not rotate:
        kwargs.update(try_rotate=False)
    return list(zxingcpp.read_barcodes(
        gray, text_mode=zxingcpp.TextMode.Plain, binarizer=binarizer, ean_add_on_symbol=options.ean_add_on,
        return_errors=errors, **kwargs,
    ))


def _zxing(gray: np.ndarray, options: ReaderOptions, reader: str, *, scale: float = 1.0,
           binarizer: zxingcpp.Binarizer = zxingcpp.Binarizer.LocalAverage) -> list[Code]:
    return [_code(result, reader, scale) for result in _results(gray, options, binarizer=binarizer)]


def _half(gray: np.ndarray) -> np.ndarray:
    return cv2.resize(gray, None, fx=PAGE_SCALE, fy=PAGE_SCALE, interpolation=cv2.INTER_AREA)


def _second_look(gray: np.ndarray, seen: zxingcpp.Barcode, options: ReaderOptions) -> list[Code]:
    """A symbol found but not decoded on the half-resolution copy, read from its full-resolution surroundings."""
    points = np.array(_corners(seen)) / PAGE_SCALE
    (x0, y0), (x1, y1) = points.min(axis=0), points.max(axis=0)
    margin = max(x1 - x0, y1 - y0) * 0.5 + 20
    left, top = max(0, int(x0 - margin)), max(0, int(y0 - margin))
    right, bottom = min(gray.shape[1], int(x1 + margin)), min(gray.shape[0], int(y1 + margin))
    if right - left < 8 or bottom - top < 8:
        return []
    crop = np.ascontiguousarray(gray[top:bottom, left:right])
    found = _results(crop, options, binarizer=zxingcpp.Binarizer.LocalAverage)
    return [_code(result, "zxing:full-resolution", offset=(left, top)) for result in found]


def _rows_linear(gray: np.ndarray, options: ReaderOptions) -> list[Code]:
    """Linear codes along the rows of an upright page at full resolution (the caller's formats if it chose)."""
    linear = ReaderOptions(options.formats or zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.AllLinear),
                           options.ean_add_on)
    found = _results(gray, linear, binarizer=zxingcpp.Binarizer.LocalAverage, quick=True, rotate=False)
    return [_code(result, "zxing:rows") for result in found]


def _page(gray: np.ndarray, options: ReaderOptions) -> list[Code]:
    """A whole page: a quick pass at half resolution, linear codes along the rows at full resolution,
    and a second look at what the first saw but could not decode."""
    found = _results(_half(gray), options, binarizer=zxingcpp.Binarizer.LocalAverage, quick=True, errors=True)
    codes = [_code(result, "zxing:half", PAGE_SCALE) for result in found if result.valid]
    codes.extend(_rows_linear(gray, options))
    for result in [result for result in found if not result.valid][:MAX_SECOND_LOOKS]:
        codes.extend(_second_look(gray, result, options))
    unique: dict[tuple[str, str], Code] = {}
    for code in codes:
        unique.setdefault((code.format, code.bytes_hex), code)
    return list(unique.values())


def _global_histogram(gray: np.ndarray, options: ReaderOptions) -> list[Code]:
    return _zxing(gray, options, "zxing:global-histogram", binarizer=zxingcpp.Binarizer.GlobalHistogram)


def _upscaled(gray: np.ndarray, options: ReaderOptions) -> list[Code]:
    """A 2x copy of a small image; an EAN/UPC found there must be found again at 1.5x.

    Resampling can forge bars, and a retail code's only guard is one mod-10 check digit: on the
    samples, one UPC-E read only at 2x was wrong, and the second scale caught it.
    """
    if min(gray.shape) >= SMALL_IMAGE_PX:
        return []
    big = cv2.resize(gray, None, fx=2.0, fy=2.0, interpolation=cv2.INTER_LINEAR)
    codes = _zxing(big, options, "zxing:upscaled", scale=2.0)
    if any(code.format in RETAIL_FORMATS for code in codes):
        other = cv2.resize(gray, None, fx=1.5, fy=1.5, interpolation=cv2.INTER_CUBIC)
        confirmed = {code.text for code in _zxing(other, options, "zxing:upscaled", scale=1.5)}
        codes = [code for code in codes if code.format not in RETAIL_FORMATS or code.text in confirmed]
    return codes


def _fixed_threshold(gray: np.ndarray, options: ReaderOptions) -> list[Code]:
    return _zxing(gray, options, "zxing:fixed-threshold", binarizer=zxingcpp.Binarizer.FixedThreshold)


def pyzbar_symbols(gray: np.ndarray, symbologies: list[ZBarSymbol] | None = None) -> list[pyzbar.Decoded]:
    """pyzbar's raw answer (every symbology it knows unless told), or nothing when it fails on its own output.

    pyzbar 0.1.9 raises `ValueError: 4294967295 is not a valid ZBarOrientation` when zbar reports
    an unknown orientation; that image then simply gets no second opinion.
    """
    try:
        return list(pyzbar.decode(gray, symbols=symbologies))
    except ValueError:
        log.warning("pyzbar failed on an image; no second opinion for it")
        return []


def _pyzbar(gray: np.ndarray, options: ReaderOptions) -> list[Code]:
    if options.formats is not None and zxingcpp.BarcodeFormat.QRCode not in options.formats:
        return []
    codes = []
    for symbol in pyzbar_symbols(gray, list(_PYZBAR_FORMATS)):
        x, y, w, h = symbol.rect
        codes.append(Code(
            format=_PYZBAR_FORMATS[ZBarSymbol[symbol.type]],
            text=symbol.data.decode("utf-8", errors="replace"),
            bytes_hex=symbol.data.hex(),
            position=[[x, y], [x + w, y], [x + w, y + h], [x, y + h]],
            reader="pyzbar",
        ))
    return codes


RETRIES: tuple[Callable[[np.ndarray, ReaderOptions], list[Code]], ...] = (
    _global_histogram, _upscaled, _fixed_threshold, _pyzbar,
)
"""Tried in this order, each only when everything before it found nothing."""


def read_codes(gray: np.ndarray, options: ReaderOptions | None = None, *, retries: bool = True) -> list[Code]:
    """Every code on an 8-bit grayscale image (see `vision.images.load_gray`).

    `retries=False` stops after the first pass: the page pipeline's budget, where a page without
    any code would otherwise pay for every retry.
    A page-sized image (`LARGE_IMAGE_PIXELS`) is read at half resolution first; its retries start
    with the full-resolution pass every smaller image gets.
    """
    options = options or ReaderOptions()
    large = gray.size >= LARGE_IMAGE_PIXELS
    codes = _page(gray, options) if large else _zxing(gray, options, "zxing")
    for retry in ((_full_resolution, *RETRIES) if large else RETRIES) if retries else ():
        if codes:
            break
        codes = retry(gray, options)
    return codes


def _full_resolution(gray: np.ndarray, options: ReaderOptions) -> list[Code]:
    return _zxing(gray, options, "zxing")


def read_codes_file(path: Path, options: ReaderOptions | None = None) -> list[Code]:
    """`read_codes` for an image file; raises `vision.images.UnreadableImage` for bad input."""
    return read_codes(load_gray_file(path, min_side=1, min_pixels=MIN_PIXELS), options)


IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".webp", ".tif", ".tiff", ".bmp", ".gif"})


def image_files(paths: list[Path]) -> Iterator[Path]:
    """The files named, and the images under the directories named (recursively, in sorted order).

    A file named explicitly is always yielded, whatever its suffix: its reader says if it is bad.
    """
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
        else:
            yield path
