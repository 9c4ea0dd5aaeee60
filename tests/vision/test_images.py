"""`vision.images.shrink`: the reduced copies every stage measures on."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from vision.images import shrink


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
