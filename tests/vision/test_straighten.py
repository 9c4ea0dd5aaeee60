"""Straightening real pages: generated CMRs turned and skewed here, the shared rotated phototest pages,
and a camera-style frame (the page warped onto a desk)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from vision.images import load_gray_file
from vision.straighten import (
    A4_RATIO,
    SURE_BALANCE,
    _balance_copy,
    _ink,
    ascender_balance,
    find_page,
    rotate,
    straighten,
)
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


@pytest.mark.parametrize("quarter_turns", [1, 2, 3])
def test_turned_and_skewed_at_once(cmr_gray: np.ndarray, quarter_turns: int) -> None:
    """Turn and skew undone by one warp: the result matches the level page, not just its angles."""
    turned = np.ascontiguousarray(np.rot90(rotate(cmr_gray, 2.0), -quarter_turns))
    result = straighten(turned, find_the_page=False)
    assert result.rotation == (360 - 90 * quarter_turns) % 360
    assert result.skew == pytest.approx(2.0, abs=0.2)
    assert result.image.shape == cmr_gray.shape
    inner = (slice(300, -300), slice(300, -300))  # the corners the skew filled with white
    assert np.mean(np.abs(result.image[inner].astype(int) - cmr_gray[inner].astype(int))) < 6  # 3 px off: 12


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


def test_an_upside_down_skewed_page_in_a_camera_frame_comes_out_upright(cmr_gray: np.ndarray) -> None:
    """Perspective, a half turn and a skew, all undone by the one warp at full resolution."""
    height, width = cmr_gray.shape
    turned = np.ascontiguousarray(np.rot90(rotate(cmr_gray, 1.5), 2))
    corners = np.float32([[420, 380], [2580, 520], [2650, 3600], [300, 3450]])
    page = np.float32([[0, 0], [width, 0], [width, height], [0, height]])
    frame = cv2.warpPerspective(turned, cv2.getPerspectiveTransform(page, corners), (3000, 4000), borderValue=60)
    result = straighten(frame)
    assert result.page_found and result.rotation == 180
    assert result.skew == pytest.approx(1.5, abs=0.5)
    again = straighten(result.image, find_the_page=False)
    assert again.rotation == 0 and abs(again.skew) < 0.3


@pytest.mark.parametrize(("seed", "degrade"), [(24, "scan"), (25, "scan"), (6, "none")])
def test_pages_the_ascenders_cannot_judge_are_judged_by_osd_on_their_densest_text(seed: int, degrade: str) -> None:
    """CMRs whose ascender balance is too weak to trust (Georgian labels): OSD on one band of text
    decides, and a half turn on its word alone needs the band turned over to agree."""
    page = np.asarray(generate("cmr", seed, degrade=degrade).image.convert("L"))  # type: ignore[arg-type]
    upright = straighten(page)
    assert upright.rotation == 0
    assert abs(ascender_balance(_ink(_balance_copy(upright.image)))) < SURE_BALANCE
    assert straighten(cv2.rotate(page, cv2.ROTATE_180)).rotation == 180


@pytest.mark.parametrize(("kind", "seed"), [("cmr", 500001), ("cmr", 500018), ("cmr", 500020), ("cmr", 500025),
                                            ("cmr", 500030), ("cmr", 500035), ("invoice", 500002),
                                            ("invoice", 500003), ("packing_list", 500006)])
def test_camera_pages_are_found_to_their_corners_and_come_out_upright(kind: str, seed: int) -> None:
    """Camera pages whose dim corner fell below the paper threshold (no page, or a wrong outline: some
    then came out turned 180 or 270), or whose weak ascender balance OSD turned over."""
    page = generate(kind, seed, degrade="camera")
    frame = np.asarray(page.image.convert("L"))
    truth = np.array(page.truth["degradation"]["corners"], dtype=np.float32)
    corners = find_page(frame)
    assert corners is not None
    assert np.abs(corners - truth).max() < 0.006 * max(frame.shape)  # ~20 px; cut corners were 180-250 off
    result = straighten(frame)
    assert result.page_found and result.rotation == 0


def test_a_bright_blob_without_four_sides_is_not_a_page() -> None:
    """An oval (a plate, a lamp's reflection) has no four straight sides to extend: no page rather
    than a quadrilateral made up around it."""
    frame = np.full((2000, 1500), 70, np.uint8)
    cv2.ellipse(frame, (750, 1000), (550, 750), 0, 0, 360, 235, -1)
    assert find_page(frame) is None


def test_a_page_with_a_dim_corner_is_found_to_that_corner(cmr_gray: np.ndarray) -> None:
    """Light falling off towards one corner leaves it darker than the paper threshold: the page's
    sides, extended, still meet there."""
    height, width = cmr_gray.shape
    corners = np.array([[300, 260], [2300, 330], [2380, 3300], [240, 3240]], dtype=np.float32)
    page = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)
    frame = cv2.warpPerspective(cmr_gray, cv2.getPerspectiveTransform(page, corners), (2600, 3600), borderValue=60)
    ys, xs = np.mgrid[0:3600, 0:2600]
    light = np.clip(np.hypot(xs - 2600, ys - 3600) / 1200, 0.35, 1.0)  # the bottom-right corner in shadow
    frame = (frame * light).astype(np.uint8)
    found = find_page(frame)
    assert found is not None
    assert np.abs(found - corners).max() < 12
