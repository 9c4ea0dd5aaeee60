"""Typed HTTP client for the core's local API.

The touchscreen UI and the headless demo both drive the core through this one client, so a
declaration confirmed on the screen and one confirmed by the demo take the same path. It imports
no Kivy: callers decide which thread it runs on.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from types import TracebackType
from typing import Any, cast

import httpx

log = logging.getLogger(__name__)


class CoreUnavailable(Exception):
    """The core did not answer (refused, reset or timed out); the UI shows "one moment" and retries."""


class ApiError(Exception):
    """The core answered with a 4xx/5xx; `detail` is the server's own explanation."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"{status}: {detail}")
        self.status = status
        self.detail = detail


@dataclass(frozen=True)
class FieldReading:
    value: str
    confidence: float


@dataclass(frozen=True)
class ScanResult:
    session_id: str
    doc_type: str
    fields: dict[str, FieldReading]


@dataclass(frozen=True)
class Confirmation:
    uuid: str
    reference: str
    receipt_printed: bool


class KioskApiClient:
    """One connection pool to the core; safe to share between threads (httpx's sync pool is locked)."""

    def __init__(self, base_url: str, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(base_url=self.base_url, timeout=timeout)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> KioskApiClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def health(self) -> dict[str, Any]:
        return cast(dict[str, Any], self._request("GET", "/health"))

    def devices(self) -> list[dict[str, Any]]:
        body = self._request("GET", "/devices")
        return cast(list[dict[str, Any]], body["devices"])

    def scan_cmr(self) -> ScanResult:
        body = self._request("POST", "/api/v1/cmr/scan")
        fields = {
            name: FieldReading(value=str(reading["value"]), confidence=float(reading["confidence"]))
            for name, reading in body["fields"].items()
        }
        return ScanResult(session_id=str(body["session_id"]), doc_type=str(body["doc_type"]), fields=fields)

    def confirm(self, session_id: str, corrections: dict[str, str]) -> Confirmation:
        body = self._request("POST", f"/api/v1/cmr/{session_id}/confirm", json={"fields": corrections})
        return Confirmation(
            uuid=str(body["uuid"]),
            reference=str(body["reference"]),
            receipt_printed=bool(body["receipt_printed"]),
        )

    def declaration(self, uuid: str) -> dict[str, Any]:
        return cast(dict[str, Any], self._request("GET", f"/api/v1/declarations/{uuid}"))

    def certificate(self, application_number: str) -> dict[str, Any]:
        """A certificate of origin by application number, as central knows it (ApiError 404/504)."""
        return cast(dict[str, Any], self._request("GET", f"/api/v1/lookups/certificate/{application_number}"))

    def reference(self, dataset: str) -> dict[str, Any]:
        """Reference data central pushed (ApiError 404 until it has)."""
        return cast(dict[str, Any], self._request("GET", f"/api/v1/reference/{dataset}"))

    # -- consignments: the full intake, tax assessment and HS lookup ------------------------------

    def start_consignment(self) -> str:
        """A new consignment's id."""
        return str(self._request("POST", "/api/v1/consignments")["id"])

    def add_page_image(self, consignment_id: str, image: bytes, content_type: str = "image/png") -> dict[str, Any]:
        """A page image for the core to identify and read; the review as it then stands (ApiError 422 if refused)."""
        return cast(dict[str, Any], self._request("POST", f"/api/v1/consignments/{consignment_id}/pages",
                                                  content=image, headers={"content-type": content_type}))

    def add_page_reading(self, consignment_id: str, doc_type: str, fields: dict[str, Any]) -> dict[str, Any]:
        """A page already read (`cez-kiosk vision read --json`'s doc_type and fields)."""
        return cast(dict[str, Any], self._request("POST", f"/api/v1/consignments/{consignment_id}/pages",
                                                  json={"doc_type": doc_type, "fields": fields}))

    def consignment(self, consignment_id: str) -> dict[str, Any]:
        """Documents, fields, findings, flags and what needs the driver."""
        return cast(dict[str, Any], self._request("GET", f"/api/v1/consignments/{consignment_id}"))

    def correct(self, consignment_id: str, corrections: list[tuple[str, str]]) -> dict[str, Any]:
        """(field path, text) in order, all applied or none (ApiError 422 names the refused one)."""
        body = {"corrections": [{"field": path, "value": value} for path, value in corrections]}
        return cast(dict[str, Any], self._request("POST", f"/api/v1/consignments/{consignment_id}/corrections",
                                                  json=body))

    def submit_consignment(self, consignment_id: str) -> dict[str, Any]:
        """uuid, reference, receipt_printed, flags (ApiError 409 lists what still needs the driver)."""
        return cast(dict[str, Any], self._request("POST", f"/api/v1/consignments/{consignment_id}/submit"))

    def assess(self, *, draft: dict[str, Any] | None = None, declaration: str | None = None) -> dict[str, Any]:
        """The yellow-channel assessment of a draft or of a submitted declaration: assessment and printable lines."""
        return cast(dict[str, Any], self._request("POST", "/api/v1/assessments",
                                                  json={"draft": draft, "declaration": declaration}))

    def hs_code(self, code: str) -> dict[str, Any]:
        return cast(dict[str, Any], self._request("GET", f"/api/v1/hs/{code}"))

    def hs_suggest(self, text: str, top: int = 5) -> dict[str, Any]:
        return cast(dict[str, Any], self._request("GET", "/api/v1/hs/suggest", params={"q": text, "top": top}))

    def _request(self, method: str, path: str, json: Any = None, *, content: bytes | None = None,
                 headers: dict[str, str] | None = None, params: dict[str, Any] | None = None) -> Any:
        try:
            response = self._http.request(method, path, json=json, content=content, headers=headers, params=params)
        except httpx.TransportError as exc:
            # Connect errors, resets and timeouts all mean the same to a kiosk user: wait for the core.
            log.debug("core unavailable: %s %s (%s)", method, path, type(exc).__name__)
            raise CoreUnavailable(f"{method} {path}: {type(exc).__name__}") from exc
        if response.is_error:
            raise ApiError(response.status_code, _detail_of(response))
        return response.json()


def _detail_of(response: httpx.Response) -> str:
    """FastAPI puts its explanation in `detail`; fall back to the reason phrase for anything else."""
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        detail = None
    if detail is None:
        return response.reason_phrase
    return detail if isinstance(detail, str) else str(detail)
