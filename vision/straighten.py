"""Straightening: find the page in a camera frame, undo its perspective, then fix orientation and skew.

Everything is measured on reduced copies (`vision.images.shrink`); the full-resolution image is
touched once, by a single warp that undoes perspective, turn and skew together.
- Page detection: the largest bright region that is clearly smaller than the frame (a scan, where
  the page is the frame, is left alone) and whose outline is four straight sides is warped to a
  rectangle; the sides are extended to meet, so a corner too dim for the paper threshold (uneven
  light) is restored rather than the page lost or cut. A page whose sides are in A4's ratio becomes
  exactly A4-shaped, which the zonal reader's geometry assumes.
- Orientation, sideways or not: printed lines make the row profile of ink spiky when the page is
  upright or upside down and flat when it lies on its side.
- Deskew (within +-`MAX_SKEW_DEG`): the angle whose projection of ink rows is spikiest.
- Upright or upside down, on the level page: the ascenders of Latin and Cyrillic print rise above
  a line's x-height far more often than descenders drop below its baseline. Ascenders are a few
  pixels tall, so this test reads a larger copy (`BALANCE_SIZE`): at `WORK_WIDTH` a form's small
  print blurs into its line cores and upright invoices scored as upside down. Where that balance
  is weak (Georgian labels, capitals, a patterned background), Tesseract's orientation detection
  (`--psm 0`) decides on the page's densest band of text (`OSD_BAND`): on the whole page it cost
  0.5-0.8 s of CPU and made the 1-1.5 s outliers; on the band it costs about half. OSD misjudges
  blurred camera pages now and then, so a half turn on its word alone needs the band turned over
  to read upright to it too; otherwise the balance's sign stands. A page found in a camera frame
  with a weak balance is taken as upright (people hold pages up the right way; OSD still turned
  some over).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
import pytesseract

from vision.images import shrink

os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # see vision.ocr_tesseract

WORK_WIDTH = 1000
BALANCE_SIZE = 2400
"""Longer side of the copy whose ascenders tell upright from upside down (and that OSD reads)."""
OSD_BAND = 0.15
"""Share of the page's height, its densest text, that Tesseract's orientation detection reads."""
MAX_SKEW_DEG = 5.0
MIN_PAGE_AREA = 0.15
"""A quadrilateral under this share of the frame is not the page (a sticker, a stamp)."""
MAX_PAGE_AREA = 0.92
"""A quadrilateral over this share is the frame's own edge: nothing to correct."""
SIDE_TURN_DEG = 4.0
"""Edges of a page's outline turning less than this from each other are one side."""
MIN_SIDE_SHARE = 0.8
"""The four sides of a page make at least this share of its outline (the rest: cut corners)."""
EDGE_SEARCH_PX = 12
"""How far across a side (pixels of the `WORK_WIDTH` copy) the paper's edge is looked for."""
EDGE_SAMPLES = 48
"""Places along a side where its edge is looked for; the line is fitted through them (Huber, so text
touching the edge in a few places does not tilt it)."""
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
    small = shrink(gray, longest)
    return small, small.shape[1] / gray.shape[1]


def _balance_copy(gray: np.ndarray) -> np.ndarray:
    """The `BALANCE_SIZE` copy, interpolated (a third of the time of averaging at a scale of ~0.7; ascenders
    are still several pixels tall there, so aliasing does not matter)."""
    scale = BALANCE_SIZE / max(gray.shape)
    if scale >= 1:
        return gray
    size = (max(1, round(gray.shape[1] * scale)), max(1, round(gray.shape[0] * scale)))
    return cv2.resize(gray, size, interpolation=cv2.INTER_LINEAR if scale > 0.5 else cv2.INTER_AREA)


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
    quad = _quad_from_sides(hull.reshape(-1, 2).astype(np.float64), blurred)
    if quad is None:
        return None
    return _order_corners(quad.astype(np.float32) / scale)


def _sides(outline: np.ndarray) -> list[tuple[np.ndarray, np.ndarray, float]]:
    """Straight runs of a convex outline, as (start, end, length): edges turning less than
    `SIDE_TURN_DEG` from the run so far join it, so a side a wavy threshold split stays one side."""
    points = cv2.approxPolyDP(outline.astype(np.float32), 0.004 * cv2.arcLength(outline.astype(np.float32), True),
                              True).reshape(-1, 2).astype(np.float64)
    runs: list[tuple[np.ndarray, np.ndarray, float]] = []
    for start, end in zip(points, np.roll(points, -1, axis=0), strict=True):
        length = float(np.linalg.norm(end - start))
        if runs:
            first, _, run_length = runs[-1]
            turn = _angle_between(runs[-1][1] - first, end - start)
            if turn < SIDE_TURN_DEG:
                runs[-1] = (first, end, run_length + length)
                continue
        runs.append((start, end, length))
    if len(runs) > 1 and _angle_between(runs[-1][1] - runs[-1][0], runs[0][1] - runs[0][0]) < SIDE_TURN_DEG:
        last = runs.pop()
        runs[0] = (last[0], runs[0][1], runs[0][2] + last[2])
    return runs


