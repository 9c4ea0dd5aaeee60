"""The text of a trade document's page: one quick pass to find what is where, sharp re-reads of the values.

A whole-page Tesseract pass costs about a millisecond of CPU per letter and more for every extra
language, so the page is read once, in English only, at 150 dpi (half a scan's resolution): enough to find
the labels, the table and where each value stands. A value is then read again from its own box at
full resolution with the languages it needs (`reread`): a single line read alone does not suffer from
a larger label beside it or a two-line cell above it, which is where the page pass misreads numbers
(`1 773,6` read `17736`). The ruling is painted out first: Tesseract skips a ruled box with small text
in it, and a cell's border would be read as `|` or `1`.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import cv2
import numpy as np

from vision.ocr import BBox, Layout, Word, engine_for, lang_codes
from vision.ocr_tesseract import require_languages
from vision.tesseract_api import recognise

PAGE_SHORT_SIDE = 1240
"""The page pass reads the page with this short side, A4 at 150 dpi (half a 300 dpi scan: 5.5 pt captions stay
legible, a quarter of the pixels), whatever the page's own size: a page found in a camera frame is straightened at
the size it had there, 10-20 % smaller, and half of that lost small print that half of a scan keeps."""
SPARSE_TEXT = 11
"""Tesseract's page segmentation for scattered text: its block layout (psm 3) dropped a scanned invoice's
table headers now and then; the words are grouped by geometry here anyway. Same cost."""
RULE_MAX_PX = 8
"""A ruled line is at most this thick (300 dpi, blurred by a camera included). A camera-blurred word in small print
thresholds to a solid bar as long as a short rule; it is thicker (its x-height), so it is no longer painted out
(`Currency:` and `Incoterms` lost their upper halves and went unread)."""
LONG_RULE = 1 / 12
"""A horizontal line this share of the page's width long (~200 px at 300 dpi) is ruling however thick: a heavy rule
under a table's header row left in place hid the first item from the page pass; a blurred label's bar is shorter."""
SPLIT_BAND = (0.35, 0.65)
"""Where (share of the page's height) the page pass may split the page in two: near the middle, so both halves
take about as long."""
SPLIT_MAX_INK = 2
"""A row with at most this many ink pixels is a gap between lines: cutting there splits no word."""
LEPTONICA = "liblept.so.5"
_SEVERITY_NONE = 6  # Leptonica's L_SEVERITY_NONE
PAGE_LANG = "eng"
"""Every trade document prints its labels in English (alone or beside Russian or Georgian), and values are
mostly digits and Latin codes: one language keeps the page pass cheapest."""


@functools.cache
def _quiet_leptonica() -> None:
    """Leptonica (under Tesseract) prints `Error in boxClipToRectangle` on stderr for some sparse-text pages,
    harmless there, but the kiosk's stderr carries JSON logs only: its messages are turned off once."""
    with contextlib.suppress(OSError, AttributeError):  # another Leptonica build: its messages stay
        ctypes.CDLL(LEPTONICA).setMsgSeverity(_SEVERITY_NONE)


def even_light(gray: np.ndarray) -> np.ndarray:
    """The page divided by its own paper level (the ink closed away on an eighth-size copy, then blurred): a camera's
    uneven light and grey paper left the page pass blind to 6.5 pt labels; on a scan it changes next to nothing."""
    small = cv2.resize(gray, None, fx=1 / 8, fy=1 / 8, interpolation=cv2.INTER_AREA)
    paper = cv2.GaussianBlur(cv2.morphologyEx(small, cv2.MORPH_CLOSE, np.ones((7, 7), np.uint8)), (0, 0), 3)
    paper = cv2.resize(paper, (gray.shape[1], gray.shape[0]), interpolation=cv2.INTER_LINEAR)
    return cv2.divide(gray, np.maximum(paper, 1), scale=255)


def _thin(ink: np.ndarray, kernel: tuple[int, int]) -> np.ndarray:
    """The ink at most `RULE_MAX_PX` thick in the kernel's direction (what an opening with it keeps is thicker)."""
    return cv2.subtract(ink, cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones(kernel, np.uint8)))


