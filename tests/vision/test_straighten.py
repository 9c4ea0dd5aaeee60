"""Straightening real pages: generated CMRs turned and skewed here, the shared rotated phototest pages,
and a camera-style frame (the page warped onto a desk)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from vision.images import load_gray_file
from vision.straighten import A4_RATIO, rotate, straighten
from vision.synth import generate


@pytest.mark.parametrize("angle", [-3.5, -1.2, 2.5, 4.5])
def test_small_skew_is_measured_and_undone(cmr_gray: np.ndarray, angle: float) -> None:
    result = straighten(rotate(cmr_gray, angle), find_the_page=False)
    assert result.rotation == 0
    assert result.skew == pytest.approx(angle, abs=0.2)
    assert abs(straighten(result.image, find_the_page=False).skew) < 0.2


@pytest.mark.parametrize("quarter_turns", [1, 2, 3])
def test_a_turned_page_comes_back_upright(cmr_gray: np.ndarray, quarter_turns: int) -> None:
    turned = np.ascontiguousarray(np.rot90(cmr_gray, -quarter_turns))  # clockwise
    result = straighten(turned, find_the_page=False)
    assert result.rotation == (360 - 90 * quarter_turns) % 360
    assert result.image.shape == cmr_gray.shape
    assert np.mean(np.abs(result.image.astype(int) - cmr_gray.astype(int))) < 1.0


def test_turned_and_skewed_at_once(cmr_gray: np.ndarray) -> None:
    turned = np.ascontiguousarray(np.rot90(rotate(cmr_gray, 2.0), 2))
    result = straighten(turned, find_the_page=False)
    assert result.rotation == 180
    assert result.skew == pytest.approx(2.0, abs=0.2)


@pytest.mark.parametrize(
    ("name", "rotation"),
    [
        ("phototest.tif", 0),
        ("phototest-rotated-180.png", 180),
        ("phototest-rotated-L.png", 90),
        ("phototest-rotated-R.png", 270),
        ("phototestrot.tif", 90),
        ("eurotext.tif", 0),
        ("8071_093.3B.tif", 0),
        ("8087_054.3B.tif", 0),
    ],
)
def test_the_shared_pages_come_out_upright(ocr_pages: Path, name: str, rotation: int) -> None:
    result = straighten(load_gray_file(ocr_pages / name))
    assert result.rotation == rotation
    if rotation:
        upright = load_gray_file(ocr_pages / "phototest.tif")
        assert result.image.shape == upright.shape


def test_a_page_in_a_camera_frame_is_found_and_flattened(cmr_gray: np.ndarray) -> None:
    height, width = cmr_gray.shape
    frame_size = (3000, 4000)  # width, height of a portrait camera frame
    corners = np.float32([[420, 380], [2650, 520], [2580, 3600], [300, 3450]])
    page = np.float32([[0, 0], [width, 0], [width, height], [0, height]])
    warp = cv2.getPerspectiveTransform(page, corners)
    frame = cv2.warpPerspective(cmr_gray, warp, frame_size, borderValue=60)
    result = straighten(frame)
    assert result.page_found
    out_height, out_width = result.image.shape
    assert out_height / out_width == pytest.approx(A4_RATIO, rel=0.01)
    assert result.rotation == 0 and abs(result.skew) < 0.5


def test_a_scan_is_not_searched_for_a_smaller_page(cmr_gray: np.ndarray) -> None:
    result = straighten(cmr_gray)
    assert not result.page_found
    assert result.image.shape == cmr_gray.shape


@pytest.mark.parametrize(("kind", "seed", "degrade"), [("invoice", 300002, "none"), ("invoice", 300003, "none"),
                                                       ("invoice", 300009, "scan"), ("cmr", 300001, "none")])
def test_small_print_forms_are_told_upright_from_upside_down(kind: str, seed: int, degrade: str) -> None:
    """Pages whose small print, read at the skew search's size, looked upside down (a form's way up
    is judged on a larger copy now)."""
    page = np.asarray(generate(kind, seed, degrade=degrade).image.convert("L"))
    assert straighten(page, find_the_page=False).rotation == 0
    assert straighten(cv2.rotate(page, cv2.ROTATE_180), find_the_page=False).rotation == 180
