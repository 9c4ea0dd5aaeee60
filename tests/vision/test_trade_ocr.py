"""The trade pages' quick pass: ruling painted out but print kept, any page size read at 150 dpi, bad input refused."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from vision.ocr import BBox, Word
from vision.synth import generate
from vision.trade_ocr import RULE_MAX_PX, SPLIT_BAND, read_page_text, split_row, without_ruling

LANGS = "kat+rus+eng"


def _blank() -> np.ndarray:
    """A4's width at 300 dpi, a third of its height."""
    return np.full((1200, 2480), 235, np.uint8)


def test_a_thin_rule_is_painted_out() -> None:
    page = _blank()
    page[600:603, 100:1500] = 20  # a 3 px rule across the page
    page[100:1100, 800:803] = 20  # and one down it
    clean = without_ruling(page)
    assert clean[600:603, 100:1500].min() == 255
    assert clean[100:1100, 800:803].min() == 255


def test_a_thick_bar_as_long_as_a_short_rule_stays() -> None:
    """A camera-blurred word in small print thresholds to a solid bar: it is print, not ruling."""
    page = _blank()
    bar = slice(300, 300 + RULE_MAX_PX + 6)
    page[bar, 200:380] = 20  # 180 px long: longer than a short rule, shorter than a long one, x-height thick
    page[600:603, 200:380] = 20  # a thin rule as long
    clean = without_ruling(page)
    assert clean[bar, 220:360].max() < 128
    assert clean[600:603, 200:380].min() == 255


def test_a_heavy_rule_across_the_page_is_painted_out() -> None:
    page = _blank()
    heavy = slice(300, 300 + RULE_MAX_PX + 6)
    page[heavy, 100:2380] = 20
    assert without_ruling(page)[heavy, 100:2380].min() == 255


@pytest.fixture(scope="module")
def invoice() -> np.ndarray:
    page = generate("invoice", 7, degrade="none", variant="invoice-grid")
    return np.asarray(page.image.convert("L"))


def _labels(words: tuple[Word, ...]) -> dict[str, BBox]:
    """Each text's first box on the page."""
    found: dict[str, BBox] = {}
    for word in words:
        found.setdefault(word.text, word.box)
    return found


def test_a_smaller_page_is_read_like_a_scan_and_mapped_back_to_its_own_pixels(invoice: np.ndarray) -> None:
    """A page straightened out of a camera frame is smaller than a scan; the pass reads it at the same
    150 dpi and gives its words in that page's own pixels."""
    ratio = 0.85
    small = cv2.resize(invoice, None, fx=ratio, fy=ratio, interpolation=cv2.INTER_AREA)
    full = _labels(read_page_text(invoice, LANGS).words)
    shrunk = _labels(read_page_text(small, LANGS).words)
    for label in ("Invoice", "Currency:", "Incoterms"):
        assert label in full and label in shrunk, (label, sorted(shrunk))
        expected = np.array(full[label]) * ratio
        assert np.abs(np.array(shrunk[label]) - expected).max() <= 8, (label, full[label], shrunk[label])
    height, width = small.shape
    assert all(0 <= box[0] <= box[2] <= width and 0 <= box[1] <= box[3] <= height for box in shrunk.values())


def test_the_page_is_split_in_the_widest_gap_between_lines_near_its_middle() -> None:
    page = np.full((1000, 800), 255, np.uint8)
    for top in range(0, 1000, 40):  # text lines 25 px tall, 15 px apart...
        page[top : top + 25, 50:750] = 0
    page[425:480, :] = 255  # ...and one wider gap in the middle band
    cut = split_row(page)
    assert cut is not None and 425 <= cut < 480
    assert page[cut].min() == 255


def test_a_page_with_no_gap_in_its_middle_is_read_whole() -> None:
    page = np.full((1000, 800), 255, np.uint8)
    top, bottom = (int(1000 * share) for share in SPLIT_BAND)
    page[top - 5 : bottom + 5, 100:700] = 0  # a picture across the middle band
    assert split_row(page) is None


def test_the_halves_read_at_once_give_the_whole_pages_words_in_its_pixels(invoice: np.ndarray) -> None:
    words = read_page_text(invoice, LANGS).words
    height, width = invoice.shape
    assert all(0 <= w.box[0] <= w.box[2] <= width and 0 <= w.box[1] <= w.box[3] <= height for w in words)
    tops = sorted(w.box[1] for w in words)
    assert tops[0] < height * SPLIT_BAND[0] and tops[-1] > height * SPLIT_BAND[1]  # both halves were read
    labels = _labels(words)
    assert {"Invoice", "Currency:", "Incoterms"} <= set(labels)


@pytest.mark.parametrize("page", [
    np.zeros((3508, 2480, 3), np.uint8),  # colour
    np.zeros((3508, 2480), np.float32),  # not 8-bit
    np.zeros((40, 2480), np.uint8),  # a sliver
    np.zeros((0, 0), np.uint8),  # nothing
], ids=["colour", "float", "sliver", "empty"])
def test_what_is_no_grayscale_page_is_refused(page: np.ndarray) -> None:
    before = page.copy()
    with pytest.raises(ValueError, match="8-bit grayscale"):
        read_page_text(page, LANGS)
    assert np.array_equal(page, before)
