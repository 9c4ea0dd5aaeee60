"""The OCR engine registry with the real engines: Tesseract and RapidOCR's bundled models."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from vision.images import load_gray_file
from vision.ocr import UnsupportedLanguage, engine_for, get_engine, lang_codes


@pytest.fixture(scope="module")
def phototest(ocr_pages: Path) -> np.ndarray:
    return load_gray_file(ocr_pages / "phototest.tif")


def test_tesseract_reads_a_page_with_words_boxes_and_confidences(phototest: np.ndarray) -> None:
    text = get_engine("tesseract").read(phototest, langs="eng", layout="page")
    assert text.engine == "tesseract"
    assert "quick brown dog jumped over the" in text.text
    assert len(text.lines) >= 8
    height, width = phototest.shape
    for word in text.words:
        assert 0.0 <= word.confidence <= 1.0
        left, top, right, bottom = word.box
        assert 0 <= left < right <= width and 0 <= top < bottom <= height
    assert {"engine", "text", "confidence", "lines", "words"} <= set(text.to_dict())


def test_rapidocr_reads_latin_lines(phototest: np.ndarray) -> None:
    text = get_engine("rapidocr").read(phototest, langs="eng", layout="page")
    assert text.engine == "rapidocr"
    assert "The quick brown dog jumped over the" in text.text.splitlines()
    assert all(0.0 < word.confidence <= 1.0 for word in text.words)


def test_rapidocr_reads_a_single_line_without_detection(phototest: np.ndarray) -> None:
    line = phototest[80:130, 30:600]  # "This is a lot of 12 point text to test the"
    text = get_engine("rapidocr").read(line, langs="eng", layout="line")
    assert text.text == "This is a lot of 12 point text to test the"


def test_rapidocr_refuses_scripts_its_bundled_models_cannot_read(phototest: np.ndarray) -> None:
    with pytest.raises(UnsupportedLanguage, match="Latin"):
        get_engine("rapidocr").read(phototest, langs="kat+eng")


def test_a_field_in_georgian_or_cyrillic_falls_back_to_tesseract() -> None:
    assert engine_for("eng", "rapidocr").name == "rapidocr"
    assert engine_for("eng+deu", "rapidocr").name == "rapidocr"
    assert engine_for("rus+eng", "rapidocr").name == "tesseract"
    assert engine_for("kat", "rapidocr").name == "tesseract"


def test_tesseract_refuses_a_language_it_has_no_pack_for(phototest: np.ndarray) -> None:
    assert get_engine("tesseract").supports("kat+rus+eng")
    with pytest.raises(UnsupportedLanguage, match="xyz"):
        get_engine("tesseract").read(phototest, langs="eng+xyz")


@pytest.mark.parametrize("langs", ["", "eng+", "eng rus", "../eng"])
def test_a_malformed_language_list_is_refused(langs: str) -> None:
    with pytest.raises(UnsupportedLanguage, match="not a language list"):
        lang_codes(langs)


def test_an_unknown_engine_is_refused() -> None:
    with pytest.raises(UnsupportedLanguage, match="no OCR engine named 'paddle'"):
        get_engine("paddle")


def test_the_warm_tesseract_reads_the_words_the_tesseract_command_reads(phototest: np.ndarray) -> None:
    import pytesseract

    engine = get_engine("tesseract")
    first = engine.read(phototest, langs="eng", layout="page")
    again = engine.read(phototest, langs="eng", layout="page")  # the same engine, reused
    command = pytesseract.image_to_string(phototest, lang="eng", config="--psm 3")
    assert first.text.split() == again.text.split() == command.split()


def test_rapidocr_reads_a_page_after_a_single_line(phototest: np.ndarray) -> None:
    """RapidOCR keeps a call's switches for the next: a line read (no detection) must not leave a page read empty."""
    engine = get_engine("rapidocr")
    engine.read(phototest[80:130, 30:600], langs="eng", layout="line")
    assert "The quick brown dog jumped over the" in engine.read(phototest, langs="eng", layout="page").text.splitlines()
