"""`cez-kiosk core` as a process, against real mosquitto, central and device simulators."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from websockets.sync.client import connect

from kiosk.api.client import ApiError, CoreUnavailable
from kiosk.core.store import LATEST_VERSION, Store
from tests.fixtures.core import KioskRig, wait_until

WAIT_S = 20.0


def _declaration_uuids(rig: KioskRig) -> list[str]:
    store = Store(rig.data_dir / "kiosk.db")
    try:
        return [row[0] for row in store.db.execute("SELECT uuid FROM declarations")]
    finally:
        store.close()


def _wait_ready(rig: KioskRig) -> None:
    """Right after start the supervisor may still be connecting: wait for every required device."""
    wait_until(lambda: rig.core.api.health()["status"] == "ok", "every required device ready")


def _state(rig: KioskRig, name: str) -> str:
    return str(next(d["state"] for d in rig.core.api.devices() if d["name"] == name))


def test_health_and_devices_report_the_supervisors_statuses(kiosk_rig: KioskRig) -> None:
    kiosk_rig.core.start()
    _wait_ready(kiosk_rig)
    health = kiosk_rig.core.api.health()
    assert health["schema_version"] == LATEST_VERSION
    states = {device["name"]: (device["state"], device["required"]) for device in kiosk_rig.core.api.devices()}
    assert states == {
        "barcode_reader": ("ready", True), "scanner": ("ready", True), "receipt_printer": ("ready", True),
        "camera": ("absent", False), "a4_printer": ("absent", False), "mcu_board": ("absent", False),
    }


def test_a_stopped_printer_shows_and_health_degrades(kiosk_rig: KioskRig) -> None:
    kiosk_rig.core.start()
    _wait_ready(kiosk_rig)
    kiosk_rig.printer.stop()
    wait_until(lambda: _state(kiosk_rig, "receipt_printer") in {"absent", "error"}, "the printer's fault")
    assert kiosk_rig.core.api.health()["status"] == "degraded"


def test_events_stream_over_websocket(kiosk_rig: KioskRig) -> None:
    kiosk_rig.core.start()
    seen: list[str] = []
    ws_url = kiosk_rig.api_url.replace("http://", "ws://") + "/events"
    with connect(ws_url, open_timeout=5) as websocket:
        def collect() -> None:
            for raw in websocket:
                seen.append(json.loads(raw)["type"])
                if "scan.read" in seen:
                    return

        reader = threading.Thread(target=collect, daemon=True)
        reader.start()
        time.sleep(0.2)  # the subscription is registered once the socket is accepted
        kiosk_rig.core.api.scan_cmr()
        reader.join(timeout=WAIT_S)
    assert [kind for kind in seen if kind.startswith("scan.")] == ["scan.started", "scan.read"]


def test_confirm_rejects_unknown_fields_and_double_confirmation(kiosk_rig: KioskRig) -> None:
    kiosk_rig.core.start()
    api = kiosk_rig.core.api
    scan = api.scan_cmr()
    with pytest.raises(ApiError) as bad_field:
        api.confirm(scan.session_id, {"passport": "X"})
    assert bad_field.value.status == 422
    with pytest.raises(ApiError) as bad_weight:
        api.confirm(scan.session_id, {"gross_weight_kg": "heavy"})
    assert bad_weight.value.status == 422
    assert _declaration_uuids(kiosk_rig) == []  # a refused request changed nothing
    api.confirm(scan.session_id, {})
    with pytest.raises(ApiError) as again:
        api.confirm(scan.session_id, {})
    assert again.value.status == 409
    with pytest.raises(ApiError) as unknown:
        api.confirm("no-such-session", {})
    assert unknown.value.status == 404


def test_confirmed_draft_is_published_acknowledged_and_receipted(kiosk_rig: KioskRig) -> None:
    kiosk_rig.core.start()
    api = kiosk_rig.core.api
    scan = api.scan_cmr()
    confirmation = api.confirm(scan.session_id, {"vehicle_plate": "AB-123-CD"})
    wait_until(lambda: api.declaration(confirmation.uuid)["central_acked"], "central's acknowledgement")
    state = api.declaration(confirmation.uuid)
    assert state["broker_acked"] and state["registration_number"]
    assert kiosk_rig.central.received_uuids() == [confirmation.uuid]
    draft = kiosk_rig.central.body(confirmation.uuid)
    assert draft["transport"]["vehicle_plate"] == "AB-123-CD"  # the driver's correction went out
    receipt = kiosk_rig.printer.wait_for_receipt(timeout=5)
    assert receipt is not None and receipt.cut
    assert any(confirmation.reference in line for line in receipt.lines)
    assert api.health()["outbox"]["queued"] == 0


@pytest.mark.parametrize("point", ["after_commit", "before_puback"])
def test_kill_at_crash_point_then_restart_publishes_the_same_uuid(kiosk_rig: KioskRig, point: str) -> None:
    kiosk_rig.core.start({"CEZ_CRASH_AT": point})
    api = kiosk_rig.core.api
    scan = api.scan_cmr()
    # The core dies by SIGKILL inside the confirm call (after_commit) or right after it (before_puback).
    with contextlib.suppress(CoreUnavailable):
        api.confirm(scan.session_id, {})
    assert kiosk_rig.core.wait(timeout=WAIT_S) == -9
    (declaration_uuid,) = _declaration_uuids(kiosk_rig)  # committed before the kill
    deliveries_before = kiosk_rig.central.deliveries(declaration_uuid)
    assert deliveries_before == (0 if point == "after_commit" else 1)

    kiosk_rig.core.start()
    wait_until(lambda: api.declaration(declaration_uuid)["central_acked"], "delivery after restart")
    assert kiosk_rig.central.received_uuids() == [declaration_uuid]  # recorded once
    log = list(kiosk_rig.central.delivery_log)
    assert log == [declaration_uuid] * len(log)  # the same UUID on every delivery
    assert len(log) == kiosk_rig.central.deliveries(declaration_uuid)
    # after_commit: the restart publishes it for the first time. before_puback: the restart
    # publishes it again, unless central's ack, queued by the broker in the kiosk's persistent
    # session while the kiosk was dead, arrives first and retires it.
    assert deliveries_before + (1 if point == "after_commit" else 0) <= len(log) <= deliveries_before + 1


def test_sigterm_with_the_broker_down_loses_nothing(kiosk_rig: KioskRig) -> None:
    kiosk_rig.broker.stop()
    kiosk_rig.core.start()
    api = kiosk_rig.core.api
    confirmation = api.confirm(api.scan_cmr().session_id, {})
    assert api.declaration(confirmation.uuid)["state"] == "queued"
    assert kiosk_rig.core.stop() == 0  # SIGTERM: a clean, graceful exit

    kiosk_rig.broker.start()
    kiosk_rig.core.start()
    wait_until(lambda: api.declaration(confirmation.uuid)["central_acked"], "delivery after restart")
    assert kiosk_rig.central.received_uuids() == [confirmation.uuid]
    assert '"msg": "core stopped"' in kiosk_rig.log_path.read_text()


def test_sigterm_during_a_confirm_loses_nothing(kiosk_rig: KioskRig) -> None:
    kiosk_rig.core.start()
    api = kiosk_rig.core.api
    scan = api.scan_cmr()
    answers: list[str] = []

    def confirm() -> None:
        with contextlib.suppress(CoreUnavailable):
            answers.append(api.confirm(scan.session_id, {}).uuid)

    caller = threading.Thread(target=confirm)
    caller.start()
    assert kiosk_rig.core.process is not None
    kiosk_rig.core.process.terminate()
    caller.join(timeout=WAIT_S)
    assert kiosk_rig.core.wait(timeout=WAIT_S) == 0
    committed = _declaration_uuids(kiosk_rig)
    assert answers == committed or (answers == [] and len(committed) <= 1)  # told done => stored
    kiosk_rig.core.start()
    wait_until(lambda: all(api.declaration(u)["central_acked"] for u in committed), "delivery")


def test_store_from_an_earlier_schema_is_migrated_on_start(kiosk_rig: KioskRig) -> None:
    Store(kiosk_rig.data_dir / "kiosk.db", target_version=1).close()
    kiosk_rig.core.start()
    assert kiosk_rig.core.api.health()["schema_version"] == LATEST_VERSION


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ('[api]\nportt = 1\n', "api.portt: unknown setting"),
        ('[api]\nport = "eighty"\n', "api.port: Input should be a valid integer"),
    ],
)
def test_bad_config_stops_core_with_one_line_and_exit_2(tmp_path: Path, toml: str, expected: str) -> None:
    config = tmp_path / "bad.toml"
    config.write_text(toml)
    result = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "core", "--config", str(config)],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0] and str(config) in lines[0]


def test_core_tells_systemd_ready_watchdog_and_stopping(kiosk_rig: KioskRig, tmp_path: Path) -> None:
    """Type=notify with WatchdogSec: the messages systemd waits for, over its real socket type."""
    import socket

    path = tmp_path / "notify.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as listener:
        listener.bind(str(path))
        listener.settimeout(WAIT_S)
        kiosk_rig.core.start({"NOTIFY_SOCKET": str(path), "WATCHDOG_USEC": "400000"})
        received = [listener.recv(64)]
        while b"WATCHDOG=1" not in received:
            received.append(listener.recv(64))
        assert received[0] == b"READY=1"  # only once the API answers
        assert kiosk_rig.core.stop() == 0
        while b"STOPPING=1" not in received:
            received.append(listener.recv(64))
