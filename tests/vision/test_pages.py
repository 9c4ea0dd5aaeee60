"""Input files: images and PDFs (rasterised by the real poppler), and the limits that refuse hostile ones."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.vision.bad_inputs import pdf, write_bad_files
from vision.images import UnreadableImage
from vision.pages import MAX_PDF_PAGES, PDF_DPI, iter_pages, load_page, page_count
from vision.synth import generate_cmr


@pytest.fixture(scope="module")
def page_image() -> Image.Image:
    return generate_cmr(3, dpi=150).image


@pytest.mark.parametrize("suffix", ["png", "jpeg", "tiff"])
def test_images_are_one_page(tmp_path: Path, page_image: Image.Image, suffix: str) -> None:
    path = tmp_path / f"page.{suffix}"
    page_image.save(path)
    assert page_count(path) == 1
    page = load_page(path)
    assert page.page == 1 and page.gray.shape == (page_image.height, page_image.width)


def test_a_pdf_is_rasterised_page_by_page_at_300_dpi(tmp_path: Path, page_image: Image.Image) -> None:
    path = tmp_path / "two.pdf"
    page_image.save(path, save_all=True, append_images=[page_image.rotate(180)], resolution=150)
    assert page_count(path) == 2
    pages = list(iter_pages(path))
    assert [page.page for page in pages] == [1, 2]
    a4_at_300 = (round(297 / 25.4 * PDF_DPI), round(210 / 25.4 * PDF_DPI))
    for page in pages:
        assert abs(page.gray.shape[0] - a4_at_300[0]) <= 2 and abs(page.gray.shape[1] - a4_at_300[1]) <= 2
    first = np.asarray(page_image.convert("L").resize(pages[0].gray.shape[::-1]))
    assert np.mean(np.abs(pages[0].gray.astype(int) - first.astype(int))) < 12


def test_a_pdf_with_too_many_pages_is_refused_before_rendering(tmp_path: Path) -> None:
    path = tmp_path / "many.pdf"
    path.write_bytes(pdf(MAX_PDF_PAGES + 480, 595, 842))
    with pytest.raises(UnreadableImage, match=f"more than {MAX_PDF_PAGES}"):
        page_count(path)


def test_a_pdf_that_is_not_one_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "fake.pdf"
    path.write_bytes(b"%PDF-1.4\nthis is no pdf at all\n")
    with pytest.raises(UnreadableImage, match="not a PDF we can read"):
        page_count(path)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UnreadableImage, match="no such file"):
        page_count(tmp_path / "absent.png")


def test_an_image_has_no_second_page(tmp_path: Path, page_image: Image.Image) -> None:
    path = tmp_path / "page.png"
    page_image.save(path)
    with pytest.raises(UnreadableImage, match="one page"):
        load_page(path, 2)


@pytest.mark.parametrize(
    "name", ["40mb-image", "zero-bytes", "truncated-jpeg", "pdf-bomb", "one-pixel", "huge-header"]
)
def test_every_bad_input_is_refused_with_its_reason(tmp_path: Path, page_image: Image.Image, name: str) -> None:
    path, phrase = write_bad_files(tmp_path, page_image)[name]
    with pytest.raises(UnreadableImage, match=phrase):
        list(iter_pages(path))
