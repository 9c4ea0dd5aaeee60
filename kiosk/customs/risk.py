"""Risk flags for post-clearance audit: what central's risk engine should weigh once the goods are gone.

A flag never blocks a declaration (findings do that); it travels with the draft so that central can pick
declarations for audit. Each one explains itself in one English sentence (`explanation`, from a template and
`params`, so it is translated by `code`, never assembled from fragments) and carries its `evidence`: the values,
the documents they came from, the reference and the thresholds. A set missing a document gives fewer flags,
never an error; a value a page did not give is unknown, not suspicious.

The rules:
- `risk.undervaluation`: an invoice line's value per kg of net mass is below `UNDERVALUATION_RATIO` (30 %) of the
  reference median for its HS code, the reference being the entry with the longest code that prefixes the line's
  (six digits, then four, then two). The two are compared in the reference's currency when the invoice is in it;
  otherwise both are converted to GEL at the rates in force on the declaration date, if `rates` and `on` are
  given. Without them, or when the rates lack either currency, a line in another currency is not compared (a
  known limit: no flag rather than a guessed rate). Nor are lines with a zero or negative amount (discounts).
- `risk.misclassification`: the HS suggester strongly disagrees with an invoice line's code: its best score is at
  least `STRONG_SCORE` and the declared heading (four digits) is not the heading of any of its `TOP_K` best codes.
- `risk.origin`: the invoice's country of origin differs from the certificate of origin's (box 4).
- `risk.weights`: a gross mass below its net mass (each line and the totals of the invoice and the packing list),
  or two documents' gross masses of the consignment (CMR box 11, invoice, packing list, certificate) further
  apart than consistency's default `Tolerance`.

Rounding: every comparison uses the exact figures (Decimal, 28 significant digits). The evidence and the
explanations show values per kg and ratios rounded half-even to 4 decimal places and percentages to 1; weights
and amounts are shown as the documents print them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from functools import cached_property
from itertools import combinations
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from kiosk.customs.consistency import Tolerance
from kiosk.customs.document_set import DocumentSet
from kiosk.customs.documents import CertificateLine, Invoice, InvoiceLine, PackingLine, Read
from kiosk.customs.rates import NATIONAL_CURRENCY, Currency, ExchangeRate, RateTable
from kiosk.customs.tariff import TableError, describe, read_json

SAMPLE_REFERENCE_VALUES = Path(__file__).with_name("data") / "reference-values-sample.json"
"""Ships for tests and the demo; its medians are illustrative, not official statistics."""

UNDERVALUATION_RATIO = Decimal("0.30")
"""A line worth less than this share of the reference median per kg is flagged. Prices spread widely around a
median (quality, contract, season), but below 30 % of it a price is no longer a discount: it is a question."""
TOP_K = 5
"""How many of the suggester's best codes are searched for the declared heading; not among them, it disagrees."""
STRONG_SCORE = 0.65
"""The suggester's scores are cosine similarities between the description and nomenclature texts, not
probabilities: its best score is 0.60 for the median description of its evaluation set (`eval_queries.tsv`), and
below this threshold its answers are too unsure to dispute a code. Measured once on those 387 descriptions with
their true codes declared, 1.8 % were flagged (a code the suggester misses while sure of another); with a code
of another chapter declared, 31 % were (36 % of the English ones: it reads English best). 0.60 would flag 4.7 %
of true codes, 0.70 catch 19 % of wrong ones."""
WEIGHT_TOLERANCE = Tolerance()
"""How far two documents' gross masses may differ: consistency's default (1 kg or 0.5 %, the larger)."""

_PER_KG = Decimal("0.0001")
_PERCENT = Decimal("0.1")
_REFERENCE_CODE = re.compile(r"[0-9]{2}(?:[0-9]{2}){0,2}")  # ASCII digits only: not \d, which takes any script's


class Flag(BaseModel):
    """One risk for central to weigh; `explanation` is its template filled from `params` (English)."""

    model_config = ConfigDict(frozen=True)

    code: str = Field(description="'risk.undervaluation', 'risk.misclassification', 'risk.origin', 'risk.weights'")
    field: str = Field(description="where, as findings name it: 'invoice.items[2].amount', 'sets.origin'")
    explanation: str
    evidence: dict[str, Any] = Field(default_factory=dict)
    params: dict[str, Any] = Field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


def _flag(code: str, field: str, template: str, evidence: dict[str, Any], **params: Any) -> Flag:
    return Flag(code=code, field=field, explanation=template.format(**params), evidence=evidence, params=params)


# --- the reference table ----------------------------------------------------------------------------------------

class ReferenceTableError(TableError):
    """A reference-value table that cannot be used: one line naming the file and the problem. (Not Python's
    builtin ReferenceError, which is about weak references.)"""


