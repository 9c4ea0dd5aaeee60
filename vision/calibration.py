"""Acceptance thresholds: the confidence above which a field is taken without asking the driver.

A field's confidence is the OCR engine's; what a confidence is worth differs per field (a plate
checked against country shapes, an address with no such check), so each field has its own
threshold. They are fitted by `bench/vision.py --part corpus --fit-calibration FILE` on a
calibration split of generated pages (seeds apart from the test split) and shipped as
`vision/calibration.json`; a kiosk may point at its own file.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_FILE = Path(__file__).resolve().parent / "calibration.json"
FALLBACK_THRESHOLD = 0.95
"""For a field the calibration never saw: strict, so the driver checks it."""


class CalibrationError(ValueError):
    """The calibration file is missing, not JSON, or holds thresholds outside 0..1."""


@dataclass(frozen=True)
class Thresholds:
    default: float = FALLBACK_THRESHOLD
    fields: Mapping[str, float] = field(default_factory=dict)

    def accepts(self, name: str, confidence: float) -> bool:
        """At or above the field's threshold; a threshold of 1 accepts nothing."""
        threshold = self.fields.get(name, self.default)
        return threshold < 1.0 and confidence >= threshold

    def to_dict(self) -> dict[str, Any]:
        return {"default": self.default, "fields": dict(sorted(self.fields.items()))}


def load_thresholds(path: Path | None = None) -> Thresholds:
    """The thresholds in `path` (default: the shipped calibration)."""
    source = path or DEFAULT_FILE
    try:
        data = json.loads(source.read_text())
    except OSError as exc:
        raise CalibrationError(f"{source}: {exc.strerror or exc}") from None
    except json.JSONDecodeError as exc:
        raise CalibrationError(f"{source}: not JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(data, dict) or not isinstance(data.get("fields", {}), dict):
        raise CalibrationError(f"{source}: expected {{\"default\": 0..1, \"fields\": {{name: 0..1}}}}")
    values = {"default": data.get("default", FALLBACK_THRESHOLD), **data.get("fields", {})}
    for name, value in values.items():
        if not isinstance(value, int | float) or isinstance(value, bool) or not 0 <= value <= 1:
            raise CalibrationError(f"{source}: threshold for {name!r} must be a number in 0..1, got {value!r}")
    return Thresholds(float(data.get("default", FALLBACK_THRESHOLD)),
                      {name: float(value) for name, value in data.get("fields", {}).items()})


def fit_threshold(samples: Sequence[tuple[float, bool]], target_precision: float, *, min_accepted: int = 20) -> float:
    """The lowest threshold whose accepted samples (confidence >= it) are at least `target_precision` correct.

    `samples` are (confidence, was the value right). A threshold must accept at least
    `min_accepted` samples, so that a handful of lucky readings cannot vouch for a field. Returns
    1.0 (accept nothing) when no threshold qualifies.
    """
    ordered = sorted(samples, key=lambda s: -s[0])
    best = 1.0
    correct = 0
    for i, (confidence, right) in enumerate(ordered, start=1):
        correct += right
        next_differs = i == len(ordered) or ordered[i][0] < confidence
        if next_differs and i >= min_accepted and correct / i >= target_precision:
            best = confidence
    return best
