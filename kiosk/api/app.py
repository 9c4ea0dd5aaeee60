"""The local API: what the touchscreen, the headless demo and the technician's browser call.

It only translates HTTP to the core service's methods and the service's errors to status codes;
it never reaches a driver or the store directly.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, HTTPException, WebSocket, WebSocketDisconnect
from pydantic import BaseModel, ConfigDict, Field

from kiosk import __version__
from kiosk.core.service import CoreService, DeviceNotReady, StorageFull, UnknownSession
from kiosk.flows.cmr_intake import AlreadyConfirmed, IntakeError


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
        return {"devices": [status.to_dict() for status in await service.device_statuses()]}

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

    return app