class ReferenceValue(BaseModel):
    """The median customs value of one HS code's goods, per kg of net mass, in `currency`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str = Field(description="HS chapter, heading or subheading: 2, 4 or 6 digits")
    description: str = ""
    currency: Currency
    median_per_kg: Decimal = Field(gt=0, allow_inf_nan=False)

    @field_validator("code")
    @classmethod
    def _hs_digits(cls, code: str) -> str:
        if not _REFERENCE_CODE.fullmatch(code):
            raise ValueError(f"HS code {code!r} must be 2, 4 or 6 digits")
        return code


class _Table(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    table: Literal["reference-values"]
    sample: bool = Field(description="true for illustrative tables that must never select anything for audit")
    note: str = ""
    version: str = Field(min_length=1, max_length=40)
    valid_from: date
    values: tuple[ReferenceValue, ...] = Field(min_length=1)


@dataclass(frozen=True)
class ReferenceValues:
    """One version of central's reference values; `source` names where it was read, for messages."""

    version: str
    valid_from: date
    values: tuple[ReferenceValue, ...]
    sample: bool = False
    source: str = "reference values"

    def __post_init__(self) -> None:
        codes = [value.code for value in self.values]
        twice = sorted({code for code in codes if codes.count(code) > 1})
        if twice:
            raise ReferenceTableError(f"{self.source}: HS code {', '.join(twice)} listed twice")

    @cached_property
    def _by_code(self) -> dict[str, ReferenceValue]:
        return {value.code: value for value in self.values}

    def for_code(self, hs_code: str) -> ReferenceValue | None:
        """The entry of the longest code that prefixes `hs_code` (six digits, then four, then two), or None."""
        for length in (6, 4, 2):
            found = self._by_code.get(hs_code[:length]) if len(hs_code) >= length else None
            if found is not None:
                return found
        return None

    def header(self) -> dict[str, Any]:
        """What identifies this version in a flag's evidence."""
        return {"version": self.version, "valid_from": self.valid_from.isoformat(), "sample": self.sample}


def reference_values_from(data: Any, source: str) -> ReferenceValues:
    """Reference values from their JSON form; ReferenceTableError names `source` and the first problem."""
    try:
        table = _Table.model_validate(data)
        return ReferenceValues(version=table.version, valid_from=table.valid_from, values=table.values,
                               sample=table.sample, source=source)
    except ValidationError as exc:
        raise ReferenceTableError(describe(exc, source)) from None


def load_reference_values(path: Path | None = None) -> ReferenceValues:
    """Read and check a reference-value file (the shipped sample by default)."""
    source = path or SAMPLE_REFERENCE_VALUES
    try:
        data = read_json(source)
    except TableError as exc:
        raise ReferenceTableError(str(exc)) from None
    return reference_values_from(data, str(source))


# --- the rules --------------------------------------------------------------------------------------------------

def _per_kg(value: Decimal) -> str:
    return str(value.quantize(_PER_KG, rounding=ROUND_HALF_EVEN))


def _percent(ratio: Decimal) -> str:
    return str((ratio * 100).quantize(_PERCENT, rounding=ROUND_HALF_EVEN))


def _rate(rate: ExchangeRate) -> dict[str, Any]:
    return {"currency": rate.currency, "quantity": rate.quantity, "gel": str(rate.gel),
            "published": rate.published.isoformat()}


@dataclass(frozen=True)
class _Compared:
    """A line's value per kg and its reference's, in one currency, with the rates that brought them there."""

    currency: str
    declared: Decimal
    reference: Decimal
    rates: tuple[ExchangeRate, ...] = ()


def _compare(per_kg: Decimal, currency: str, reference: ReferenceValue, rates: RateTable | None,
             on: date | None) -> _Compared | None:
    if currency == reference.currency:
        return _Compared(currency, per_kg, reference.median_per_kg)
    if rates is None or on is None:
        return None
    try:
        mine, theirs = rates.rate_on(currency, on), rates.rate_on(reference.currency, on)
    except TableError:
        return None
    used = tuple(rate for rate in (mine, theirs) if rate.currency != NATIONAL_CURRENCY)
    return _Compared(NATIONAL_CURRENCY, mine.to_gel(per_kg), theirs.to_gel(reference.median_per_kg), used)


