"""Shared pages for the vision tests: generated ones (real renders, no fixtures on disk) and the shared OCR pages."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from vision.synth import generate_cmr

OCR_PAGES = Path(__file__).resolve().parents[3] / "shared" / "data" / "ocr" / "tesseract-test-pages"


@pytest.fixture(scope="session")
def cmr_gray() -> np.ndarray:
    """A clean generated CMR at 300 dpi, as 8-bit grayscale."""
    return np.asarray(generate_cmr(3).image.convert("L"))


@pytest.fixture(scope="session")
def ocr_pages() -> Path:
    if not OCR_PAGES.is_dir():
        pytest.skip(f"the shared OCR test pages are absent ({OCR_PAGES})")
    return OCR_PAGES
