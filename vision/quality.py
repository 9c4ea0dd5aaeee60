"""The quality gate: is this frame worth reading, and if not, what should the driver do about it?

Measured on a copy scaled to `WORK_WIDTH` pixels wide (`vision.images.shrink`: halved first, which
OpenCV does ~10x faster than an arbitrary scale), so every threshold means the same at any
resolution and the gate costs a few milliseconds; percentiles come from the histogram, not a sort:
- sharpness: the variance of the Laplacian (edges of print are steep on a sharp page, soft on a
  blurred one);
- exposure: the paper level (90th percentile) and the contrast between paper and ink (0.5th
  percentile);
- glare: blobs of saturated pixels clearly brighter than the paper (a scanner's white paper is
  itself saturated, so there glare cannot occur and is not measured);
- coverage: the share of the frame taken by the largest bright region, the page.
The first failing check gives the reason the UI shows.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from vision.images import shrink

WORK_WIDTH = 1000
MIN_SHARPNESS = 150.0
MIN_PAPER_LEVEL = 100
MIN_CONTRAST = 70
GLARE_LEVEL = 250
GLARE_ABOVE_PAPER = 20
MIN_GLARE_BLOB = 0.001
MAX_GLARE = 0.01
MIN_COVERAGE = 0.4
INK_PERCENTILE = 0.5
"""The ink level: a card on an otherwise blank A4 scan inks under 2 % of the page."""

REASONS = {
    "ok": "ok",
    "too_dark": "too dark",
    "too_bright": "too bright",
    "blurred": "hold still",
    "glare": "glare: tilt the document",
    "too_small": "move the document closer",
}
"""Problem code -> what the UI shows (the UI translates the code)."""


@dataclass(frozen=True)
class Quality:
    sharpness: float
    paper_level: int
    ink_level: int
    glare: float
    """Share of the page in glare blobs."""
    coverage: float
    """Share of the frame taken by the page."""
    problem: str
    """`ok` or the first failing check: a key of `REASONS`."""
    elapsed_ms: float

    @property
    def ok(self) -> bool:
        return self.problem == "ok"

    @property
    def reason(self) -> str:
        return REASONS[self.problem]

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "problem": self.problem,
            "reason": self.reason,
            "sharpness": round(self.sharpness, 1),
            "paper_level": self.paper_level,
            "ink_level": self.ink_level,
            "glare": round(self.glare, 4),
            "coverage": round(self.coverage, 3),
        }


def _work_copy(gray: np.ndarray) -> np.ndarray:
    return shrink(gray, round(WORK_WIDTH * max(gray.shape) / gray.shape[1]))


def _percentiles(values: np.ndarray, percents: tuple[float, ...]) -> list[int]:
    """Percentiles of 8-bit values from their histogram: a sort of a million pixels cost ~20 ms."""
    cumulative = np.cumsum(np.bincount(values.ravel(), minlength=256))
    return [int(np.searchsorted(cumulative, cumulative[-1] * p / 100, side="left")) for p in percents]


def _page_mask(small: np.ndarray) -> np.ndarray:
    """The largest bright region's convex hull: the page (the whole frame for a scan)."""
    blurred = cv2.GaussianBlur(small, (0, 0), 5)
    _, bright = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    contours, _ = cv2.findContours(bright, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    mask = np.zeros_like(small)
    if contours:
        hull = cv2.convexHull(max(contours, key=cv2.contourArea))
        cv2.fillConvexPoly(mask, hull, 255)
    return mask


def _glare(small: np.ndarray, page: np.ndarray, paper: int) -> float:
    """Share of the page in saturated blobs clearly brighter than the paper."""
    if paper >= GLARE_LEVEL - GLARE_ABOVE_PAPER:
        return 0.0
    mask = ((small >= GLARE_LEVEL) & (page > 0)).astype(np.uint8)
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    areas = stats[1:count, cv2.CC_STAT_AREA]
    page_area = max(1, int(np.count_nonzero(page)))
    return float(areas[areas >= MIN_GLARE_BLOB * page_area].sum()) / page_area


def _sharpness(small: np.ndarray, ink: int, paper: int) -> float:
    """Laplacian variance after stretching ink..paper to 0..255, so exposure does not pass for blur."""
    stretched = np.clip((small.astype(np.float32) - ink) * (255.0 / max(1, paper - ink)), 0, 255)
    return float(cv2.Laplacian(stretched, cv2.CV_32F).var())


def assess(gray: np.ndarray) -> Quality:
    """Measure a grayscale frame and name its first problem."""
    started = time.perf_counter()
    small = _work_copy(gray)
    page = _page_mask(small)
    coverage = float(np.count_nonzero(page)) / small.size
    on_page = small[page > 0] if coverage > 0 else small.ravel()
    ink, paper = _percentiles(on_page, (INK_PERCENTILE, 90))
    sharpness = _sharpness(small, ink, paper)
    glare = _glare(small, page, paper)
    if paper < MIN_PAPER_LEVEL:
        problem = "too_dark"
    elif sharpness < MIN_SHARPNESS:
        problem = "blurred"
    elif paper - ink < MIN_CONTRAST:
        problem = "too_bright"
    elif glare > MAX_GLARE:
        problem = "glare"
    elif coverage < MIN_COVERAGE:
        problem = "too_small"
    else:
        problem = "ok"
    elapsed = round((time.perf_counter() - started) * 1000, 1)
    return Quality(sharpness, paper, ink, glare, coverage, problem, elapsed)
