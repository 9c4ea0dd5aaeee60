"""Reading generated trade pages for the per-kind field tests: generate, straighten, read, compare."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vision.calibration import load_thresholds
from vision.cmr_values import FieldReading
from vision.straighten import straighten
from vision.synth import generate
from vision.synth.degrade import Level
from vision.trade_fields import read_trade_fields
from vision.trade_truth import expected_fields

LANGS = "kat+rus+eng"
"""The kiosk's languages: the generator prints some labels in Russian or Georgian only."""


@dataclass(frozen=True)
class Checked:
    expected: dict[str, str]
    read: dict[str, FieldReading]
    accepted: dict[str, str]
    """Fields whose confidence meets the shipped threshold, name -> value."""

    @property
    def right(self) -> set[str]:
        return {name for name, value in self.expected.items() if name in self.read and self.read[name].value == value}

    @property
    def accepted_wrong(self) -> dict[str, tuple[str, str | None]]:
        return {name: (value, self.expected.get(name)) for name, value in self.accepted.items()
                if value != self.expected.get(name)}


def read_generated(kind: str, seed: int, degrade: Level, variant: str) -> Checked:
    page = generate(kind, seed, degrade=degrade, variant=variant)
    upright = straighten(np.asarray(page.image.convert("L"))).image
    read = read_trade_fields(kind, upright, langs=LANGS)
    thresholds = load_thresholds()
    accepted = {name: r.value for name, r in read.items() if thresholds.accepts(name, r.confidence)}
    return Checked(expected_fields(kind, page.truth["fields"]), read, accepted)


def assert_reads(checked: Checked) -> None:
    """Every accepted field equals the truth, and most of the page's fields are read right."""
    assert checked.expected, "the page prints none of the reader's fields"
    assert not checked.accepted_wrong, checked.accepted_wrong
    missed = {name: (value, checked.read.get(name)) for name, value in checked.expected.items()
              if name not in checked.right}
    assert len(checked.right) >= len(checked.expected) / 2, missed
