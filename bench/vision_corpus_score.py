"""Scoring the generated corpus: what a page should give, whether each reading is right, and the tallies.

Pure functions over the truth JSON the generator writes and the `vision read` result of a page, so
they are tested without reading a page. Each kind's truth goes through its reader's own normal form:
the CMR's through `vision.cmr_fields.truth_value` (every box the reader returns, from the truth's
`fields` or `boxes`), the trade kinds' through `vision.trade_truth.expected_fields`, an ID
document's as its MRZ reports it.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from vision.cmr_fields import truth_value as cmr_truth_value
from vision.pipeline import UNTRUSTED_QUALITY
from vision.trade_fields import TRADE_KINDS
from vision.trade_truth import expected_fields as trade_expected

ID_FIELDS = ("document_type", "issuing_state", "document_number", "surname", "given_names", "nationality_code",
             "birth_date", "sex", "expiry_date")
"""What the MRZ reader reports for a passport or ID card; a page whose zone was not found misses them all."""


def _id_truth(fields: Mapping[str, Any], name: str) -> str | None:
    """An ID field as the MRZ gives it: Latin names (the truth prints "native / Latin"), a nationality code."""
    if name == "nationality_code":
        at = slice(15, 18) if "mrz_line3" in fields else slice(10, 13)  # TD1 (three lines) or TD3
        return str(fields["mrz_line2"][at]).rstrip("<") if "mrz_line2" in fields else None
    if name not in fields:
        return None
    value = str(fields[name])
    return value.split(" / ")[-1] if name in ("surname", "given_names") else value


def expected_fields(kind: str, truth: Mapping[str, Any], cmr_names: Collection[str] = ()) -> dict[str, str]:
    """Every field the page prints that its kind's reader should return, in the reader's normal form.

    `cmr_names` are the CMR fields the reader returned anywhere in the run: beyond the truth's own
    `fields`, any of them the page's truth knows is expected on every CMR page that prints it.
    """
    printed = truth.get("fields", {})
    if kind == "cmr":
        values = {name: cmr_truth_value(truth, name) for name in {*printed, *cmr_names}}
        return {name: value for name, value in values.items() if value}
    if kind == "id_document":
        values = {name: _id_truth(printed, name) for name in ID_FIELDS}
        return {name: value for name, value in values.items() if value}
    if kind in TRADE_KINDS:
        return trade_expected(kind, printed)
    return {}


def is_right(name: str, value: str, truth: str | None) -> bool:
    """Exact match; dates compare by their digits (the visual zone prints dots or spaces, the MRZ none)."""
    if truth is None:
        return False
    if name.endswith("_date"):
        return re.sub(r"\D", "", value) == re.sub(r"\D", "", truth)
    return value == truth


@dataclass(frozen=True)
class FieldOutcome:
    """One field of one page: printed (the truth has it), read (a non-empty value), right, accepted."""

    name: str
    printed: bool
    read: bool
    right: bool
    confidence: float
    accepted: bool
    handwriting: bool


def page_outcomes(kind: str, truth: Mapping[str, Any], result: Mapping[str, Any] | None,
                  cmr_names: Collection[str] = ()) -> list[FieldOutcome]:
    """Every field the page should give or the reader gave; `result` None is a page that could not be read.

    `accepted` is the pipeline's own flag, under the thresholds it ran with.
    """
    readings: Mapping[str, Mapping[str, Any]] = result["fields"] if result else {}
    expected = expected_fields(kind, truth, cmr_names)
    handwriting = set(truth.get("handwriting", ()))
    outcomes = []
    for name in sorted(expected.keys() | readings.keys()):
        reading = readings.get(name)
        value = str(reading["value"]) if reading else ""
        outcomes.append(FieldOutcome(
            name=name,
            printed=name in expected,
            read=bool(value),
            right=reading is not None and is_right(name, value, expected.get(name)),
            confidence=float(reading["confidence"]) if reading else 0.0,
            accepted=bool(reading and reading["accepted"]),
            handwriting=name in handwriting,
        ))
    return outcomes


def trusted(result: Mapping[str, Any] | None) -> bool:
    """The pipeline may accept fields of this page: it was read and its quality did not rule them out."""
    return result is not None and result["quality"]["problem"] not in UNTRUSTED_QUALITY


def calibration_samples(outcomes: Iterable[FieldOutcome]) -> list[tuple[str, float, bool]]:
    """(field, confidence, right) of every value read: what a threshold decides on (of a trusted page only)."""
    return [(o.name, o.confidence, o.right) for o in outcomes if o.read]


@dataclass
class Tally:
    """Printed fields, right ones, accepted ones and accepted right ones; accepted fields no page prints are
    wrong acceptances (`accepted_unprinted`: a value the customs layer would take that is not on the page)."""

    fields: int = 0
    right: int = 0
    accepted: int = 0
    accepted_right: int = 0
    accepted_unprinted: int = 0

    def add(self, outcome: FieldOutcome) -> None:
        if outcome.printed:
            self.fields += 1
            self.right += outcome.right
            self.accepted += outcome.accepted
            self.accepted_right += outcome.accepted and outcome.right
        elif outcome.accepted:
            self.accepted_unprinted += 1

    @property
    def exact_match(self) -> float | None:
        return round(self.right / self.fields, 4) if self.fields else None

    @property
    def auto_accepted_fraction(self) -> float | None:
        return round(self.accepted / self.fields, 4) if self.fields else None

    @property
    def accepted_accuracy(self) -> float | None:
        taken = self.accepted + self.accepted_unprinted
        return round(self.accepted_right / taken, 4) if taken else None

    def to_dict(self) -> dict[str, Any]:
        return {"fields": self.fields, "exact_match": self.exact_match, "accepted": self.accepted,
                "auto_accepted_fraction": self.auto_accepted_fraction,
                "accepted_unprinted": self.accepted_unprinted, "accepted_accuracy": self.accepted_accuracy}


@dataclass(frozen=True)
class Target:
    """One of the issue's targets: the figure, the bound, and which way it must lie."""

    name: str
    value: float | None
    bound: float
    at_most: bool = False

    def to_dict(self) -> dict[str, Any]:
        met = None if self.value is None else (self.value <= self.bound if self.at_most else self.value >= self.bound)
        return {"measured": self.value, "target": f"{'<=' if self.at_most else '>='} {self.bound}", "met": met}


def targets(items: Sequence[Target]) -> dict[str, dict[str, Any]]:
    return {item.name: item.to_dict() for item in items}
