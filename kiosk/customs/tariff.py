"""The customs tariff: versioned reference data that central pushes, read from one JSON file.

A file holds versions, each in force from `valid_from` to `valid_to` (both inclusive; an open end runs
until the next version). Versions may not overlap, so exactly one answers for a date, or none, which is
an error rather than a silent zero. Within a version the line for an HS code is the one with the longest
code that is a prefix of it (a six-digit line beats its heading, the heading its chapter); a code no line
covers pays the version's `default_duty`. The VAT rule lives in the version too, with the procedure codes
(SAD box 37) that are zero-rated, because whether exports carry VAT is a policy central decides.

Rates are `Decimal`, read from strings or JSON numbers but never through a float: ad valorem in percent,
specific amounts in GEL per `per` of `unit`.
"""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from itertools import pairwise
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

SAMPLE_TARIFF = Path(__file__).with_name("data") / "tariff-sample.json"
"""Ships for tests and the demo; its rates are illustrative, not the legal Georgian tariff."""

MASS_UNIT = "kg"
"""A specific rate in this unit is charged on the item's net mass; any other unit on its supplementary quantity."""

_LINE_CODE = re.compile(r"^[0-9]{2}(?:[0-9]{2}){0,3}$")  # ASCII digits only: not \d, which takes any script's

Percent = Annotated[Decimal, Field(ge=0, le=1000)]


TableModel = TypeVar("TableModel", bound=BaseModel)


class TableError(ValueError):
    """A reference table that cannot be used, or a date it does not cover; one readable line."""


def describe(exc: ValidationError, where: str) -> str:
    """The first validation problem as one line: 'FILE: versions.0.lines.3.code: ...'."""
    first = exc.errors()[0]
    key = ".".join(str(part) for part in first["loc"]) or "(top level)"
    message = first["msg"]
    if "input" in first and not isinstance(first["input"], dict | list):
        message = f"{message} (got {first['input']!r})"
    more = f" (+{exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"{where}: {key}: {message}{more}"


def validated(model: type[TableModel], data: Any, source: str) -> TableModel:
    """`data` (a table's JSON form) as `model`; TableError with one line names `source` and the first problem."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise TableError(describe(exc, source)) from None


def read_json(path: Path) -> Any:
    """Numbers with a fraction become `Decimal`, so no rate passes through a float."""
    try:
        return json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
    except OSError as exc:
        raise TableError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise TableError(f"{path}: not JSON: {exc}") from None


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Specific(_Model):
    """A fixed amount per quantity: 1.50 GEL per kg, or 70 GEL per 1000 'p/st'."""

    amount: Decimal = Field(ge=0, description="GEL")
    unit: str = Field(min_length=1, max_length=10, description="'kg' (net mass) or a supplementary unit code")
    per: Decimal = Field(default=Decimal(1), gt=0, description="the quantity the amount is for")


class Charge(_Model):
    """A duty or an excise: ad valorem, specific, or both with the higher one charged."""

    ad_valorem: Percent | None = None
    specific: Specific | None = None
    combine: Literal["higher"] | None = Field(default=None, description="required when both are given")

    @model_validator(mode="after")
    def _one_rule(self) -> Charge:
        both = self.ad_valorem is not None and self.specific is not None
        if self.ad_valorem is None and self.specific is None:
            raise ValueError("a charge needs ad_valorem, specific, or both")
        if both and self.combine is None:
            raise ValueError("ad_valorem and specific together need combine: 'higher'")
        if not both and self.combine is not None:
            raise ValueError("combine applies only when both ad_valorem and specific are given")
        return self


class Line(_Model):
    code: str = Field(description="HS chapter, heading, subheading or national code: 2, 4, 6 or 8 digits")
    description: str = ""
    duty: Charge
    excise: Charge | None = None

    @field_validator("code")
    @classmethod
    def _hs_digits(cls, code: str) -> str:
        if not _LINE_CODE.match(code):
            raise ValueError(f"HS code {code!r} must be 2, 4, 6 or 8 digits")
        return code


class Vat(_Model):
    rate: Percent
    zero_rated_procedures: tuple[Annotated[str, Field(pattern=r"^\d{4}$")], ...] = ()

    def rate_for(self, procedure: str) -> Decimal:
        return Decimal(0) if procedure in self.zero_rated_procedures else self.rate


class Version(_Model):
    version: str = Field(min_length=1, max_length=40)
    valid_from: date
    valid_to: date | None = None
    vat: Vat
    default_duty: Charge = Field(description="the duty of a code no line covers; such a code pays no excise")
    lines: tuple[Line, ...]

    @model_validator(mode="after")
    def _consistent(self) -> Version:
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValueError(f"version {self.version}: valid_to {self.valid_to} is before valid_from {self.valid_from}")
        seen: set[str] = set()
        for line in self.lines:
            if line.code in seen:
                raise ValueError(f"version {self.version}: HS code {line.code} has two lines")
            seen.add(line.code)
        return self

    def covers(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)

    def line_for(self, hs_code: str) -> Line | None:
        """The line with the longest code that prefixes `hs_code`; None when no line covers it."""
        by_code = {line.code: line for line in self.lines}
        for length in range(len(hs_code), 1, -1):
            line = by_code.get(hs_code[:length])
            if line is not None:
                return line
        return None


class Tariff(_Model):
    table: Literal["tariff"]
    sample: bool = Field(description="true for illustrative tables that must never be used for payment")
    note: str = ""
    versions: tuple[Version, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _no_overlap(self) -> Tariff:
        ordered = sorted(self.versions, key=lambda version: version.valid_from)
        for earlier, later in pairwise(ordered):
            if earlier.valid_to is None or earlier.valid_to >= later.valid_from:
                raise ValueError(f"versions {earlier.version} and {later.version} overlap "
                                 f"(from {later.valid_from} both are in force)")
        return self

    def version_on(self, on: date) -> Version:
        for version in self.versions:
            if version.covers(on):
                return version
        spans = ", ".join(f"{v.version} {v.valid_from}..{v.valid_to or ''}" for v in self.versions)
        raise TableError(f"no tariff version in force on {on.isoformat()} (versions: {spans})")


def tariff_from(data: Any, source: str) -> Tariff:
    return validated(Tariff, data, source)


def load_tariff(path: Path = SAMPLE_TARIFF) -> Tariff:
    """Read and validate a tariff file."""
    return tariff_from(read_json(path), str(path))