def _angle_between(a: np.ndarray, b: np.ndarray) -> float:
    """Degrees between two directions (0..180)."""
    cos = float(np.dot(a, b) / max(np.linalg.norm(a) * np.linalg.norm(b), 1e-9))
    return float(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))))


def _on_border(start: np.ndarray, end: np.ndarray, shape: tuple[int, ...]) -> bool:
    """Both ends of a side lie along the same edge of the frame."""
    height, width = shape[:2]
    near = 0.01 * max(height, width)
    return any(abs(start[axis] - edge) < near and abs(end[axis] - edge) < near
               for axis, edge in ((0, 0), (0, width - 1), (1, 0), (1, height - 1)))


def _edge_line(blurred: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """The paper's edge near the side start..end, as a homogeneous line: along the side, the steepest
    step in brightness across it. The threshold's outline drifts inwards where the light falls off
    (the step's midpoint sinks below the threshold), which tilted sides and put restored corners
    tens of pixels off."""
    along = (end - start) / max(float(np.linalg.norm(end - start)), 1e-9)
    normal = np.array([-along[1], along[0]])
    offsets = np.arange(-EDGE_SEARCH_PX, EDGE_SEARCH_PX + 1, dtype=np.float64)
    bases = start + np.linspace(0.05, 0.95, EDGE_SAMPLES)[:, None] * (end - start)
    grid = bases[:, None, :] + offsets[None, :, None] * normal
    profile = cv2.remap(blurred.astype(np.float32), grid[..., 0].astype(np.float32), grid[..., 1].astype(np.float32),
                        cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    steps = np.argmax(np.abs(np.diff(profile, axis=1)), axis=1) + 0.5
    points = bases + (steps - EDGE_SEARCH_PX)[:, None] * normal
    vx, vy, x0, y0 = cv2.fitLine(points.astype(np.float32), cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()
    return np.cross([x0, y0, 1.0], [x0 + vx, y0 + vy, 1.0])


def _quad_from_sides(outline: np.ndarray, blurred: np.ndarray) -> np.ndarray | None:
    """The quadrilateral the outline's four longest straight sides meet in, or None if it is not one.

    Uneven light can leave a page's dim corner below the paper threshold; the hull then has a cut
    corner, which the four sides, extended, restore. Sides covering too little of the outline, a side
    on the frame's border (a scan's bright part, cut off by a photo or a dark margin), or corners far
    outside the frame mean it was not a page."""
    runs = _sides(outline)
    if len(runs) < 4:
        return None
    longest = sorted(np.argsort([length for _, _, length in runs])[-4:])
    kept = [runs[i] for i in longest]
    if sum(length for _, _, length in kept) < MIN_SIDE_SHARE * sum(length for _, _, length in runs):
        return None
    shape = blurred.shape
    if len(runs) > 4 and any(_on_border(start, end, shape) for start, end, _ in kept):
        return None
    lines = [_edge_line(blurred, start, end) for start, end, _ in kept]
    corners = []
    for line, following in zip(lines, lines[1:] + lines[:1], strict=True):
        meet = np.cross(line, following)
        if abs(meet[2]) < 1e-9:
            return None
        corners.append(meet[:2] / meet[2])
    quad = np.array(corners)
    height, width = shape[:2]
    slack = 0.03 * max(height, width)
    if (quad < -slack).any() or (quad[:, 0] > width + slack).any() or (quad[:, 1] > height + slack).any():
        return None
    return quad


def _flat_size(corners: np.ndarray) -> tuple[int, int]:
    """(width, height) of the rectangle a page with these corners is warped to; A4-shaped if it nearly is."""
    tl, tr, br, bl = corners
    width = float(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl)))
    height = float(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr)))
    ratio = height / max(width, 1.0)
    if abs(ratio - A4_RATIO) / A4_RATIO < A4_TOLERANCE:
        height = width * A4_RATIO
    elif abs(1 / max(ratio, 1e-6) - A4_RATIO) / A4_RATIO < A4_TOLERANCE:
        width = height * A4_RATIO
    return max(1, round(width)), max(1, round(height))


def _flattening(corners: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    w, h = size
    target = np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], dtype=np.float32)
    return cv2.getPerspectiveTransform(corners.astype(np.float32), target)


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


