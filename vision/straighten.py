"""Straightening: find the page in a camera frame, undo its perspective, then fix orientation and skew.

All three work on ink found by a cheap binarisation of a copy `WORK_WIDTH` pixels wide; only the
final warp or rotation touches the full-resolution image, once.
- Page detection: the largest bright four-cornered region that is clearly smaller than the frame
  (a scan, where the page is the frame, is left alone) is warped to a rectangle; a page whose
  sides are in A4's ratio becomes exactly A4-shaped, which the zonal reader's geometry assumes.
- Orientation, sideways or not: printed lines make the row profile of ink spiky when the page is
  upright or upside down and flat when it lies on its side.
- Deskew (within +-`MAX_SKEW_DEG`): the angle whose projection of ink rows is spikiest.
- Upright or upside down, on the level page: the ascenders of Latin and Cyrillic print rise above
  a line's x-height far more often than descenders drop below its baseline. Ascenders are a few
  pixels tall, so this test reads a larger copy (`BALANCE_SIZE`): at `WORK_WIDTH` a form's small
  print blurs into its line cores and upright invoices scored as upside down. Where that balance
  is weak (capitals, a patterned background), Tesseract's orientation detection (`--psm 0`,
  ~0.5 s) decides.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
import pytesseract

os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # see vision.ocr_tesseract

WORK_WIDTH = 1000
BALANCE_SIZE = 2400
"""Longer side of the copy whose ascenders tell upright from upside down."""
MAX_SKEW_DEG = 5.0
MIN_PAGE_AREA = 0.15
"""A quadrilateral under this share of the frame is not the page (a sticker, a stamp)."""
MAX_PAGE_AREA = 0.92
"""A quadrilateral over this share is the frame's own edge: nothing to correct."""
A4_RATIO = 297 / 210
A4_TOLERANCE = 0.08
SURE_BALANCE = 0.05
"""Below this ascender balance the page's way up is left to Tesseract's orientation detection."""
MAX_INK_POINTS = 40_000
"""Ink pixels sampled for the skew search: enough for 0.1 degree, few enough for milliseconds."""


@dataclass(frozen=True)
class Straightened:
    image: np.ndarray
    page_found: bool
    """A page was found inside a larger frame and its perspective undone."""
    rotation: int
    """Degrees (0, 90, 180, 270) the image was turned clockwise to be upright."""
    skew: float
    """Degrees the image was turned counter-clockwise to level its lines."""
    elapsed_ms: float

    def to_dict(self) -> dict[str, Any]:
        return {"page_found": self.page_found, "rotation": self.rotation, "skew": round(self.skew, 2)}


def _small(gray: np.ndarray, longest: int = WORK_WIDTH) -> tuple[np.ndarray, float]:
    scale = min(1.0, longest / max(gray.shape))
    if scale == 1.0:
        return gray, 1.0
    size = (max(1, round(gray.shape[1] * scale)), max(1, round(gray.shape[0] * scale)))
    return cv2.resize(gray, size, interpolation=cv2.INTER_AREA), scale


def _ink(gray: np.ndarray) -> np.ndarray:
    """Ink as 1, paper as 0 (adaptive, so uneven light does not turn paper into ink)."""
    binary = cv2.adaptiveThreshold(gray, 1, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 15)
    return binary


def _order_corners(points: np.ndarray) -> np.ndarray:
    """top-left, top-right, bottom-right, bottom-left."""
    sums = points.sum(axis=1)
    diffs = np.diff(points, axis=1).ravel()
    return np.array(
        [points[np.argmin(sums)], points[np.argmin(diffs)], points[np.argmax(sums)], points[np.argmax(diffs)]],
        dtype=np.float32,
    )


