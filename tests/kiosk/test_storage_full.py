"""A full disk refuses the driver's confirmation with a clear error and records nothing half-way."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from kiosk.core import audit
from kiosk.core.config import KioskConfig
from kiosk.core.service import CoreService, StorageFull
from kiosk.core.store import StoreFull

READ = {
    "sender": {"value": "Kartuli Logistics LLC, 12 Rustaveli Avenue, 0108 Tbilisi, Georgia", "confidence": 0.95},
    "consignee": {"value": "Anadolu Tekstil AS, 61030 Trabzon, Turkey", "confidence": 0.95},
    "vehicle_plate": {"value": "AB-123-CD", "confidence": 0.95},
    "gross_weight_kg": {"value": "18240", "confidence": 0.95},
}


def test_full_store_refuses_confirmation_and_keeps_nothing(tmp_path: Path) -> None:
    config = KioskConfig.model_validate({"store": {"path": str(tmp_path / "kiosk.db")}})
    service = CoreService(config)
    try:
        service.store.db.table("intake_sessions").insert(
            {"id": "s1", "kind": "cmr", "state": "scanned", "page_path": None, "fields": json.dumps(READ),
             "created_at": "2026-11-21T00:00:00+00:00"}
        )
        db = service.store.db
        db.execute(f"PRAGMA max_page_count = {db.execute('PRAGMA page_count').fetchone()[0] + 4}")
        with pytest.raises(StoreFull):
            while True:  # technicians' audit events fill the last pages: the disk is full from now on
                with service.store.durable() as tx:
                    audit.append(tx, actor="technician", action="device.test", subject="printer", details={})
        audited = db.table("audit_log").count
        with pytest.raises(StorageFull, match="full"):
            asyncio.run(service.confirm_cmr("s1", {}))
        assert service.store.db.table("declarations").count == 0
        assert db.table("audit_log").count == audited
        assert audit.first_broken_link(db) is None
        assert service.store.db.table("intake_sessions").get("s1")["state"] == "scanned"  # can retry
    finally:
        service.close()
