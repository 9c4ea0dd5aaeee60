"""Invoice fields read from generated pages, clean and scanned, every layout (invoice-boxed held out)."""

from __future__ import annotations

import pytest

from tests.vision.trade_pages import assert_reads, read_generated
from vision.synth.degrade import Level

PAGES = [
    (21, "none", "invoice-grid"),
    (22, "scan", "invoice-letterhead"),
    (23, "none", "invoice-boxed"),
    (24, "scan", "invoice-boxed"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("seed", "degrade", "variant"), PAGES)
def test_fields_read_match_the_truth(seed: int, degrade: Level, variant: str) -> None:
    assert_reads(read_generated("invoice", seed, degrade, variant))