def _undervaluation(invoice: Invoice, references: ReferenceValues, rates: RateTable | None,
                    on: date | None) -> list[Flag]:
    currency = invoice.currency.value
    if currency is None:
        return []
    flags: list[Flag] = []
    for line in invoice.lines:
        code, amount, net = line.hs_code.value, line.amount.value, line.net_kg.value
        if code is None or amount is None or net is None or amount <= 0 or net <= 0:
            continue
        reference = references.for_code(code)
        compared = _compare(amount / net, currency, reference, rates, on) if reference else None
        if reference is None or compared is None:
            continue
        ratio = compared.declared / compared.reference
        if ratio >= UNDERVALUATION_RATIO:
            continue
        evidence = {
            "document": "invoice", "line": line.number, "description": line.description.value, "hs_code": code,
            "declared": {"amount": str(amount), "currency": currency, "net_kg": str(net),
                         "per_kg": _per_kg(amount / net)},
            "reference": {"code": reference.code, "description": reference.description,
                          "median_per_kg": str(reference.median_per_kg), "currency": reference.currency,
                          "table": references.header()},
            "comparison": {"currency": compared.currency, "declared_per_kg": _per_kg(compared.declared),
                           "reference_per_kg": _per_kg(compared.reference), "ratio": _per_kg(ratio),
                           "threshold_ratio": str(UNDERVALUATION_RATIO),
                           "rates": [_rate(rate) for rate in compared.rates]},
            "confidence": {"amount": line.amount.confidence, "net_kg": line.net_kg.confidence,
                           "hs_code": line.hs_code.confidence},
        }
        flags.append(_flag(
            "risk.undervaluation", f"invoice.items[{line.number}].amount",
            "Line {line} (HS {hs_code}) is declared at {declared_per_kg} {currency} per kg of net mass, {percent} % "
            "of the reference median of {reference_per_kg} {currency} per kg for HS {reference_code}; "
            "below {threshold_percent} % is flagged", evidence,
            line=line.number, hs_code=code, declared_per_kg=_per_kg(compared.declared), currency=compared.currency,
            percent=_percent(ratio), reference_per_kg=_per_kg(compared.reference), reference_code=reference.code,
            threshold_percent=_percent(UNDERVALUATION_RATIO)))
    return flags


def _misclassification(lines: Sequence[InvoiceLine], suggest: Callable[[str], list[tuple[str, float]]]) -> list[Flag]:
    flags: list[Flag] = []
    for line in lines:
        code, text = line.hs_code.value, line.description.value
        best = suggest(text)[:TOP_K] if code and text else []
        if not code or not best or best[0][1] < STRONG_SCORE or code[:4] in {found[:4] for found, _ in best}:
            continue
        evidence = {
            "document": "invoice", "line": line.number, "description": text, "declared_code": code,
            "declared_heading": code[:4], "suggestions": [{"code": found, "score": score} for found, score in best],
            "top_k": TOP_K, "strong_score": STRONG_SCORE,
            "confidence": {"description": line.description.confidence, "hs_code": line.hs_code.confidence},
        }
        flags.append(_flag(
            "risk.misclassification", f"invoice.items[{line.number}].hs_code",
            "Line {line} is declared under HS {hs_code}, but its description fits HS {suggested} best (score {score}) "
            "and heading {heading} is not among the {top_k} best suggestions", evidence,
            line=line.number, hs_code=code, suggested=best[0][0], score=f"{best[0][1]:.2f}", heading=code[:4],
            top_k=TOP_K))
    return flags


def _said(read: Read[str]) -> dict[str, Any]:
    return {"value": read.value, "raw": read.raw, "confidence": read.confidence}


def _origin(documents: DocumentSet) -> list[Flag]:
    invoice = documents.invoice.origin if documents.invoice else Read[str]()
    certificate = documents.certificate.origin_country if documents.certificate else Read[str]()
    if not invoice.present or not certificate.present or invoice.value == certificate.value:
        return []
    evidence = {"origin": {"invoice": _said(invoice), "certificate_of_origin": _said(certificate)}}
    return [_flag("risk.origin", "sets.origin",
                  "The country of origin differs: the {document} gives {value}, the {other_document} {other_value}",
                  evidence, document="certificate_of_origin", value=certificate.value, other_document="invoice",
                  other_value=invoice.value)]


Lines = Sequence[InvoiceLine | PackingLine | CertificateLine]


def _below_net(document: str, lines: Sequence[InvoiceLine | PackingLine],
               total: tuple[Read[Decimal], Read[Decimal]]) -> list[Flag]:
    """Gross below net on each line of `document` and on its totals (`total`: gross, net)."""
    flags: list[Flag] = []
    for line in lines:
        gross, net = line.gross_kg.value, line.net_kg.value
        if gross is not None and net is not None and gross < net:
            flags.append(_flag(
                "risk.weights", f"{document}.items[{line.number}].gross_kg",
                "Line {line} of the {document} gives a gross mass of {gross} kg, below its net mass of {net} kg",
                {"document": document, "line": line.number, "gross_kg": str(gross), "net_kg": str(net)},
                document=document, line=line.number, gross=str(gross), net=str(net)))
    gross, net = total[0].value, total[1].value
    if gross is not None and net is not None and gross < net:
        flags.append(_flag(
            "risk.weights", f"{document}.total_gross_kg",
            "The {document}'s totals give a gross mass of {gross} kg, below the net mass of {net} kg",
            {"document": document, "line": None, "gross_kg": str(gross), "net_kg": str(net)},
            document=document, gross=str(gross), net=str(net)))
    return flags