def find_page(gray: np.ndarray) -> np.ndarray | None:
    """The page's four corners in `gray`'s pixels (top-left first, clockwise), or None."""
    small, scale = _small(gray)
    blurred = cv2.GaussianBlur(small, (0, 0), 3)
    _, bright = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    bright = cv2.morphologyEx(bright, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
    contours, _ = cv2.findContours(bright, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    largest = max(contours, key=cv2.contourArea)
    share = cv2.contourArea(largest) / small.size
    if not MIN_PAGE_AREA <= share <= MAX_PAGE_AREA:
        return None
    hull = cv2.convexHull(largest)
    quad = cv2.approxPolyDP(hull, 0.02 * cv2.arcLength(hull, True), True)
    if len(quad) != 4:
        return None
    return _order_corners(quad.reshape(4, 2).astype(np.float32) / scale)


def warp_page(gray: np.ndarray, corners: np.ndarray) -> np.ndarray:
    """The quadrilateral warped to a rectangle as large as its longer sides; A4-shaped if it nearly is."""
    tl, tr, br, bl = corners
    width = float(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl)))
    height = float(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr)))
    ratio = height / max(width, 1.0)
    if abs(ratio - A4_RATIO) / A4_RATIO < A4_TOLERANCE:
        height = width * A4_RATIO
    elif abs(1 / max(ratio, 1e-6) - A4_RATIO) / A4_RATIO < A4_TOLERANCE:
        width = height * A4_RATIO
    w, h = max(1, round(width)), max(1, round(height))
    target = np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(corners.astype(np.float32), target)
    return cv2.warpPerspective(gray, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)


def _spikiness(ys: np.ndarray, bins: int) -> float:
    histogram = np.bincount(np.clip(ys, 0, bins - 1).astype(np.int64), minlength=bins).astype(np.float64)
    return float(np.square(histogram).sum())


def _ink_points(ink: np.ndarray) -> np.ndarray:
    ys, xs = np.nonzero(ink)
    points = np.stack([xs, ys], axis=1).astype(np.float64)
    if len(points) > MAX_INK_POINTS:
        points = points[np.linspace(0, len(points) - 1, MAX_INK_POINTS).astype(np.int64)]
    return points


def skew_angle(ink: np.ndarray) -> float:
    """The angle (degrees, counter-clockwise positive) that levels the text lines of a binarised page."""
    points = _ink_points(ink)
    if len(points) < 50:
        return 0.0
    centre = points.mean(axis=0)
    xs, ys = (points - centre).T
    bins = int(np.hypot(*ink.shape)) + 2

    def score(deg: float) -> float:
        rad = np.deg2rad(deg)
        return _spikiness(ys * np.cos(rad) + xs * np.sin(rad) + bins / 2, bins)

    coarse = np.arange(-MAX_SKEW_DEG, MAX_SKEW_DEG + 1e-9, 0.5)
    best = float(coarse[np.argmax([score(a) for a in coarse])])
    fine = np.arange(best - 0.5, best + 0.5 + 1e-9, 0.05)
    return float(fine[np.argmax([score(a) for a in fine])])


def _rows_spikiness(ink: np.ndarray) -> float:
    """How strongly ink gathers in rows, independent of the amount of ink."""
    rows = ink.sum(axis=1).astype(np.float64)
    total = rows.sum()
    return float(np.square(rows).sum() / (total * total)) * len(rows) if total else 0.0


def _band_balance(rows: np.ndarray) -> tuple[float, float]:
    """Ink above and below the cores of the text lines in one row profile."""
    above = below = 0.0
    in_text = rows > 0.02 * rows.max(initial=0)
    start = None
    for y, on in enumerate([*in_text, False]):
        if on and start is None:
            start = y
        elif not on and start is not None:
            band = rows[start:y]
            if len(band) >= 4:
                core = np.nonzero(band >= 0.5 * band.max())[0]
                above += float(band[: core[0]].sum())
                below += float(band[core[-1] + 1 :].sum())
            start = None
    return above, below


