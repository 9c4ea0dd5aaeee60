"""A consignment's intake as a UI-free state machine: pages in, the driver's corrections, then the submission.

States: COLLECTING (pages arrive; no declaration is possible before a CMR and an invoice are in), REVIEW (both are
in; more pages may still come) and SUBMITTED (final). Events: `add_page`, `correct`, `submit`. The rules of what
a driver must look at live here, so the touchscreen and any other client of the local API apply the same ones:
- a field needs the driver when vision did not accept its reading (low confidence, or a page of poor quality) or
  when a finding of severity ERROR points at it; WARNING findings are shown and never block;
- a correction names a field as findings do ('cmr.vehicle_plate', 'invoice.items[2].hs_code'); it replaces the
  reading with the driver's text (then known for certain; an empty text says the box is empty, for a reading of
  nothing), and is refused, changing nothing, when the path names no field of a page present, the text is too
  long, or the corrected field cannot be read or still fails its own validator (cross-document and draft findings
  are left to the review: the other document may be the wrong one);
- submitting is refused, with the list, while anything still needs the driver.

The machine is pure: findings come from a `Checker` the caller binds (the validation and drafting of
`kiosk.customs`, with the nomenclature and the declaration's date), and every event returns a new value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from kiosk.customs.document_set import IGNORED_KINDS, Document, DocumentSet
from kiosk.customs.documents import DocumentInputError, Read
from kiosk.customs.findings import Finding, Severity

DOC_KINDS = ("cmr", "invoice", "certificate_of_origin", "packing_list")
MAX_PAGES = 8
"""A consignment is one of each kind at most; a few retries of a bad scan fit, a stream of pages does not."""
MAX_PAGE_FIELDS = 10_000
"""A page of 999 line items with ten columns stays below this; more is no reading of a page."""
MAX_FIELD_NAME = 100
MAX_CORRECTION_CHARS = 500
"""The longest box a driver retypes (a party: name, address and country) fits with room to spare."""
FOR_ITSELF = ("document.", "hs.", "container.", "plate.", "dates.", "country.", "currency.", "incoterm.",
              "taxpayer_id.", "eori.")
"""Finding codes that judge a field by itself (reading and validators). A correction that keeps one of these as an
ERROR is refused; `weights.` (gross against net, lines against totals), `consistency.`, `set.` and `draft.` findings
compare fields or documents and wait for the review: the other field may be the wrong one."""

Checker = Callable[[DocumentSet], Sequence[Finding]]
"""Every finding of a document set: reading, validators, consistency, and what the draft lacks."""

_PATH = re.compile(r"(cmr|invoice|certificate_of_origin|packing_list)\.(?:items\[([0-9]{1,3})\]\.)?([a-z_]{1,40})")


class ConsignmentState(StrEnum):
    COLLECTING = "collecting"
    REVIEW = "review"
    SUBMITTED = "submitted"


class FlowError(ValueError):
    """An event the flow refuses; the message is safe to show (it names fields, never their values)."""


class AlreadySubmitted(FlowError):
    pass


class SubmitRefused(FlowError):
    """Something still needs the driver: `blocking` lists what."""

    def __init__(self, blocking: Sequence[NeedsDriver]) -> None:
        super().__init__(f"{len(blocking)} field(s) still need the driver: "
                         + ", ".join(item.field for item in blocking))
        self.blocking = list(blocking)


@dataclass(frozen=True)
class Page:
    doc_type: str
    fields: Mapping[str, Any]


@dataclass(frozen=True)
class NeedsDriver:
    """One field the driver must confirm or correct, and why: 'unconfirmed' (vision did not accept the reading)
    and/or the codes of the ERROR findings on it."""

    field: str
    unconfirmed: bool
    codes: tuple[str, ...]
    correctable: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "unconfirmed": self.unconfirmed, "codes": list(self.codes),
                "correctable": self.correctable}


@dataclass(frozen=True)
class Review:
    """What the driver sees: the documents as corrected, every finding, and what still needs the driver."""

    state: ConsignmentState
    documents: DocumentSet
    findings: list[Finding]
    needs_driver: list[NeedsDriver]

    def fields(self) -> list[dict[str, Any]]:
        """Every field a page gave, by path, with its value, confidence and acceptance."""
        return [{"field": path, **read.model_dump(mode="json")} for path, read in readings(self.documents)
                if read.raw is not None or read.value is not None]


@dataclass(frozen=True)
class Consignment:
    """The pages as read and the driver's corrections, in the order made; every event returns a new value."""

    pages: tuple[Page, ...] = ()
    corrections: tuple[tuple[str, str], ...] = ()
    submitted: bool = False

    @property
    def state(self) -> ConsignmentState:
        if self.submitted:
            return ConsignmentState.SUBMITTED
        kinds = {page.doc_type for page in self.pages}
        return ConsignmentState.REVIEW if {"cmr", "invoice"} <= kinds else ConsignmentState.COLLECTING

    def add_page(self, doc_type: str, fields: object) -> Consignment:
        """One page as vision read it (`{"name": {"value", "confidence", "accepted"}}`, or plain text per field)."""
        self._open()
        if doc_type in IGNORED_KINDS:
            raise FlowError(f"this page was identified as {doc_type!r}, not a CMR, an invoice, a certificate of "
                            "origin or a packing list; scan the consignment's documents only")
        if doc_type not in DOC_KINDS:
            raise FlowError(f"unknown document kind {doc_type!r}; expected one of {', '.join(DOC_KINDS)}")
        if len(self.pages) >= MAX_PAGES:
            raise FlowError(f"a consignment has at most {MAX_PAGES} pages")
        if any(page.doc_type == doc_type for page in self.pages):
            raise FlowError(f"this consignment already has a {doc_type} page; scan each document once")
        if not isinstance(fields, Mapping):
            raise FlowError(f"a page's fields must be an object of field names, got {type(fields).__name__}")
        if len(fields) > MAX_PAGE_FIELDS:
            raise FlowError(f"a page has at most {MAX_PAGE_FIELDS} fields")
        bad = [name for name in fields if not isinstance(name, str) or not 0 < len(name) <= MAX_FIELD_NAME]
        if bad:
            raise FlowError(f"field names are texts of 1 to {MAX_FIELD_NAME} characters")
        page = Page(doc_type, dict(fields))
        try:
            DocumentSet.from_pages([(page.doc_type, page.fields)])
        except DocumentInputError as exc:
            raise FlowError(str(exc)) from None
        return replace(self, pages=(*self.pages, page))

    def correct(self, path: str, value: str, check: Checker) -> Consignment:
        """The driver's text for the field at `path`; refused (nothing changes) as the module says."""
        self._open()
        if not isinstance(value, str):
            raise FlowError(f"{path}: a correction is a text")
        if len(value) > MAX_CORRECTION_CHARS:
            raise FlowError(f"{path}: a correction is at most {MAX_CORRECTION_CHARS} characters")
        target = self._target(path)
        corrected = replace(self, corrections=(*self.corrections, (target, value.strip())))
        documents = corrected.documents()
        own = [item for item in check(documents) if item.severity is Severity.ERROR
               and item.code.startswith(FOR_ITSELF) and _on(item.field, target)]
        if own:
            raise FlowError(f"{target}: " + "; ".join(item.message for item in own))
        return corrected

    def review(self, check: Checker) -> Review:
        documents = self.documents()
        findings = list(check(documents))
        return Review(self.state, documents, findings, needs_driver(documents, findings))

    def submit(self, check: Checker) -> tuple[Consignment, Review]:
        """The consignment submitted, with the review it was submitted on; SubmitRefused while anything needs the
        driver, FlowError before a CMR and an invoice are in."""
        self._open()
        if self.state is not ConsignmentState.REVIEW:
            raise FlowError("a declaration needs at least a CMR and an invoice; scan the missing document")
        review = self.review(check)
        if review.needs_driver:
            raise SubmitRefused(review.needs_driver)
        return replace(self, submitted=True), review

    def documents(self) -> DocumentSet:
        """The document set from the pages with every correction applied, in order."""
        fields = {page.doc_type: dict(page.fields) for page in self.pages}
        for path, value in self.corrections:
            kind, key, text = _raw_correction(path, value, fields)
            fields[kind][key] = text
        return DocumentSet.from_pages((page.doc_type, fields[page.doc_type]) for page in self.pages)

    def _open(self) -> None:
        if self.submitted:
            raise AlreadySubmitted("this consignment was already submitted")

    def _target(self, path: str) -> str:
        """The correctable field `path` names (a certificate line's packages are read from its description)."""
        match = _PATH.fullmatch(path) if isinstance(path, str) else None
        if match is None:
            raise FlowError("a field path looks like 'cmr.vehicle_plate' or 'invoice.items[2].hs_code'")
        kind, number, name = match.groups()
        documents = self.documents()
        document = _document(documents, kind)
        if document is None:
            raise FlowError(f"{path}: this consignment has no {kind} page")
        if number is None:
            if name not in _read_fields(type(document)):
                raise FlowError(f"{path}: a {kind} has no field {name!r}")
            return path
        lines = getattr(document, "lines", ())
        line = next((line for line in lines if line.number == int(number)), None)
        if line is None:
            raise FlowError(f"{path}: the {kind} has no line {int(number)}")
        if name not in _read_fields(type(line)):
            raise FlowError(f"{path}: a {kind} line has no column {name!r}")
        if kind == "certificate_of_origin" and name == "packages":
            raise FlowError(f"{path} is read from the line's description; correct {kind}.items[{number}].description")
        return path