def _densest_text(upright: np.ndarray, ink: np.ndarray) -> np.ndarray:
    """The band of `OSD_BAND` of the page's height holding the most ink that is not ruling."""
    rows = (ink * (1 - _rules(ink))).sum(axis=1).astype(np.float64)
    height = max(1, min(len(rows), round(len(rows) * OSD_BAND)))
    top = int(np.argmax(np.convolve(rows, np.ones(height), mode="valid")))
    return upright[top:top + height]


def level(gray: np.ndarray, *, prefer_upright: bool = False) -> tuple[int, float]:
    """(clockwise turn in degrees, then counter-clockwise skew) that make a grayscale page upright.

    Sideways and skew are found on a `WORK_WIDTH` copy, the way up on a `BALANCE_SIZE` one. When
    the ascenders do not say clearly which way up the page is (capitals, a patterned background),
    Tesseract's orientation detection decides; with `prefer_upright` (a page held up to a camera,
    nearly always upright) such a page is taken as upright: on blurred camera pages OSD turned
    upright CMRs and invoices over, reading the band the same way both ways up.
    """
    ink = _ink(_small(gray)[0])
    turn = 90 if is_sideways(ink) else 0
    if turn:
        ink = cv2.rotate(ink, _ROTATE[90])
    skew = skew_angle(ink)
    upright = _balance_copy(gray)
    if turn:
        upright = cv2.rotate(upright, _ROTATE[90])
    if abs(skew) >= 0.1:
        upright = rotate(upright, -skew)
    upright_ink = _ink(upright)
    balance = ascender_balance(upright_ink)
    upside_down = balance < 0
    if abs(balance) < SURE_BALANCE and prefer_upright:
        upside_down = False
    elif abs(balance) < SURE_BALANCE:
        band = _densest_text(upright, upright_ink)
        told = osd_upside_down(band)
        if told and osd_upside_down(cv2.rotate(band, cv2.ROTATE_180)) is not False:
            told = None  # a half turn on OSD's word needs the band turned over to read upright to it too
        upside_down = upside_down if told is None else told
    return turn + (180 if upside_down else 0), skew


def _turning(turn: int, width: int, height: int) -> np.ndarray:
    """The 3x3 matrix of `cv2.rotate` by `turn` degrees clockwise on a width x height image."""
    w, h = width - 1, height - 1
    return {
        0: np.eye(3),
        90: np.array([[0, -1, h], [1, 0, 0], [0, 0, 1]], dtype=np.float64),
        180: np.array([[-1, 0, w], [0, -1, h], [0, 0, 1]], dtype=np.float64),
        270: np.array([[0, 1, 0], [-1, 0, w], [0, 0, 1]], dtype=np.float64),
    }[turn]


def straighten(gray: np.ndarray, *, find_the_page: bool = True) -> Straightened:
    """Upright, level and (for a camera frame) flattened; `find_the_page=False` for a flatbed scan.

    Turn and skew are measured on a copy of the flattened page at most `BALANCE_SIZE` long; the
    full-resolution frame is then warped once.
    """
    started = time.perf_counter()
    corners = find_page(gray) if find_the_page else None
    if corners is None:
        size, flatten = (gray.shape[1], gray.shape[0]), np.eye(3)
        turn, skew = level(gray)
    else:
        size = _flat_size(corners)
        flatten = _flattening(corners, size)
        scale = min(1.0, BALANCE_SIZE / max(size))
        small = (max(1, round(size[0] * scale)), max(1, round(size[1] * scale)))
        shrinking = np.diag([small[0] / size[0], small[1] / size[1], 1.0])
        turn, skew = level(cv2.warpPerspective(gray, shrinking @ flatten, small, flags=cv2.INTER_LINEAR,
                                               borderValue=255), prefer_upright=True)
    width, height = size if turn in (0, 180) else size[::-1]
    if corners is None and abs(skew) < 0.1:
        image = cv2.rotate(gray, _ROTATE[turn]) if turn else gray
    else:
        matrix = _turning(turn, *size) @ flatten
        if abs(skew) >= 0.1:
            matrix = np.vstack([cv2.getRotationMatrix2D((width / 2, height / 2), -skew, 1.0), [0, 0, 1]]) @ matrix
        if corners is None:
            image = cv2.warpAffine(gray, matrix[:2], (width, height), flags=cv2.INTER_LINEAR, borderValue=255)
        else:
            image = cv2.warpPerspective(gray, matrix, (width, height), flags=cv2.INTER_LINEAR, borderValue=255)
    elapsed = round((time.perf_counter() - started) * 1000, 1)
    return Straightened(image, corners is not None, turn, skew, elapsed)
