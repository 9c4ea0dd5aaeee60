"""The local API: what the touchscreen, the headless demo and the technician's browser call.

It only translates HTTP to the core service's methods and the service's errors to status codes;
it never reaches a driver or the store directly.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI, HTTPException, Request, WebSocket, WebSocketDisconnect
from pydantic import BaseModel, ConfigDict, Field

from kiosk import __version__
from kiosk.core.central_commands import UnknownDataset
from kiosk.core.consignments import ReferenceDataError, UnknownConsignment
from kiosk.core.devices import UnknownDevice
from kiosk.core.service import CoreService, DeviceNotReady, LookupFailed, StorageFull, UnknownSession
from kiosk.flows.cmr_intake import AlreadyConfirmed, IntakeError
from kiosk.flows.consignment_intake import AlreadySubmitted, FlowError, SubmitRefused
from vision.images import MAX_FILE_BYTES

MAX_READING_BYTES = 5_000_000
"""A page's reading as JSON; larger holds no page of a consignment (the CLI's limit for page results)."""


class WireLogRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    on: bool = Field(description="Record the device's traffic (true) or stop and forget it (false).")


class ConfirmRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    fields: dict[str, str] = Field(default_factory=dict, description="Corrections by field name.")


class PageReading(BaseModel):
    model_config = ConfigDict(extra="forbid")
    doc_type: str = Field(description="cmr, invoice, certificate_of_origin or packing_list")
    fields: dict[str, Any] = Field(description="Field name -> {value, confidence, accepted}, or plain text.")


class Correction(BaseModel):
    model_config = ConfigDict(extra="forbid")
    field: str = Field(description="A field path as findings name it: 'cmr.vehicle_plate', 'invoice.items[2].hs_code'.")
    value: str = Field(description="The text as printed on the document.")


class CorrectionsRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    corrections: list[Correction] = Field(min_length=1, max_length=200, description="Applied in order, all or none.")


class AssessmentRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    draft: dict[str, Any] | None = Field(None, description="A SAD draft (`Draft.to_json`).")
    declaration: str | None = Field(None, description="Or the UUID of a declaration this kiosk submitted.")


@contextmanager
def _refusals() -> Iterator[None]:
    """The flows' refusals as status codes: 404 unknown, 409 submitted or blocked, 422 bad input, 503 tables."""
    try:
        yield
    except UnknownConsignment:
        raise HTTPException(404, "no such consignment") from None
    except AlreadySubmitted as exc:
        raise HTTPException(409, str(exc)) from None
    except SubmitRefused as exc:
        raise HTTPException(409, {"message": str(exc), "needs_driver": [item.to_dict() for item in exc.blocking]}) \
            from None
    except FlowError as exc:
        raise HTTPException(422, str(exc)) from None
    except ReferenceDataError as exc:
        raise HTTPException(503, f"reference data unusable: {exc}") from None
    except StorageFull:
        raise HTTPException(507, "the kiosk's storage is full; nothing was recorded, please call staff") from None


