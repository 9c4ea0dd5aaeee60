"""Scoring the customs benchmark: which rule a set's findings and flags fire, and recall and precision per rule.

Pure functions over finding and flag codes, so the arithmetic is tested on hand-made outcomes.

A rule fires on a set when any of its codes is among the set's findings or risk flags. Per rule: a true positive is
a set with that fault injected on which it fires; a false negative one on which it does not; a false positive a set
without that fault (clean or another fault) on which it fires. The clean sets' false ERRORs are counted apart: a
clean set with any ERROR-severity finding, whatever its code.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

RULES: dict[str, tuple[str, ...]] = {
    "check_digit": ("container.check_digit",),
    "unknown_hs": ("hs.unknown",),
    "weights": ("consistency.gross_weight", "weights."),
    "undervalued": ("risk.undervaluation",),
    "origin": ("consistency.origin", "risk.origin"),
}
"""Fault -> the finding or flag codes that find it; a code ending in '.' stands for every code under it."""


def _matches(code: str, patterns: Iterable[str]) -> bool:
    return any(code.startswith(pattern) if pattern.endswith(".") else code == pattern for pattern in patterns)


def fired(codes: Iterable[str]) -> frozenset[str]:
    """The rules whose codes are among `codes` (a set's finding codes and flag codes together)."""
    present = set(codes)
    return frozenset(rule for rule, patterns in RULES.items() if any(_matches(code, patterns) for code in present))


@dataclass(frozen=True)
class SetOutcome:
    """One set through one pass: the fault injected (None: clean), the rules that fired, the ERROR codes found.

    `refused` is a set the pass could not build (two pages read as one kind): no rule fires on it."""

    seed: int
    fault: str | None
    fired: frozenset[str]
    error_codes: tuple[str, ...] = ()
    refused: bool = False


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def rule_scores(outcomes: list[SetOutcome]) -> dict[str, dict[str, Any]]:
    """Per rule: injected sets, true and false positives, false negatives, recall and precision (None: undefined)."""
    scores: dict[str, dict[str, Any]] = {}
    for rule in RULES:
        tp = sum(o.fault == rule and rule in o.fired for o in outcomes)
        fn = sum(o.fault == rule and rule not in o.fired for o in outcomes)
        fp = sum(o.fault != rule and rule in o.fired for o in outcomes)
        scores[rule] = {"injected": tp + fn, "tp": tp, "fp": fp, "fn": fn, "recall": _ratio(tp, tp + fn),
                        "precision": _ratio(tp, tp + fp),
                        "missed_seeds": [o.seed for o in outcomes if o.fault == rule and rule not in o.fired],
                        "false_positive_seeds": [o.seed for o in outcomes if o.fault != rule and rule in o.fired]}
    return scores


def clean_errors(outcomes: list[SetOutcome]) -> dict[str, Any]:
    """Clean sets with any ERROR finding: how many, the rate, and the codes that caused them (sets per code)."""
    clean = [o for o in outcomes if o.fault is None]
    with_error = [o for o in clean if o.error_codes]
    codes = Counter(code for o in with_error for code in set(o.error_codes))
    return {"clean_sets": len(clean), "with_error": len(with_error), "rate": _ratio(len(with_error), len(clean)),
            "codes": dict(codes.most_common()), "seeds": [o.seed for o in with_error]}


def summary(outcomes: list[SetOutcome]) -> dict[str, Any]:
    """A pass's figures: sets, refused sets, each rule's scores, the clean sets' false ERRORs and all sets' ERRORs."""
    return {"sets": len(outcomes), "refused": sum(o.refused for o in outcomes), "rules": rule_scores(outcomes),
            "clean_false_error": clean_errors(outcomes), "error_codes": error_codes(outcomes)}


def error_codes(outcomes: list[SetOutcome]) -> dict[str, int]:
    """Every set's ERROR codes: how many sets each one is on, most first (what the drivers would be asked to fix)."""
    return dict(Counter(code for o in outcomes for code in set(o.error_codes)).most_common())
