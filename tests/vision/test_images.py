"""`vision.images`: the reduced copies every stage measures on, and which arrays count as a page."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from vision.images import UnreadableImage, load_gray, shrink


@pytest.mark.parametrize(("shape", "longest", "expected"), [
    ((3508, 2480), 1000, (1000, 707)),
    ((3508, 2480), 1754, (1754, 1240)),
    ((3508, 2480), 2400, (2400, 1697)),
    ((2480, 3508), 1000, (707, 1000)),
    ((800, 600), 1000, (800, 600)),
])
def test_the_longer_side_is_brought_to_the_limit(shape: tuple[int, int], longest: int,
                                                 expected: tuple[int, int]) -> None:
    assert shrink(np.zeros(shape, np.uint8), longest).shape == expected


def test_a_halved_copy_averages_like_a_direct_one() -> None:
    noise = np.random.default_rng(3).integers(0, 256, (3508, 2480), dtype=np.uint8)
    gray = np.asarray(cv2.GaussianBlur(noise, (0, 0), 4), dtype=np.uint8)
    direct = cv2.resize(gray, (707, 1000), interpolation=cv2.INTER_AREA)
    assert np.abs(shrink(gray, 1000).astype(int) - direct.astype(int)).mean() < 1.0


@pytest.mark.parametrize(
    ("array", "message"),
    [
        (np.zeros((200, 200, 2), np.uint8), "neither grey, RGB nor RGBA"),
        (np.zeros((2, 200, 200, 3), np.uint8), "neither grey, RGB nor RGBA"),
        (np.full((200, 200), 0.5, np.float32), "float32 is not 8-bit"),
        (np.full((200, 200, 3), 300, np.uint16), "uint16 is not 8-bit"),
        (np.zeros((0, 200, 3), np.uint8), "too small"),
    ],
)
def test_an_array_that_is_no_8_bit_image_is_refused_not_cast(array: np.ndarray, message: str) -> None:
    with pytest.raises(UnreadableImage, match=message):
        load_gray(array)


def test_grey_rgb_and_rgba_arrays_give_the_same_page() -> None:
    grey = np.tile(np.arange(200, dtype=np.uint8), (150, 1))
    rgb = np.dstack([grey] * 3)
    rgba = np.dstack([grey] * 3 + [np.zeros_like(grey)])  # a transparent alpha is ignored, as PIL's "L" does
    for array in (grey, grey[:, :, None], rgb, rgba):
        assert np.array_equal(load_gray(array), grey)
