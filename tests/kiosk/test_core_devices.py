"""Devices in the running core: the supervisor's statuses, device events on the bus, and receipts
through the durable print queue, against the simulators over real sockets and ptys."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
from websockets.sync.client import connect

from kiosk.core.store import Store
from tests.fixtures.core import KioskRig, wait_until

WAIT_S = 20.0


def _state(rig: KioskRig, name: str) -> str:
    return str(next(d["state"] for d in rig.core.api.devices() if d["name"] == name))


def _start_ready(rig: KioskRig) -> None:
    rig.core.start()
    wait_until(lambda: rig.core.api.health()["status"] == "ok", "every required device ready")


class EventCollector:
    """Reads the core's /events WebSocket in a thread until `until` matches an event."""

    def __init__(self, rig: KioskRig, until: Callable[[dict[str, Any]], bool]) -> None:
        self.events: list[dict[str, Any]] = []
        self._url = rig.api_url.replace("http://", "ws://") + "/events"
        self._until = until
        self._open = threading.Event()
        self._thread = threading.Thread(target=self._collect, daemon=True)
        self._thread.start()
        assert self._open.wait(5), "the /events WebSocket did not open"
        time.sleep(0.2)  # the subscription is registered once the socket is accepted

    def _collect(self) -> None:
        with connect(self._url, open_timeout=5) as websocket:
            self._open.set()
            for raw in websocket:
                event = json.loads(raw)
                self.events.append(event)
                if self._until(event):
                    return

    def wait(self) -> list[dict[str, Any]]:
        self._thread.join(timeout=WAIT_S)
        return self.events


def test_a_barcode_scan_reaches_the_events_websocket(kiosk_rig: KioskRig) -> None:
    _start_ready(kiosk_rig)
    collector = EventCollector(kiosk_rig, lambda event: event["type"] == "barcode.scanned")
    kiosk_rig.barcode.scan("CO-2026-0001", "]Q1")
    events = collector.wait()
    scans = [event["data"] for event in events if event["type"] == "barcode.scanned"]
    assert scans == [{"reader": "barcode_reader", "data": "CO-2026-0001", "symbology": "qr"}]
    assert "CO-2026-0001" not in kiosk_rig.log_path.read_text()  # scans may be personal data: never logged


def test_device_state_changes_reach_the_bus_and_a_replugged_reader_scans_again(kiosk_rig: KioskRig) -> None:
    _start_ready(kiosk_rig)
    collector = EventCollector(
        kiosk_rig, lambda e: e["type"] == "device.state" and e["data"]["name"] == "barcode_reader"
        and e["data"]["state"] == "ready",
    )
    kiosk_rig.barcode.set_fault("unplug")  # the reader's pty and its link path vanish
    wait_until(lambda: _state(kiosk_rig, "barcode_reader") == "absent", "the unplugged reader shown absent")
    assert kiosk_rig.core.api.health()["status"] == "degraded"
    kiosk_rig.barcode.set_fault("unplug", on=False)
    states = [e["data"]["state"] for e in collector.wait() if e["type"] == "device.state"]
    assert "absent" in states and states[-1] == "ready"

    collector = EventCollector(kiosk_rig, lambda event: event["type"] == "barcode.scanned")
    kiosk_rig.barcode.scan("AFTER-REPLUG")
    assert [e["data"]["data"] for e in collector.wait() if e["type"] == "barcode.scanned"] == ["AFTER-REPLUG"]


def test_paper_out_receipt_prints_in_full_once_paper_is_back(kiosk_rig: KioskRig) -> None:
    _start_ready(kiosk_rig)
    api = kiosk_rig.core.api
    kiosk_rig.printer.set_fault("paper_out")
    wait_until(lambda: _state(kiosk_rig, "receipt_printer") == "degraded", "paper out seen")
    confirmation = api.confirm(api.scan_cmr().session_id, {})
    assert confirmation.receipt_printed is False  # told at once: the receipt waits for paper
    assert api.health()["counters"]["receipts_queued"] == 1
    assert kiosk_rig.printer.wait_for_receipt(timeout=1.0) is None

    kiosk_rig.printer.set_fault("paper_out", on=False)
    receipt = kiosk_rig.printer.wait_for_receipt(timeout=WAIT_S)
    assert receipt is not None and receipt.cut
    assert any(confirmation.reference in line for line in receipt.lines)
    wait_until(lambda: api.health()["counters"]["receipts_queued"] == 0, "the queue drained")
    time.sleep(0.5)  # a duplicate would come right behind it
    assert len(kiosk_rig.printer.receipts) == 1 and kiosk_rig.printer.spoiled == []
    store = Store(kiosk_rig.data_dir / "kiosk.db")
    try:
        printed = store.db.execute(
            "SELECT subject FROM audit_log WHERE action = 'receipt.printed'"
        ).fetchall()
    finally:
        store.close()
    assert printed == [(confirmation.uuid,)]


def test_paper_running_out_mid_receipt_reprints_it_whole(kiosk_rig: KioskRig) -> None:
    _start_ready(kiosk_rig)
    api = kiosk_rig.core.api
    kiosk_rig.printer.run_out_after(3)  # the roll ends three lines into the receipt
    confirmation = api.confirm(api.scan_cmr().session_id, {})
    assert confirmation.receipt_printed is False
    assert len(kiosk_rig.printer.spoiled) == 1
    kiosk_rig.printer.set_fault("paper_out", on=False)  # a new roll
    receipt = kiosk_rig.printer.wait_for_receipt(timeout=WAIT_S)
    assert receipt is not None and receipt.cut
    assert any(confirmation.reference in line for line in receipt.lines)
    time.sleep(0.5)
    assert len(kiosk_rig.printer.receipts) == 1


def test_a_technician_switches_a_devices_wire_log_at_runtime(kiosk_rig: KioskRig) -> None:
    _start_ready(kiosk_rig)
    http = httpx.Client(base_url=kiosk_rig.api_url, timeout=10)
    assert http.get("/devices/barcode_reader/wire-log").json() == {"name": "barcode_reader", "on": False,
                                                                   "records": []}
    assert http.put("/devices/barcode_reader/wire-log", json={"on": True}).json()["on"] is True
    kiosk_rig.barcode.scan("WIRE-1")
    expected = b"]C0WIRE-1\r".hex(" ")

    def logged() -> bool:
        records = http.get("/devices/barcode_reader/wire-log").json()["records"]
        return expected in " ".join(r["hex"] for r in records if r["dir"] == "rx")  # reads may split it

    wait_until(logged, "the scan's bytes in the wire log")
    assert http.put("/devices/barcode_reader/wire-log", json={"on": False}).json() == {
        "name": "barcode_reader", "on": False, "records": []}
    assert http.put("/devices/camera/wire-log", json={"on": True}).status_code == 404  # not configured
    assert http.put("/devices/barcode_reader/wire-log", json={"on": "maybe"}).status_code == 422
    assert http.get("/devices/barcode_reader/wire-log").json()["on"] is False  # refused requests changed nothing