def _document(documents: DocumentSet, kind: str) -> Document | None:
    return next((doc for doc in documents.documents() if doc.kind == kind), None)


def _read_fields(model: type[Any]) -> list[str]:
    return [name for name, info in model.model_fields.items()
            if isinstance(info.annotation, type) and issubclass(info.annotation, Read)]


def _plates(fields: Mapping[str, Any]) -> tuple[str, str]:
    """The truck's and the trailer's plate as the CMR page's box 16 currently gives them."""
    entry = fields.get("vehicle_plate") or fields.get("vehicle_reg")
    text = entry.get("value") if isinstance(entry, Mapping) else entry
    truck, _, trailer = (text if isinstance(text, str) else "").partition("/")
    return truck.strip(), trailer.strip()


def _raw_correction(path: str, value: str, fields: dict[str, dict[str, Any]]) -> tuple[str, str, str]:
    """(document kind, raw field name, text) a correction writes: line columns are `item_<n>_<column>`, and the
    CMR's plates share box 16 ('truck / trailer'), so correcting one keeps the other."""
    match = _PATH.fullmatch(path)
    assert match is not None, "only targets checked by _target are stored"
    kind, number, name = match.groups()
    if kind == "cmr" and name in ("vehicle_plate", "trailer_plate"):
        truck, trailer = _plates(fields[kind])
        if name == "trailer_plate":
            return kind, "vehicle_plate", f"{truck} / {value}"
        return kind, "vehicle_plate", value if "/" in value or not trailer else f"{value} / {trailer}"
    return kind, name if number is None else f"item_{int(number)}_{name}", value