def create_app(service: CoreService) -> FastAPI:
    app = FastAPI(title="CEZ Kiosk local API", version=__version__)

    @app.get("/health")
    async def health() -> dict[str, Any]:
        return await service.health()

    @app.get("/devices")
    async def devices() -> dict[str, Any]:
        return {"devices": service.device_statuses()}

    @app.get("/devices/{name}/wire-log")
    async def wire_log(name: str) -> dict[str, Any]:
        try:
            return service.devices.wire_log(name)
        except UnknownDevice:
            raise HTTPException(404, "no such device is configured") from None

    @app.put("/devices/{name}/wire-log")
    async def set_wire_log(name: str, request: WireLogRequest) -> dict[str, Any]:
        """A technician's switch: every byte to and from the device, kept in memory only."""
        try:
            service.devices.set_wire_log(name, request.on)
        except UnknownDevice:
            raise HTTPException(404, "no such device is configured") from None
        except ValueError as exc:
            raise HTTPException(409, str(exc)) from None
        return service.devices.wire_log(name)

    @app.websocket("/events")
    async def events(websocket: WebSocket) -> None:
        await websocket.accept()
        try:
            async for event in service.bus.subscribe():
                await websocket.send_json(event.to_dict())
        except WebSocketDisconnect:
            return

    @app.post("/api/v1/cmr/scan")
    async def scan_cmr() -> dict[str, Any]:
        try:
            return await service.scan_cmr()
        except DeviceNotReady as exc:
            raise HTTPException(409, str(exc)) from None

    @app.post("/api/v1/cmr/{session_id}/confirm")
    async def confirm_cmr(session_id: str, request: ConfirmRequest) -> dict[str, Any]:
        try:
            return await service.confirm_cmr(session_id, request.fields)
        except UnknownSession:
            raise HTTPException(404, "no such scan session") from None
        except AlreadyConfirmed as exc:
            raise HTTPException(409, str(exc)) from None
        except IntakeError as exc:
            raise HTTPException(422, str(exc)) from None
        except StorageFull:
            raise HTTPException(507, "the kiosk's storage is full; nothing was recorded, please call staff") from None

    @app.get("/api/v1/declarations/{declaration_id}")
    async def declaration(declaration_id: str) -> dict[str, Any]:
        try:
            return service.declaration(declaration_id)
        except UnknownSession:
            raise HTTPException(404, "no such declaration") from None

    desk = service.consignments

    @app.post("/api/v1/consignments")
    async def start_consignment() -> dict[str, Any]:
        return desk.start()

    @app.post("/api/v1/consignments/{consignment_id}/pages")
    async def add_page(consignment_id: str, request: Request) -> dict[str, Any]:
        """A page image (any image type, or application/octet-stream), or a reading as JSON {doc_type, fields}."""
        is_json = request.headers.get("content-type", "").split(";")[0].strip() == "application/json"
        limit = MAX_READING_BYTES if is_json else MAX_FILE_BYTES
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > limit:
                raise HTTPException(413, f"a page is at most {limit} bytes")
        if not body:
            raise HTTPException(422, "no page: send an image, or a reading as JSON")
        if not is_json:
            with _refusals():
                return await desk.add_image(consignment_id, bytes(body))
        try:
            reading = PageReading.model_validate(json.loads(body))
        except (ValueError, RecursionError) as exc:
            raise HTTPException(422, f"not a page reading {{doc_type, fields}}: {str(exc).splitlines()[0]}") from None
        with _refusals():
            return desk.add_reading(consignment_id, reading.doc_type, reading.fields)

    @app.get("/api/v1/consignments/{consignment_id}")
    async def consignment(consignment_id: str) -> dict[str, Any]:
        with _refusals():
            return desk.view(consignment_id)

    @app.post("/api/v1/consignments/{consignment_id}/corrections")
    async def correct(consignment_id: str, request: CorrectionsRequest) -> dict[str, Any]:
        pairs = [(item.field, item.value) for item in request.corrections]
        with _refusals():
            return desk.correct(consignment_id, pairs)

    @app.post("/api/v1/consignments/{consignment_id}/submit")
    async def submit(consignment_id: str) -> dict[str, Any]:
        with _refusals():
            return await desk.submit(consignment_id)

    @app.post("/api/v1/assessments")
    async def assessment(request: AssessmentRequest) -> dict[str, Any]:
        """The yellow-channel assessment of a draft, or of a declaration this kiosk submitted."""
        if (request.draft is None) == (request.declaration is None):
            raise HTTPException(422, "give either a draft or a declaration's UUID")
        if request.declaration is not None:
            try:
                draft = desk.declaration_draft(request.declaration)
            except UnknownConsignment:
                raise HTTPException(404, "no consignment declaration with that UUID on this kiosk") from None
        else:
            draft = request.draft or {}
        with _refusals():
            return desk.assess(draft)

    @app.get("/api/v1/hs/suggest")
    async def hs_suggest(q: str = "", top: int = 5) -> dict[str, Any]:
        with _refusals():
            return desk.hs_suggest(q, top)

    @app.get("/api/v1/hs/{code}")
    async def hs_code(code: str) -> dict[str, Any]:
        with _refusals():
            return desk.hs_code(code)

    @app.get("/api/v1/lookups/certificate/{application_number}")
    async def certificate(application_number: str) -> dict[str, Any]:
        """A certificate of origin by its application number, asked of central (never cached here)."""
        try:
            answer = await service.lookup("certificate", {"application_number": application_number})
        except LookupFailed as exc:
            raise HTTPException(504, f"central did not answer: {exc}") from None
        if answer.get("status") == "not_found":
            raise HTTPException(404, "no certificate with that application number")
        if answer.get("status") != "found":
            raise HTTPException(502, f"central could not answer ({answer.get('status')})")
        result: dict[str, Any] = answer.get("result") or {}
        return result

    @app.get("/api/v1/reference")
    async def reference_datasets() -> dict[str, Any]:
        return {"datasets": service.commands.datasets()}

    @app.get("/api/v1/reference/{dataset}")
    async def reference_dataset(dataset: str) -> dict[str, Any]:
        try:
            return service.commands.dataset(dataset)
        except UnknownDataset:
            raise HTTPException(404, "no such reference data") from None

    return app