def without_ruling(gray: np.ndarray) -> np.ndarray:
    """The page with its long ruled lines painted over. A horizontal one shorter than `LONG_RULE` of the width
    must also be thin (see `RULE_MAX_PX`). Vertical rules are not held to thinness: digits set against a column's
    rule make it thick in places, and its pieces between them would be too short to count as ruling."""
    ink = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 15)
    height, width = ink.shape
    thick = RULE_MAX_PX + 1
    across = cv2.bitwise_or(
        cv2.morphologyEx(_thin(ink, (thick, 1)), cv2.MORPH_OPEN, np.ones((1, max(10, width // 30)), np.uint8)),
        cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, max(10, int(width * LONG_RULE))), np.uint8)))
    down = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((max(10, height // 40), 1), np.uint8))
    ruling = cv2.dilate(cv2.bitwise_or(across, down), np.ones((5, 5), np.uint8))
    clean = gray.copy()
    clean[ruling > 0] = 255
    return clean


def _shift(word: Word, dx: int, dy: int, scale: float = 1.0) -> Word:
    left, top, right, bottom = word.box
    return Word(word.text, word.confidence, (int(left / scale) + dx, int(top / scale) + dy,
                                             int(right / scale) + dx, int(bottom / scale) + dy))


@dataclass(frozen=True)
class PageText:
    """A page's words from the quick pass (in full-resolution pixels) and the clean page for re-reads."""

    clean: np.ndarray
    words: tuple[Word, ...]
    langs: str
    """Every language the page may be printed in (the pipeline's `--lang`)."""

    def has(self, lang: str) -> bool:
        return lang in lang_codes(self.langs)

    def reread(self, box: BBox, langs: str, layout: Layout = "line") -> tuple[Word, ...]:
        """The words inside `box` (page pixels, padded a little) read again at full resolution with `langs`."""
        left, top, right, bottom = box
        pad_y = max(4, (bottom - top) // 3)
        pad_left = max(6, (bottom - top) // 2)  # more would take in the end of a label (`No` -> `lo EXP-...`)
        pad_right = max(6, bottom - top)  # the quick pass's box may end before a last digit after its comma
        height, width = self.clean.shape
        x0, y0 = max(0, left - pad_left), max(0, top - pad_y)
        zone = self.clean[y0:min(height, bottom + pad_y), x0:min(width, right + pad_right)]
        if zone.size == 0:
            return ()
        words = engine_for(langs).read(zone, langs=langs, layout=layout).words
        return tuple(_shift(word, x0, y0) for word in words)


MIN_PAGE_SIDE = 64
"""A smaller image is no page (a thumbnail, an empty crop): refused rather than read as nothing."""


def split_row(small: np.ndarray) -> int | None:
    """The middle of the widest gap between lines in the page's middle band, or None when no line gap crosses it
    (a picture, a solid block)."""
    top, bottom = (int(small.shape[0] * share) for share in SPLIT_BAND)
    gaps = np.flatnonzero((small[top:bottom] < 128).sum(axis=1) <= SPLIT_MAX_INK)
    if gaps.size == 0:
        return None
    runs = np.split(gaps, np.flatnonzero(np.diff(gaps) > 1) + 1)
    widest = max(runs, key=len)
    return top + int(widest[len(widest) // 2])


def _words(image: np.ndarray, langs: str, dy: int) -> list[Word]:
    return [Word(text.strip(), max(0.0, confidence) / 100, (left, top + dy, right, bottom + dy))
            for text, confidence, (left, top, right, bottom), _ in recognise(image, langs, SPARSE_TEXT)
            if text.strip()]


def read_page_text(page: np.ndarray, langs: str) -> PageText:
    """The quick pass over an upright 8-bit grayscale page (see the module's note); anything else is a `ValueError`.

    The page's two halves, split between lines, are read at once, one per core (ctypes drops the GIL): the driver
    waits for this one page, and the single pass was the largest part of that wait."""
    if page.ndim != 2 or page.dtype != np.uint8 or min(page.shape) < MIN_PAGE_SIDE:
        raise ValueError(f"a page must be 8-bit grayscale, at least {MIN_PAGE_SIDE} px a side; "
                         f"got {page.dtype} of shape {page.shape}")
    clean = without_ruling(even_light(page))
    scale = min(1.0, PAGE_SHORT_SIDE / min(clean.shape))
    small = cv2.resize(clean, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    first = PAGE_LANG if PAGE_LANG in lang_codes(langs) else langs
    require_languages(first)
    _quiet_leptonica()
    cut = split_row(small)
    if cut is None:
        words = _words(small, first, 0)
    else:
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="ocr-page") as pool:
            halves = [pool.submit(_words, small[:cut], first, 0), pool.submit(_words, small[cut:], first, cut)]
            words = [word for half in halves for word in half.result()]
    return PageText(clean, tuple(_shift(word, 0, 0, scale) for word in words), langs)
