"""Packing list fields read from generated pages, clean and scanned, every layout (packing-landscape held out)."""

from __future__ import annotations

import pytest

from tests.vision.trade_pages import assert_reads, read_generated
from vision.synth.degrade import Level

PAGES = [
    (21, "none", "packing-table"),
    (22, "scan", "packing-by-package"),
    (23, "none", "packing-landscape"),
    (24, "scan", "packing-landscape"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("seed", "degrade", "variant"), PAGES)
def test_fields_read_match_the_truth(seed: int, degrade: Level, variant: str) -> None:
    assert_reads(read_generated("packing_list", seed, degrade, variant))
