"""The local API: what the touchscreen, the headless demo and the technician's browser call.

It only translates HTTP to the core service's methods and the service's errors to status codes;
it never reaches a driver or the store directly.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, HTTPException, WebSocket, WebSocketDisconnect
from pydantic import BaseModel, ConfigDict, Field

from kiosk import __version__
from kiosk.core.central_commands import UnknownDataset
from kiosk.core.devices import UnknownDevice
from kiosk.core.service import CoreService, DeviceNotReady, LookupFailed, StorageFull, UnknownSession
from kiosk.flows.cmr_intake import AlreadyConfirmed, IntakeError


class WireLogRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    on: bool = Field(description="Record the device's traffic (true) or stop and forget it (false).")


class ConfirmRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    fields: dict[str, str] = Field(default_factory=dict, description="Corrections by field name.")


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
