"""Acceptance thresholds: the confidence above which a field is taken without asking the driver.

A field's confidence is the reader's; what a confidence is worth differs per document kind and
field (a plate checked against country shapes, an address with no such check, an invoice number
next to a packing list's), so each (kind, field) has its own threshold, keyed `kind/field`, with a
table's rows pooled per column (`invoice/item_*_amount`: a row's number says little). They are
fitted by `bench/vision.py --part corpus --write-calibration FILE` on a calibration split of
generated pages (seeds apart from the test split) and shipped as `vision/calibration.json`; a kiosk
may point at its own file, whose keys may also be bare field names (any kind).

A fit sets each threshold just above one of the calibration readings that were wrong, so it is
optimistic on new pages: the second full benchmark aimed at 99.7 % and the test split gave 99.43 %.
How much stricter to aim is itself measured on the calibration split (`choose_aim`): fit on one half of
its pages, count on the other.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_FILE = Path(__file__).resolve().parent / "calibration.json"
FALLBACK_THRESHOLD = 0.95
"""For a field the calibration never saw: strict, so the driver checks it."""


class CalibrationError(ValueError):
    """The calibration file is missing, not JSON, or holds thresholds outside 0..1."""


def column(name: str) -> str:
    """A line item's field by its column (`item_3_amount` -> `item_*_amount`); other names unchanged."""
    return re.sub(r"^item_\d+_", "item_*_", name)


def threshold_key(kind: str, name: str) -> str:
    """The threshold's key for field `name` of a `kind` document."""
    return f"{kind}/{column(name)}"


@dataclass(frozen=True)
class Thresholds:
    default: float = FALLBACK_THRESHOLD
    fields: Mapping[str, float] = field(default_factory=dict)

    def threshold(self, name: str, kind: str | None = None) -> float:
        """The most specific threshold known: `kind/field`, then the bare field, then the default."""
        for candidate in ([threshold_key(kind, name)] if kind else []) + [column(name), name]:
            if candidate in self.fields:
                return self.fields[candidate]
        return self.default

    def accepts(self, name: str, confidence: float, kind: str | None = None) -> bool:
        """At or above the field's threshold; a threshold of 1 accepts nothing."""
        threshold = self.threshold(name, kind)
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


Sample = tuple[float, bool]
"""(confidence, was the value right)."""


@dataclass(frozen=True)
class _Cut:
    threshold: float
    accepted: int
    wrong: int


def _cuts(samples: Sequence[Sample], min_accepted: int) -> list[_Cut]:
    """Every threshold worth trying (one per distinct confidence), with what it accepts; 1.0 accepts nothing."""
    ordered = sorted(samples, key=lambda s: -s[0])
    cuts = [_Cut(1.0, 0, 0)]
    wrong = 0
    for i, (confidence, right) in enumerate(ordered, start=1):
        wrong += not right
        if (i == len(ordered) or ordered[i][0] < confidence) and i >= min_accepted:
            cuts.append(_Cut(confidence, i, wrong))
    return cuts


def fit_threshold(samples: Sequence[Sample], target_precision: float, *, min_accepted: int = 20) -> float:
    """The lowest threshold whose accepted samples (confidence >= it) are at least `target_precision` correct.

    A threshold must accept at least `min_accepted` samples, so that a handful of lucky readings cannot
    vouch for a field. Returns 1.0 (accept nothing) when no threshold qualifies.
    """
    meeting = [c for c in _cuts(samples, min_accepted) if c.accepted and 1 - c.wrong / c.accepted >= target_precision]
    return min((c.threshold for c in meeting), default=1.0)


def fit_thresholds(samples: Mapping[str, Sequence[Sample]], target_precision: float, *, floor: float,
                   min_accepted: int = 20) -> dict[str, float]:
    """One threshold per key, accepting as many readings as possible while all accepted readings together
    stay `target_precision` right, and each key's own accepted readings at least `floor` right.

    Per-key fits at the target alone shut out a field whose single surest reading was wrong, though its
    accepted readings would be 99 % right; the aggregate target is what the customs layer relies on. Starting
    from nothing accepted, the fit keeps lowering whichever key's threshold brings in readings at the lowest
    share of wrong ones (readings with no wrong one among them first), while the whole stays at the target.
    """
    options = {name: [c for c in _cuts(values, min_accepted)
                      if not c.accepted or 1 - c.wrong / c.accepted >= floor]
               for name, values in samples.items()}
    chosen = {name: cuts[0] for name, cuts in options.items()}
    accepted = wrong = 0

    def gain(name: str, cut: _Cut) -> tuple[int, int]:
        """More readings accepted, and more wrong ones among them, if `name` moved to `cut`."""
        return cut.accepted - chosen[name].accepted, cut.wrong - chosen[name].wrong

    def keeps_target(more: int, more_wrong: int) -> bool:
        return wrong + more_wrong <= (1 - target_precision) * (accepted + more)

    while True:
        moves = [(more_wrong / more, -more, name, cut) for name, cuts in options.items() for cut in cuts
                 for more, more_wrong in [gain(name, cut)] if more > 0 and keeps_target(more, more_wrong)]
        if not moves:
            return {name: cut.threshold for name, cut in chosen.items()}
        _, _, name, cut = min(moves, key=lambda move: move[:2])
        more, more_wrong = gain(name, cut)
        accepted, wrong = accepted + more, wrong + more_wrong
        chosen[name] = cut


Samples = Mapping[str, Sequence[Sample]]
"""Readings per threshold key."""


def tally(thresholds: Mapping[str, float], samples: Samples) -> tuple[int, int]:
    """(accepted, wrong among them) of `samples` under `thresholds`; a key without one accepts nothing."""
    accepted = wrong = 0
    for name, values in samples.items():
        threshold = thresholds.get(name, 1.0)
        if threshold < 1.0:
            taken = [right for confidence, right in values if confidence >= threshold]
            accepted += len(taken)
            wrong += taken.count(False)
    return accepted, wrong


@dataclass(frozen=True)
class Aim:
    """The precision a fit aims at, and for every aim tried, the precision its half-split fits had on the
    other halves (None: nothing accepted)."""

    aim: float
    held_out: Mapping[float, float | None]


def choose_aim(halves: tuple[Samples, Samples], target: float, aims: Sequence[float], *, floor: float,
               min_accepted: int = 20) -> Aim:
    """The loosest of `aims` whose fit on either half of the calibration pages keeps `target` on the other
    half (both fits' acceptances pooled); the strictest when none does.

    Halves have half the readings, so `min_accepted` is halved too; a half's fit is bolder than the whole's
    (fewer wrong readings to stop at), so what it keeps on the other half is a cautious guess at the test.
    """
    held_out: dict[float, float | None] = {}
    for aim in sorted(aims):
        accepted = wrong = 0
        for fit_on, check_on in (halves, halves[::-1]):
            fitted = fit_thresholds(fit_on, aim, floor=floor, min_accepted=max(1, min_accepted // 2))
            more, more_wrong = tally(fitted, check_on)
            accepted, wrong = accepted + more, wrong + more_wrong
        held_out[aim] = round(1 - wrong / accepted, 5) if accepted else None
    meeting = [aim for aim, precision in held_out.items() if precision is not None and precision >= target]
    return Aim(min(meeting, default=max(aims)), held_out)