def readings(documents: DocumentSet) -> Iterator[tuple[str, Read[Any]]]:
    """Every field of every document by its path, lines as 'invoice.items[2].hs_code'."""
    for document in documents.documents():
        for name in _read_fields(type(document)):
            yield f"{document.kind}.{name}", getattr(document, name)
        for line in getattr(document, "lines", ()):
            for name in _read_fields(type(line)):
                yield f"{document.kind}.items[{line.number}].{name}", getattr(line, name)


def field_read(documents: DocumentSet, path: str) -> Read[Any] | None:
    """The reading at `path`, or None when no document has that field."""
    return dict(readings(documents)).get(path)


def _on(found: str, path: str) -> bool:
    return found == path or found.startswith(f"{path}.")


def _correction_target(path: str, known: set[str]) -> str:
    """Where the driver corrects what `path` names: the field itself, the field holding it ('invoice.seller' for
    'invoice.seller.taxpayer_id'), a certificate line's description for its packages; else `path` unchanged."""
    field_path = path
    while field_path not in known and "." in field_path:
        field_path = field_path.rsplit(".", 1)[0]
    path = field_path if field_path in known else path
    match = _PATH.fullmatch(path)
    if match and match.group(1) == "certificate_of_origin" and match.group(2) and match.group(3) == "packages":
        return f"certificate_of_origin.items[{match.group(2)}].description"
    return path


def needs_driver(documents: DocumentSet, findings: Sequence[Finding]) -> list[NeedsDriver]:
    """Fields read but not accepted, and every field an ERROR finding points at, in document order; an ERROR on
    something that is no field of a page (the set as a whole) is listed as not correctable."""
    known = {path for path, _ in readings(documents)}
    unconfirmed: dict[str, bool] = {}
    for path, read in readings(documents):
        if read.raw is not None and not read.accepted:
            unconfirmed[_correction_target(path, known)] = True
    codes: dict[str, list[str]] = {}
    for item in findings:
        if item.severity is Severity.ERROR:
            codes.setdefault(_correction_target(item.field, known), []).append(item.code)
    order = list(dict.fromkeys([*unconfirmed, *codes]))
    return [NeedsDriver(path, unconfirmed.get(path, False), tuple(dict.fromkeys(codes.get(path, ()))),
                        correctable=path in known) for path in order]
