"""CMR parties read per script with real Tesseract on generated pages (Cyrillic, Azerbaijani, French, German,
Turkish, Georgian), where one six-language call mixed look-alikes and dropped letters."""

from __future__ import annotations

import numpy as np
import pytest

from vision.cmr_fields import read_fields
from vision.form_cells import find_cells, locate_cmr_boxes
from vision.straighten import straighten
from vision.synth.generator import generate

PAGE_LANGS = "kat+rus+eng+tur+aze+deu+fra"


@pytest.mark.parametrize("seed", [1, 2, 4])
def test_parties_in_every_script_read_exactly(seed: int) -> None:
    page = generate("cmr", seed, degrade="scan")
    upright = straighten(np.asarray(page.image.convert("L")), find_the_page=False).image
    fields = read_fields(upright, langs=PAGE_LANGS, cells=locate_cmr_boxes(find_cells(upright)))
    for name in ("sender", "consignee"):
        assert fields[name].value == page.truth["fields"][name]
        assert 0 < fields[name].confidence <= 1
