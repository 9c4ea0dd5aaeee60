"""The core's side of the full intake, the tax assessment and the HS lookup: the flows of `kiosk.flows` bound to the
store, the vision pool, the nomenclature, the models and the reference data central pushed.

A consignment is an intake session of kind `consignment`: its row holds the pages as read and the driver's
corrections (JSON), so a core restart loses nothing, and its declaration takes the skeleton's durable path
(`CoreService.record_declaration`). Page images are read and not kept: only the readings are stored, so no image
waits to be purged. Tariff, rates and reference values are central's (`reference_data` datasets `tariffs`, `rates`,
`reference_values`) once pushed, else the samples shipped with the code. A pushed table is checked when it arrives
(`kiosk.core.central_commands`); one stored by an older core that does not validate is refused with a message rather
than replaced by a sample for an assessment, while the risk flags, which never block, do without the rates or with the
sample reference values (marked as a sample). Every method runs on the loop thread
(the store's single writer) except page reading, which runs in the vision pool.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import Executor
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cached_property
from typing import Any, TypeVar

from edge_models.bundle import BundleError
from edge_models.hs.suggester import MODEL_NAME, HsSuggester
from edge_models.registry import Registry, RegistryError
from kiosk.core.config import KioskConfig
from kiosk.core.store import Store
from kiosk.customs.document_set import DocumentSet
from kiosk.customs.drafting import Declaration, declare
from kiosk.customs.findings import Finding, Severity
from kiosk.customs.nomenclature import Nomenclature, NomenclatureError
from kiosk.customs.rates import RateTable, load_rates, rates_from
from kiosk.customs.risk import TOP_K, Flag, load_reference_values, reference_values_from, risk_flags
from kiosk.customs.tariff import TableError, load_tariff, tariff_from
from kiosk.flows.consignment_intake import AlreadySubmitted, Consignment, ConsignmentState, FlowError, Page
from kiosk.flows.hs_lookup import HsLookup
from kiosk.flows.tax_assessment import TaxAssessment
from vision.images import load_gray
from vision.pipeline import Settings, UnreadableImage, read_page

log = logging.getLogger(__name__)
T = TypeVar("T")

KIND = "consignment"
Record = Callable[[str, str, str, str, dict[str, Any], datetime, list[str]], Awaitable[dict[str, Any]]]
"""`CoreService.record_declaration`: (session, state, uuid, reference, body, now, corrected) -> the receipt's
answer."""


class UnknownConsignment(KeyError):
    pass


class ReferenceDataError(RuntimeError):
    """A table central pushed does not validate: nothing can be computed from it until central pushes a good one."""


class Consignments:
    def __init__(self, store: Store, config: KioskConfig, models: Registry, vision: Executor,
                 record: Record) -> None:
        self._store = store
        self._config = config
        self._models = models
        self._vision = vision
        self._record = record
        self._nomenclatures: dict[date, Nomenclature] = {}

    # -- intake ----------------------------------------------------------------------------------

    def start(self) -> dict[str, Any]:
        consignment_id = str(uuid.uuid4())
        self._store.db.table("intake_sessions").insert({
            "id": consignment_id, "kind": KIND, "state": ConsignmentState.COLLECTING.value, "page_path": None,
            "fields": json.dumps({"pages": [], "corrections": []}), "created_at": datetime.now(UTC).isoformat()})
        return {"id": consignment_id, "state": ConsignmentState.COLLECTING.value}

    async def add_image(self, consignment_id: str, image: bytes) -> dict[str, Any]:
        """Read a page image in the vision pool (identify, read, accept), then add its reading."""
        self._load(consignment_id)  # an unknown or submitted consignment is refused before any reading
        loop = asyncio.get_running_loop()
        try:
            reading = await loop.run_in_executor(
                self._vision, lambda: read_page(load_gray(image), self._settings).to_dict())
        except UnreadableImage as exc:
            raise FlowError(f"the page image cannot be read: {exc}") from None
        return self.add_reading(consignment_id, str(reading["doc_type"]), reading["fields"])

    def add_reading(self, consignment_id: str, doc_type: str, fields: object) -> dict[str, Any]:
        """Add a page already read (`cez-kiosk vision read --json`'s doc_type and fields)."""
        consignment = self._load(consignment_id).add_page(doc_type, fields)
        self._save(consignment_id, consignment)
        return self.view(consignment_id, consignment)

    def correct(self, consignment_id: str, corrections: Sequence[tuple[str, str]]) -> dict[str, Any]:
        """Apply the driver's corrections in order; one refused leaves every one unapplied."""
        consignment = self._load(consignment_id)
        if not corrections:
            raise FlowError("no correction given")
        check = self._checker()
        for path, value in corrections:
            consignment = consignment.correct(path, value, check)
        self._save(consignment_id, consignment)
        return self.view(consignment_id, consignment)

    def view(self, consignment_id: str, consignment: Consignment | None = None) -> dict[str, Any]:
        """What the driver reviews: documents, fields, findings, flags, and what still needs the driver."""
        consignment = consignment or self._load(consignment_id, submitted_ok=True)
        review = consignment.review(self._checker())
        row = self._store.db.execute("SELECT uuid FROM declarations WHERE session_id = ?", [consignment_id]).fetchone()
        return {
            "id": consignment_id, "state": review.state.value,
            "documents": [document.kind for document in review.documents.documents()],
            "fields": review.fields(), "findings": [item.to_dict() for item in review.findings],
            "flags": [flag.to_dict() for flag in self._flags(review.documents)],
            "needs_driver": [item.to_dict() for item in review.needs_driver],
            "declaration": row[0] if row is not None else None,
        }

    async def submit(self, consignment_id: str) -> dict[str, Any]:
        """Draft, and record through the durable path; SubmitRefused while anything needs the driver."""
        consignment = self._load(consignment_id)
        submitted, review = consignment.submit(self._checker())
        now = datetime.now(UTC)
        declaration = self._declare(review.documents, flags=self._flags(review.documents), created_at=now)
        if declaration.draft is None:  # the checker saw the same set: a draft-less set had blocking findings
            raise FlowError("the declaration could not be drafted: " + "; ".join(
                item.message for item in declaration.findings if item.severity is Severity.ERROR))
        draft = declaration.draft
        body = {"type": "export_declaration", **declaration.to_dict()}
        corrected = sorted({path for path, _ in submitted.corrections})
        # no await before the commit: nothing else on the loop can submit this consignment in between
        answer = await self._record(consignment_id, ConsignmentState.SUBMITTED.value, draft.uuid, draft.reference,
                                    body, now, corrected)
        log.info("consignment submitted", extra={"ctx": {"id": consignment_id, "uuid": draft.uuid}})
        return {**answer, "flags": body["flags"],
                "warnings": [item.to_dict() for item in declaration.findings if item.severity is Severity.WARNING]}

    # -- assessment and HS -----------------------------------------------------------------------

    def assess(self, draft: object) -> dict[str, Any]:
        flow = TaxAssessment(self._table("tariffs", tariff_from, load_tariff), self._rates()).take_draft(draft)
        return flow.result()

    def declaration_draft(self, declaration_id: str) -> dict[str, Any]:
        """The SAD draft of one of this kiosk's consignment declarations (UnknownConsignment otherwise)."""
        row = self._store.db.execute("SELECT draft FROM declarations WHERE uuid = ?", [declaration_id]).fetchone()
        body = json.loads(row[0]) if row is not None else {}
        if not isinstance(body.get("draft"), dict):
            raise UnknownConsignment(declaration_id)
        draft: dict[str, Any] = body["draft"]
        return draft

    def hs_code(self, code: str) -> dict[str, Any]:
        answer = HsLookup(self._nomenclature()).look_up(code).answer
        assert answer is not None
        return answer

    def hs_suggest(self, text: str, top: int) -> dict[str, Any]:
        answer = HsLookup(self._nomenclature(), self._suggest()).suggestions(text, top).answer
        assert answer is not None
        return answer

    # -- the parts -------------------------------------------------------------------------------

    def _load(self, consignment_id: str, *, submitted_ok: bool = False) -> Consignment:
        row = self._store.db.execute(
            "SELECT state, fields FROM intake_sessions WHERE id = ? AND kind = ?", [consignment_id, KIND]).fetchone()
        if row is None:
            raise UnknownConsignment(consignment_id)
        saved = json.loads(row[1])
        consignment = Consignment(
            pages=tuple(Page(page["doc_type"], page["fields"]) for page in saved["pages"]),
            corrections=tuple((path, value) for path, value in saved["corrections"]),
            submitted=row[0] == ConsignmentState.SUBMITTED.value)
        if consignment.submitted and not submitted_ok:
            raise AlreadySubmitted("this consignment was already submitted")
        return consignment

    def _save(self, consignment_id: str, consignment: Consignment) -> None:
        saved = {"pages": [{"doc_type": page.doc_type, "fields": page.fields} for page in consignment.pages],
                 "corrections": [list(pair) for pair in consignment.corrections]}
        self._store.db.execute("UPDATE intake_sessions SET state = ?, fields = ? WHERE id = ?",
                               [consignment.state.value, json.dumps(saved, ensure_ascii=False), consignment_id])

    @cached_property
    def _settings(self) -> Settings:
        return Settings.with_calibration(None, langs=self._config.vision.ocr_languages,
                                         models_dir=self._config.models.registry_dir)

    def _nomenclature(self) -> Nomenclature:
        today = datetime.now(UTC).date()
        if today not in self._nomenclatures:
            try:
                self._nomenclatures = {today: Nomenclature.load(self._config.models.hs_data_dir, today)}
            except NomenclatureError as exc:
                raise ReferenceDataError(str(exc)) from None
        return self._nomenclatures[today]

    def _declare(self, documents: DocumentSet, *, flags: Sequence[Flag] = (),
                 created_at: datetime | None = None) -> Declaration:
        nomenclature = self._nomenclature()
        return declare(documents, on=datetime.now(UTC).date(), nomenclature=nomenclature,
                       kiosk_id=self._config.kiosk.id, office=self._config.kiosk.office, flags=flags,
                       created_at=created_at)

    def _checker(self) -> Callable[[DocumentSet], list[Finding]]:
        return lambda documents: self._declare(documents).findings

    def _suggest(self) -> Callable[[str, int], list[tuple[str, float]]] | None:
        try:
            suggester = HsSuggester(self._models.active(MODEL_NAME))
        except (BundleError, RegistryError, ValueError, OSError) as exc:
            log.warning("HS suggester not available: %s", exc)
            return None
        return lambda text, top: [(found.code, found.score) for found in suggester.suggest(text, top)]

    def _flags(self, documents: DocumentSet) -> list[Flag]:
        suggest = self._suggest()
        one = (lambda text: suggest(text, TOP_K)) if suggest is not None else None
        try:
            references = self._table("reference_values", reference_values_from, load_reference_values)
        except ReferenceDataError as exc:  # flags never block the intake: the sample (marked so) stands in
            log.warning("risk flags from the sample reference values: %s", exc)
            references = load_reference_values()
        try:
            return risk_flags(documents, references=references, suggest=one, rates=self._rates(),
                              on=datetime.now(UTC).date())
        except (TableError, ReferenceDataError) as exc:  # no usable rate for today: other currencies not compared
            log.warning("risk flags without exchange rates: %s", exc)
            return risk_flags(documents, references=references, suggest=one)

    def _rates(self) -> RateTable:
        return self._table("rates", rates_from, load_rates)

    def _dataset(self, name: str) -> Any | None:
        """A dataset central pushed, numbers with a fraction as Decimal (no rate passes through a float)."""
        row = self._store.db.execute("SELECT data FROM reference_data WHERE dataset = ?", [name]).fetchone()
        return None if row is None else json.loads(row[0], parse_float=Decimal)

    def _table(self, dataset: str, parse: Callable[[Any, str], T], sample: Callable[[], T]) -> T:
        """Central's `dataset` once pushed (parsed as on arrival), else the shipped sample; ReferenceDataError when a
        stored table no longer validates."""
        data = self._dataset(dataset)
        try:
            return sample() if data is None else parse(data, f"central's {dataset}")
        except TableError as exc:
            raise ReferenceDataError(str(exc)) from None