def _rules(ink: np.ndarray) -> np.ndarray:
    """Long horizontal and vertical strokes (a form's ruling), widened a little: lines that were
    levelled by rotating a small image step by a pixel here and there, which an exact opening misses."""
    found = np.zeros_like(ink)
    for along, across in (((1, max(3, ink.shape[1] // 20)), (3, 1)), ((max(3, ink.shape[0] // 20), 1), (1, 3))):
        thick = cv2.dilate(ink, np.ones(across, np.uint8))
        lines = cv2.morphologyEx(thick, cv2.MORPH_OPEN, np.ones(along, np.uint8))
        found = np.maximum(found, cv2.dilate(lines, np.ones(across, np.uint8)))
    return found


def ascender_balance(ink: np.ndarray, strips: int = 4) -> float:
    """> 0 when ink pokes above text lines' cores more than below them: upright Latin or Cyrillic.

    Measured in vertical strips, so that the columns of a magazine page, whose lines do not share
    baselines, do not blur each other's bands; long ruled lines (a form's boxes) are removed first.
    """
    text = np.asarray(ink) * (1 - _rules(ink))
    above = below = 0.0
    for strip in np.array_split(text, strips, axis=1):
        up, down = _band_balance(strip.sum(axis=1).astype(np.float64))
        above += up
        below += down
    return (above - below) / (above + below) if above + below else 0.0


def is_sideways(ink: np.ndarray) -> bool:
    """Text lines run up and down the image: ink gathers in columns more than in rows."""
    return _rows_spikiness(ink.T) > _rows_spikiness(ink)


_ROTATE = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}


def rotate(image: np.ndarray, degrees: float, fill: int = 255) -> np.ndarray:
    """`image` turned counter-clockwise by `degrees` about its centre, the corners filled with `fill`."""
    height, width = image.shape
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), degrees, 1.0)
    return cv2.warpAffine(image, matrix, (width, height), flags=cv2.INTER_LINEAR, borderValue=fill)


def osd_upside_down(gray: np.ndarray) -> bool | None:
    """Tesseract's orientation detection (`--psm 0`) on a level page: upside down, or None if it cannot tell."""
    try:
        osd = pytesseract.image_to_osd(gray, config="--psm 0 -c min_characters_to_try=5",
                                       output_type=pytesseract.Output.DICT)
    except pytesseract.TesseractError:
        return None
    turn = int(osd.get("rotate", 0))
    return turn == 180 if turn in (0, 180) else None


def level(gray: np.ndarray) -> tuple[int, float]:
    """(clockwise turn in degrees, then counter-clockwise skew) that make a grayscale page upright.

    Sideways and skew are found on a `WORK_WIDTH` copy, the way up on a `BALANCE_SIZE` one. When
    the ascenders do not say clearly which way up the page is (capitals, a patterned background),
    Tesseract's orientation detection decides.
    """
    ink = _ink(_small(gray)[0])
    turn = 90 if is_sideways(ink) else 0
    if turn:
        ink = cv2.rotate(ink, _ROTATE[90])
    skew = skew_angle(ink)
    upright = _small(gray, BALANCE_SIZE)[0]
    if turn:
        upright = cv2.rotate(upright, _ROTATE[90])
    if abs(skew) >= 0.1:
        upright = rotate(upright, -skew)
    balance = ascender_balance(_ink(upright))
    upside_down = balance < 0
    if abs(balance) < SURE_BALANCE:
        told = osd_upside_down(upright)
        upside_down = upside_down if told is None else told
    return turn + (180 if upside_down else 0), skew


def straighten(gray: np.ndarray, *, find_the_page: bool = True) -> Straightened:
    """Upright, level and (for a camera frame) flattened; `find_the_page=False` for a flatbed scan."""
    started = time.perf_counter()
    corners = find_page(gray) if find_the_page else None
    image = warp_page(gray, corners) if corners is not None else gray
    turn, skew = level(image)
    if turn:
        image = cv2.rotate(image, _ROTATE[turn])
    if abs(skew) >= 0.1:
        image = rotate(image, -skew)
    elapsed = round((time.perf_counter() - started) * 1000, 1)
    return Straightened(image, corners is not None, turn, skew, elapsed)
