"""The quality gate on a real generated page, degraded here with OpenCV the way a camera or scanner would."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from vision.quality import REASONS, _percentiles, assess


def _on_desk(page: np.ndarray, share: float) -> np.ndarray:
    """The page shrunk to about `share` of a portrait 3:4 camera frame on a darker desk, its paper a little grey."""
    frame = np.full((4000, 3000), 70, np.uint8)
    height = int(np.sqrt(share * frame.size * page.shape[0] / page.shape[1]))
    width = int(height * page.shape[1] / page.shape[0])
    small = (cv2.resize(page, (width, height), interpolation=cv2.INTER_AREA) * 0.8).astype(np.uint8)
    top, left = (frame.shape[0] - height) // 2, (frame.shape[1] - width) // 2
    frame[top : top + height, left : left + width] = small
    return frame


def test_a_clean_scan_passes(cmr_gray: np.ndarray) -> None:
    quality = assess(cmr_gray)
    assert quality.ok and quality.reason == "ok"
    assert quality.coverage > 0.95 and quality.glare == 0.0


def test_a_clean_camera_frame_passes(cmr_gray: np.ndarray) -> None:
    quality = assess(_on_desk(cmr_gray, 0.6))
    assert quality.problem == "ok", quality.to_dict()
    assert 0.5 < quality.coverage < 0.7


@pytest.mark.parametrize("sigma", [6.0, 9.0])
def test_a_blurred_page_says_hold_still(cmr_gray: np.ndarray, sigma: float) -> None:
    quality = assess(cv2.GaussianBlur(cmr_gray, (0, 0), sigma))
    assert quality.problem == "blurred"
    assert quality.reason == "hold still"


def test_sharpness_falls_as_blur_grows(cmr_gray: np.ndarray) -> None:
    scores = [assess(cv2.GaussianBlur(cmr_gray, (0, 0), s)).sharpness for s in (0.5, 1.5, 3.0, 6.0)]
    assert scores == sorted(scores, reverse=True)


def test_a_dark_page_says_too_dark(cmr_gray: np.ndarray) -> None:
    quality = assess((cmr_gray * 0.3).astype(np.uint8))
    assert quality.problem == "too_dark" and quality.reason == "too dark"


def test_a_washed_out_page_says_too_bright(cmr_gray: np.ndarray) -> None:
    quality = assess(np.clip(cmr_gray * 0.2 + 200, 0, 255).astype(np.uint8))
    assert quality.problem == "too_bright"


def test_darkness_is_not_mistaken_for_blur(cmr_gray: np.ndarray) -> None:
    """Sharpness is measured after stretching ink..paper, so a dim but sharp page is still sharp."""
    assert assess((cmr_gray * 0.5).astype(np.uint8)).sharpness > 0.5 * assess(cmr_gray).sharpness


def test_a_saturated_spot_on_a_camera_frame_is_glare(cmr_gray: np.ndarray) -> None:
    frame = _on_desk(cmr_gray, 0.6)
    cv2.circle(frame, (1500, 2000), 220, 255, -1)
    quality = assess(frame)
    assert quality.problem == "glare" and quality.glare > 0.01


def test_a_white_scan_is_never_glare(cmr_gray: np.ndarray) -> None:
    """A scanner's paper is itself saturated: a large white area is paper, not glare."""
    page = cmr_gray.copy()
    page[:1500] = 255
    assert assess(page).glare == 0.0


def test_a_far_away_page_says_move_closer(cmr_gray: np.ndarray) -> None:
    quality = assess(_on_desk(cmr_gray, 0.15))
    assert quality.problem == "too_small" and quality.coverage < 0.4


def test_every_problem_has_a_reason() -> None:
    assert set(REASONS) == {"ok", "too_dark", "too_bright", "blurred", "glare", "too_small"}
    assert all(REASONS.values())


def test_percentiles_from_the_histogram_match_numpys() -> None:
    values = np.random.default_rng(7).integers(0, 256, 200_000).astype(np.uint8)
    assert _percentiles(values, (0.5, 90)) == [int(v) for v in np.percentile(values, [0.5, 90])]
