"""Page images are personal data: purged a configured time after central acknowledged them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kiosk.core.config import KioskConfig
from kiosk.core.service import CoreService

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


@pytest.fixture
def service(tmp_path: Path) -> Iterator[CoreService]:
    config = KioskConfig.model_validate({"store": {"path": str(tmp_path / "kiosk.db"), "page_retention_hours": 24}})
    core = CoreService(config)
    yield core
    core.close()


def _session(service: CoreService, name: str, created: datetime, acked: datetime | None) -> Path:
    page = service.store.pages_dir / f"{name}.png"
    page.write_bytes(b"png")
    service.store.db.table("intake_sessions").insert(
        {"id": name, "kind": "cmr", "state": "confirmed" if acked else "scanned", "page_path": str(page),
         "fields": "{}", "created_at": created.isoformat()}
    )
    if acked is not None:
        service.store.db.table("declarations").insert(
            {"uuid": f"u-{name}", "reference": f"R-{name}", "session_id": name, "draft": "{}",
             "created_at": created.isoformat(), "central_ack_at": acked.isoformat()}
        )
    return page


def test_only_pages_past_retention_are_purged(service: CoreService) -> None:
    old_acked = _session(service, "old-acked", NOW - timedelta(days=3), NOW - timedelta(hours=25))
    fresh_acked = _session(service, "fresh-acked", NOW - timedelta(days=3), NOW - timedelta(hours=23))
    abandoned = _session(service, "abandoned", NOW - timedelta(hours=30), None)
    recent_scan = _session(service, "recent", NOW - timedelta(hours=1), None)

    assert service.purge_pages(NOW) == 2
    assert not old_acked.exists() and not abandoned.exists()
    assert fresh_acked.exists() and recent_scan.exists()
    purged = {row["id"] for row in service.store.db.query(
        "SELECT id FROM intake_sessions WHERE page_purged_at IS NOT NULL")}
    assert purged == {"old-acked", "abandoned"}
    assert service.purge_pages(NOW) == 0  # idempotent


def test_unacknowledged_confirmed_pages_are_kept(service: CoreService) -> None:
    page = service.store.pages_dir / "waiting.png"
    page.write_bytes(b"png")
    service.store.db.table("intake_sessions").insert(
        {"id": "waiting", "kind": "cmr", "state": "confirmed", "page_path": str(page), "fields": "{}",
         "created_at": (NOW - timedelta(days=10)).isoformat()}
    )
    service.store.db.table("declarations").insert(
        {"uuid": "u", "reference": "R", "session_id": "waiting", "draft": "{}",
         "created_at": (NOW - timedelta(days=10)).isoformat()}
    )
    assert service.purge_pages(NOW) == 0  # central has not acknowledged: the evidence stays
    assert page.exists()