def _gross(total: Read[Decimal], lines: Lines) -> tuple[Decimal, str] | None:
    """A document's gross mass and where it is from: its total, else its lines' sum when every line gives one."""
    if total.value is not None:
        return total.value, "total"
    masses = [line.gross_kg.value for line in lines]
    if masses and all(mass is not None for mass in masses):
        return sum((mass for mass in masses if mass is not None), Decimal(0)), "lines"
    return None


def _gross_masses(documents: DocumentSet) -> dict[str, tuple[Decimal, str]]:
    """Each document's gross mass of the consignment, with its source ('box 11', 'total', 'lines')."""
    found: dict[str, tuple[Decimal, str] | None] = {}
    if documents.cmr is not None and documents.cmr.gross_weight.value is not None:
        found["cmr"] = (documents.cmr.gross_weight.value, "box 11")
    if documents.invoice is not None:
        found["invoice"] = _gross(documents.invoice.total_gross_kg, documents.invoice.lines)
    if documents.packing_list is not None:
        found["packing_list"] = _gross(documents.packing_list.total_gross_kg, documents.packing_list.lines)
    if documents.certificate is not None:
        found["certificate_of_origin"] = _gross(documents.certificate.gross_mass, documents.certificate.lines)
    return {document: mass for document, mass in found.items() if mass is not None}


def _allowed_kg(first: Decimal, second: Decimal) -> Decimal:
    """The difference `WEIGHT_TOLERANCE` allows between two masses, as its `allows` computes it."""
    return max(WEIGHT_TOLERANCE.absolute_kg, WEIGHT_TOLERANCE.relative * max(abs(first), abs(second)))


def _gross_across(documents: DocumentSet) -> list[Flag]:
    masses = _gross_masses(documents)
    apart = [(one, other) for one, other in combinations(masses, 2)
             if not WEIGHT_TOLERANCE.allows(masses[one][0], masses[other][0])]
    if not apart:
        return []
    evidence = {
        "gross_kg": {document: {"value": str(mass), "from": source} for document, (mass, source) in masses.items()},
        "tolerance": {"relative": str(WEIGHT_TOLERANCE.relative), "absolute_kg": str(WEIGHT_TOLERANCE.absolute_kg)},
        "beyond_tolerance": [{"document": one, "other_document": other,
                              "difference_kg": str(abs(masses[one][0] - masses[other][0])),
                              "allowed_kg": str(_allowed_kg(masses[one][0], masses[other][0]))}
                             for one, other in apart],
    }
    one, other = max(apart, key=lambda pair: abs(masses[pair[0]][0] - masses[pair[1]][0]))
    return [_flag("risk.weights", "sets.gross_weight",
                  "The gross mass differs beyond the tolerance: the {document} gives {value} kg, the {other_document} "
                  "{other_value} kg, at most {allowed} kg apart allowed", evidence,
                  document=one, value=str(masses[one][0]), other_document=other, other_value=str(masses[other][0]),
                  allowed=str(_allowed_kg(masses[one][0], masses[other][0])))]


def _weights(documents: DocumentSet) -> list[Flag]:
    flags: list[Flag] = []
    if documents.invoice is not None:
        invoice = documents.invoice
        flags += _below_net("invoice", invoice.lines, (invoice.total_gross_kg, invoice.total_net_kg))
    if documents.packing_list is not None:
        packing = documents.packing_list
        flags += _below_net("packing_list", packing.lines, (packing.total_gross_kg, packing.total_net_kg))
    return flags + _gross_across(documents)


def risk_flags(documents: DocumentSet, *, references: ReferenceValues,
               suggest: Callable[[str], list[tuple[str, float]]] | None = None,
               rates: RateTable | None = None, on: date | None = None) -> list[Flag]:
    """Every risk flag of one consignment (see the module for the rules). `suggest(description)` gives six-digit
    HS codes with scores, best first; without it no line is checked for misclassification. `rates` and `on` (the
    declaration date) go together and let lines in other currencies than the reference's be compared in GEL."""
    if (rates is None) != (on is None):
        raise ValueError("rates and on go together: the exchange rates in force on the declaration date")
    flags: list[Flag] = []
    if documents.invoice is not None:
        flags += _undervaluation(documents.invoice, references, rates, on)
        if suggest is not None:
            flags += _misclassification(documents.invoice.lines, suggest)
    return flags + _origin(documents) + _weights(documents)
