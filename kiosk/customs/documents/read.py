"""A value read from a page with how sure the reading is, and the reader that turns vision's fields into them.

Vision gives each field as `{"value": str, "confidence": 0..1, "accepted": bool}` (`cez-kiosk vision read
--json`). A bare string is taken as a value known for certain (a generator's ground truth, a driver's typed
correction): confidence 1, accepted. Whatever else arrives is refused field by field, never for the whole page:
a malformed entry, an overlong text or a value that does not parse becomes a `Read` without a value and a
`Finding`, so the driver is asked for that field and every other field still counts.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from kiosk.customs.findings import Finding, Severity, finding

T = TypeVar("T")
U = TypeVar("U")

MAX_FIELD_CHARS = 2000
"""No box of these documents holds more; a longer text is refused before any parser looks at it."""
UNSURE_CAP = 0.5
"""Highest confidence of a value parsed by a guess (an ambiguous '1,200'): the driver confirms it."""


class DocumentInputError(ValueError):
    """The fields as a whole are not vision's shape (not a mapping of names): nothing can be read from them."""


class Read(BaseModel, Generic[T]):
    """One field: its parsed value (None when the page did not give it or it did not parse), the text it came
    from, and vision's confidence and acceptance."""

    model_config = ConfigDict(frozen=True)

    value: T | None = None
    confidence: float = Field(default=0.0, ge=0.0, le=1.0)
    accepted: bool = False
    raw: str | None = Field(default=None, description="the text as read; None when the page did not give it")

    @property
    def present(self) -> bool:
        return self.value is not None

    def carrying(self, value: U | None) -> Read[U]:
        """This reading for a value derived from its own (the truck's plate of 'truck / trailer')."""
        if value is None:
            return Read(confidence=self.confidence, raw=self.raw)
        return Read(value=value, confidence=self.confidence, accepted=self.accepted, raw=self.raw)


Parse = Callable[[str], tuple[T, bool]]
"""Text -> (value, unsure); raises ValueError (its message in English) when the text is no such value."""


def sure(parse: Callable[[str], T]) -> Parse[T]:
    """A parser that never guesses, in the `Parse` shape."""
    def parsed(text: str) -> tuple[T, bool]:
        return parse(text), False

    return parsed


def _well_formed(entry: Mapping[Any, Any]) -> bool:
    """Vision's shape: a text value (or none), a finite confidence from 0 to 1 (default 0), a flag (default off)."""
    value, confidence = entry.get("value"), entry.get("confidence", 0.0)
    return (value is None or isinstance(value, str)) and isinstance(confidence, int | float) \
        and not isinstance(confidence, bool) and math.isfinite(confidence) and 0.0 <= confidence <= 1.0 \
        and isinstance(entry.get("accepted", False), bool)


class FieldReader:
    """Reads one page's fields (`fields`) for document `document` ('cmr', 'invoice', ...), collecting findings.

    Field paths in findings are '<document>.<name>', line items '<document>.items[<n>].<column>' with the item
    number as printed (1 first).
    """

    def __init__(self, document: str, fields: object) -> None:
        if not isinstance(fields, Mapping) or not all(isinstance(name, str) for name in fields):
            raise DocumentInputError(f"{document} fields must be a mapping of field names, got {type(fields).__name__}")
        self.document = document
        self.fields: Mapping[str, Any] = fields
        self.findings: list[Finding] = []

    def path(self, name: str) -> str:
        return f"{self.document}.{name}"

    def flag(self, code: str, where: str, template: str, severity: Severity = Severity.ERROR, **params: Any) -> None:
        """A finding about field `where` of this document; `document` joins the params."""
        self.findings.append(finding(code, self.path(where), template, severity, document=self.document, **params))

    def _entry(self, where: str, names: tuple[str, ...]) -> tuple[str, float, bool] | None:
        """(text, confidence, accepted) of the first of `names` the page gives, or None."""
        name = next((name for name in names if self.fields.get(name) is not None), None)
        if name is None:
            return None
        entry = self.fields[name]
        if isinstance(entry, str):
            entry = {"value": entry, "confidence": 1.0, "accepted": True}
        if not isinstance(entry, Mapping) or not _well_formed(entry):
            self.flag("document.field_malformed", where, "{name} is not a field reading "
                       "(a text value, a confidence from 0 to 1, an accepted flag)", name=name)
            return None
        text, confidence, accepted = entry.get("value"), entry.get("confidence", 0.0), entry.get("accepted", False)
        if text is None or not text.strip():
            return None
        if len(text) > MAX_FIELD_CHARS:
            self.flag("document.field_too_long", where, "{name} is longer than {limit} characters",
                       name=name, limit=MAX_FIELD_CHARS)
            return None
        lines = (" ".join(line.split()) for line in text.splitlines())
        return ", ".join(line for line in lines if line), float(confidence), accepted

    def read(self, where: str, parse: Parse[T], kind: str, *names: str,
             severity: Severity = Severity.ERROR) -> Read[T]:
        """Field `where` (read from the first of `names` present, default `where` itself) parsed by `parse`.

        A text `parse` refuses gives a finding `document.<kind>` (a weight, a date...) of `severity`.
        """
        entry = self._entry(where, names or (where,))
        if entry is None:
            return Read()
        text, confidence, accepted = entry
        try:
            value, unsure = parse(text)
        except ValueError as error:
            self.flag(f"document.{kind}", where, "'{text}' cannot be read: {detail}", severity,
                       text=text[:80], detail=str(error))
            return Read(confidence=confidence, raw=text)
        if unsure:
            confidence, accepted = min(confidence, UNSURE_CAP), False
        return Read(value=value, confidence=confidence, accepted=accepted, raw=text)

    def text(self, where: str, *names: str) -> Read[str]:
        """A field kept as printed: spacing collapsed, lines joined with ', ' (as vision joins them)."""
        return self.read(where, sure(str), "text", *names)


_ITEM = re.compile(r"item_([0-9]{1,6})_[a-z][a-z_]*")
MAX_ITEMS = 999
"""A SAD holds at most 999 items; a page claiming more lines is misread."""


def item_numbers(reader: FieldReader) -> list[int]:
    """The printed numbers of the line items the fields hold (`item_<n>_<column>`), in order; numbers outside
    1..`MAX_ITEMS` are refused with a finding each."""
    numbers = sorted({int(found.group(1)) for name in reader.fields if (found := _ITEM.fullmatch(name))})
    for number in numbers:
        if not 1 <= number <= MAX_ITEMS:
            reader.flag("document.item_number", "items", "line item number {number} is outside 1 to {limit}",
                        number=number, limit=MAX_ITEMS)
    return [number for number in numbers if 1 <= number <= MAX_ITEMS]


def read_item(reader: FieldReader, number: int, column: str, parse: Parse[T], kind: str) -> Read[T]:
    """Column `column` of line item `number` (`item_<number>_<column>`)."""
    return reader.read(f"items[{number}].{column}", parse, kind, f"item_{number}_{column}")
