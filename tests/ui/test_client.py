"""KioskApiClient against real sockets: the real core, a port where nothing listens, a socket that
never answers, and (for the one answer the core cannot give on cue) the fake in canned_http."""

from __future__ import annotations

import socket

import httpx
import pytest

from kiosk.api.client import ApiError, CoreUnavailable, FieldReading, KioskApiClient
from kiosk.demo import wait_for_devices
from sync.broker import free_port
from tests.fixtures.core import KioskRig
from tests.ui.canned_http import serve_canned

# The first scan reads a page with Tesseract on a 2-core box.
SCAN_TIMEOUT_S = 60


def test_connection_refused_is_core_unavailable() -> None:
    with KioskApiClient(f"http://127.0.0.1:{free_port()}") as client:
        with pytest.raises(CoreUnavailable):
            client.health()
        with pytest.raises(CoreUnavailable):
            client.scan_cmr()


def test_silent_core_times_out_as_core_unavailable() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        client = KioskApiClient(f"http://127.0.0.1:{port}", timeout=0.3)
        with client, pytest.raises(CoreUnavailable):
            client.health()


def test_conflict_is_api_error_with_the_servers_detail(kiosk_rig: KioskRig, core_api_url: str) -> None:
    kiosk_rig.scanner.unload()
    with KioskApiClient(core_api_url) as client, pytest.raises(ApiError) as raised:
        client.scan_cmr()
    assert raised.value.status == 409
    server_says = httpx.post(f"{core_api_url}/api/v1/cmr/scan", timeout=10)
    assert server_says.status_code == 409
    assert raised.value.detail == server_says.json()["detail"]
    assert "feeder" in raised.value.detail


def test_error_without_json_detail_keeps_the_status() -> None:
    # The fake: the real core answers every error with FastAPI's {"detail": ...}.
    routes = {("GET", "/health"): (500, ["not", "a", "dict"])}
    with serve_canned(routes) as url, KioskApiClient(url) as client, pytest.raises(ApiError) as raised:
        client.health()
    assert raised.value.status == 500
    assert raised.value.detail == "Internal Server Error"


def test_health_and_devices_parse(core_api_url: str) -> None:
    with KioskApiClient(core_api_url + "/") as client:
        wait_for_devices(client, 20)  # right after start the supervisor may still be connecting
        health = client.health()
        devices = client.devices()
    assert health["status"] == "ok"
    assert health["kiosk_id"] == "demo-kiosk"
    assert health["outbox"]["queued"] == 0
    assert devices == health["devices"]
    assert all(set(device) == {"name", "kind", "state", "detail", "required"} for device in devices)
    configured = {device["name"]: device["state"] for device in devices if device["required"]}
    assert configured == {"scanner": "ready", "receipt_printer": "ready", "barcode_reader": "ready"}
    assert all(isinstance(device["kind"], str) and device["kind"] for device in devices)


def test_scan_confirm_and_declaration_against_the_core(core_api_url: str) -> None:
    with KioskApiClient(core_api_url, timeout=SCAN_TIMEOUT_S) as client:
        assert client.health()["status"] in ("ok", "degraded")
        scan = client.scan_cmr()
        assert scan.doc_type == "cmr"
        assert {"sender", "consignee", "vehicle_plate", "gross_weight_kg"} <= set(scan.fields)
        assert all(isinstance(r, FieldReading) and 0 <= r.confidence <= 1 for r in scan.fields.values())

        confirmation = client.confirm(scan.session_id, {"vehicle_plate": "GE-777-XX"})
        assert confirmation.reference
        declaration = client.declaration(confirmation.uuid)
        assert declaration["uuid"] == confirmation.uuid
        assert declaration["reference"] == confirmation.reference
        assert declaration["state"] in ("queued", "broker_acked", "central_acked")

