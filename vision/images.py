"""Decode an untrusted image into an 8-bit grayscale array, refusing what would hurt the box.

Every reader in `vision` (the page pipeline, the barcode reader) takes its pixels from here, so a
zero-byte file, a truncated JPEG, garbage, or a header claiming 30000x30000 pixels fails the same
way everywhere: with `UnreadableImage`, before anything large is allocated.
"""

from __future__ import annotations

import io
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, UnidentifiedImageError

MAX_PIXELS = 60_000_000
"""Refused above this (an A4 page at 600 dpi is 35 MP): a hostile header must not exhaust memory."""

MAX_FILE_BYTES = 64 * 1024 * 1024
"""Files larger than this are refused before they are read (a 600 dpi page scan is far smaller)."""


class UnreadableImage(ValueError):
    """The input is not an image we can read; the message says why, never what the page holds."""


def load_gray(image: bytes | np.ndarray | Image.Image, *, min_side: int = 100, min_pixels: int = 0) -> np.ndarray:
    """Any accepted input as an 8-bit grayscale array, with the size checked before decoding.

    `min_side` and `min_pixels` say what is too small to hold anything worth reading: a page needs
    100 pixels each way, while a barcode image may be a single row of pixels.
    """
    if isinstance(image, np.ndarray):
        array = _gray_array(image)
    else:
        if isinstance(image, bytes):
            if not image:
                raise UnreadableImage("empty input")
            try:
                image = Image.open(io.BytesIO(image))
            except UnidentifiedImageError:
                raise UnreadableImage("not an image format we can read") from None
            except Image.DecompressionBombError:
                raise UnreadableImage(f"image is larger than {MAX_PIXELS} pixels") from None
        width, height = image.size
        if width * height > MAX_PIXELS:
            raise UnreadableImage(f"image of {width}x{height} pixels is larger than {MAX_PIXELS} pixels")
        try:
            array = np.asarray(image.convert("L"))
        except (OSError, ValueError, SyntaxError) as exc:
            raise UnreadableImage(f"image data is damaged: {exc}") from None
    if array.ndim != 2 or min(array.shape) < min_side or array.size < min_pixels:
        raise UnreadableImage(f"image of shape {array.shape} is too small to read")
    return np.ascontiguousarray(array, dtype=np.uint8)


def _gray_array(array: np.ndarray) -> np.ndarray:
    """An 8-bit array as grayscale: (H, W), or (H, W, 1|3|4) taken as grey, RGB or RGBA (alpha ignored, as
    PIL's "L" does). Anything else is refused rather than cast: a float or 16-bit page would wrap silently."""
    if array.dtype != np.uint8:
        raise UnreadableImage(f"image array of type {array.dtype} is not 8-bit")
    if array.size == 0:
        raise UnreadableImage(f"image of shape {array.shape} is too small to read")
    channels = array.shape[2] if array.ndim == 3 else None
    if channels == 1:
        return array[:, :, 0]
    if channels in (3, 4):
        return cv2.cvtColor(array, cv2.COLOR_RGB2GRAY if channels == 3 else cv2.COLOR_RGBA2GRAY)
    if array.ndim != 2:
        raise UnreadableImage(f"image array of shape {array.shape} is neither grey, RGB nor RGBA")
    return array


def load_gray_file(
    path: Path, *, min_side: int = 100, min_pixels: int = 0, max_bytes: int = MAX_FILE_BYTES
) -> np.ndarray:
    """`load_gray` for a file, refusing a file over `max_bytes` before reading it into memory."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise UnreadableImage(f"file of {size} bytes is larger than {max_bytes} bytes")
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableImage(f"cannot read the file: {exc.strerror or exc}") from None
    return load_gray(data, min_side=min_side, min_pixels=min_pixels)


def shrink(gray: np.ndarray, longest: int) -> np.ndarray:
    """A copy whose longer side is at most `longest`, averaged over the pixels it covers (INTER_AREA).

    Halved first while that still leaves at least `longest`: OpenCV averages by an integer factor
    ~10x faster than by an arbitrary one, and the final step from a halved copy is small.
    """
    while max(gray.shape) >= 2 * longest:
        gray = cv2.resize(gray, (gray.shape[1] // 2, gray.shape[0] // 2), interpolation=cv2.INTER_AREA)
    scale = longest / max(gray.shape)
    if scale >= 1:
        return gray
    size = (max(1, round(gray.shape[1] * scale)), max(1, round(gray.shape[0] * scale)))
    return cv2.resize(gray, size, interpolation=cv2.INTER_AREA)
