"""The documents of one consignment, as the driver scanned them: at most one of each kind.

Pages arrive as vision reads them (`doc_type` and `fields`); identity documents and pages of no known kind
carry nothing the declaration needs and are left out. A second page of a kind already present is refused,
not merged: the kiosk asks the driver which one belongs to this consignment rather than guess.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kiosk.customs.documents import Certificate, Cmr, DocumentInputError, Invoice, PackingList
from kiosk.customs.findings import Finding

Document = Cmr | Invoice | Certificate | PackingList
_MODELS: dict[str, Callable[[object], Document]] = {
    "cmr": Cmr.from_fields, "invoice": Invoice.from_fields, "certificate_of_origin": Certificate.from_fields,
    "packing_list": PackingList.from_fields}
IGNORED_KINDS = ("id_document", "other")


class PageRefused(DocumentInputError):
    """A page that cannot join the set; `index` is its place in the pages given, so callers can name its file."""

    def __init__(self, index: int, message: str) -> None:
        super().__init__(message)
        self.index = index


@dataclass(frozen=True)
class DocumentSet:
    cmr: Cmr | None = None
    invoice: Invoice | None = None
    certificate: Certificate | None = None
    packing_list: PackingList | None = None

    @classmethod
    def from_pages(cls, pages: Iterable[tuple[str, Mapping[str, Any]]]) -> DocumentSet:
        """One set from (doc_type, fields) per page, fields as `cez-kiosk vision read --json` gives them or as
        a ground truth's plain strings. PageRefused names an unknown kind, a kind given twice or fields that are
        not a mapping, with the page's index."""
        built: dict[str, Any] = {}
        for index, (kind, fields) in enumerate(pages):
            if kind in IGNORED_KINDS:
                continue
            build = _MODELS.get(kind)
            if build is None:
                raise PageRefused(index, f"unknown document kind {kind!r}; expected one of {', '.join(_MODELS)}")
            if kind in built:
                raise PageRefused(index, f"two {kind} pages in one consignment: scan one of them only")
            try:
                built[kind] = build(fields)
            except DocumentInputError as exc:
                raise PageRefused(index, str(exc)) from None
        return cls(built.get("cmr"), built.get("invoice"), built.get("certificate_of_origin"),
                   built.get("packing_list"))

    def documents(self) -> list[Document]:
        return [doc for doc in (self.cmr, self.invoice, self.certificate, self.packing_list) if doc is not None]

    def reading_findings(self) -> list[Finding]:
        """What could not be read from the pages themselves (each document's own findings)."""
        return [item for doc in self.documents() for item in doc.findings]
