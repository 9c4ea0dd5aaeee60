"""KioskApiClient against real sockets: a running core, a canned server, and nothing at all."""

from __future__ import annotations

import socket

import pytest

from kiosk.api.client import ApiError, CoreUnavailable, FieldReading, KioskApiClient
from tests.ui.canned_http import HEALTHY, free_port, serve_canned


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


def test_conflict_is_api_error_with_the_servers_detail() -> None:
    routes = {("POST", "/api/v1/cmr/scan"): (409, {"detail": "feeder empty"})}
    with serve_canned(routes) as url, KioskApiClient(url) as client, pytest.raises(ApiError) as raised:
        client.scan_cmr()
    assert raised.value.status == 409
    assert raised.value.detail == "feeder empty"


def test_error_without_json_detail_keeps_the_status() -> None:
    routes = {("GET", "/health"): (500, ["not", "a", "dict"])}
    with serve_canned(routes) as url, KioskApiClient(url) as client, pytest.raises(ApiError) as raised:
        client.health()
    assert raised.value.status == 500
    assert raised.value.detail == "Internal Server Error"


def test_health_and_devices_parse() -> None:
    routes = dict(HEALTHY)
    routes[("GET", "/devices")] = (
        200,
        {"devices": [{"name": "scanner", "kind": "scanner", "state": "ready", "detail": ""}]},
    )
    with serve_canned(routes) as url, KioskApiClient(url + "/") as client:
        assert client.health()["status"] == "ok"
        assert client.devices() == [{"name": "scanner", "kind": "scanner", "state": "ready", "detail": ""}]


def test_scan_confirm_and_declaration_against_the_core(core_api_url: str) -> None:
    with KioskApiClient(core_api_url, timeout=60) as client:
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

        with pytest.raises(ApiError) as again:
            client.confirm(scan.session_id, {})
        assert again.value.status == 409
        with pytest.raises(ApiError) as unknown:
            client.confirm("no-such-session", {})
        assert unknown.value.status == 404
