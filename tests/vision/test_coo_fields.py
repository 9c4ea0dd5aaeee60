"""Certificate of origin fields read from generated pages, clean and scanned, every layout (chamber-coo held out)."""

from __future__ import annotations

import pytest

from tests.vision.trade_pages import assert_reads, read_generated
from vision.synth.degrade import Level

PAGES = [(21, "none", "eur1"), (22, "scan", "generic-coo"), (23, "none", "chamber-coo"), (24, "scan", "chamber-coo")]


@pytest.mark.slow
@pytest.mark.parametrize(("seed", "degrade", "variant"), PAGES)
def test_fields_read_match_the_truth(seed: int, degrade: Level, variant: str) -> None:
    assert_reads(read_generated("certificate_of_origin", seed, degrade, variant))
