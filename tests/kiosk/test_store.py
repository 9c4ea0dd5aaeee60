from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from kiosk.core import audit
from kiosk.core.migrations import MIGRATIONS, current_version
from kiosk.core.store import LATEST_VERSION, Store


def test_new_store_is_at_latest_version_in_wal_mode(store: Store) -> None:
    assert store.schema_version == LATEST_VERSION == MIGRATIONS[-1].version
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_store_from_an_earlier_version_is_migrated_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = Store(path, target_version=1)
    assert old.schema_version == 1
    old.db["intake_sessions"].insert(
        {"id": "s1", "kind": "cmr", "state": "scanned", "page_path": None, "fields": "{}",
         "created_at": "2026-01-01T00:00:00+00:00"}
    )
    assert "registration_number" not in old.db["declarations"].columns_dict
    old.close()

    reopened = Store(path)
    assert reopened.schema_version == LATEST_VERSION
    assert current_version(reopened.db) == LATEST_VERSION
    assert "registration_number" in reopened.db["declarations"].columns_dict
    assert reopened.db["intake_sessions"].get("s1")["state"] == "scanned"
    reopened.close()


def test_a_store_from_newer_software_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO schema_version (version, name, applied_at) VALUES (99, 'future', '')")
    conn.commit()
    conn.close()
    with pytest.raises(RuntimeError, match="newer than this software"):
        Store(path)


def test_durable_transaction_rolls_back_as_a_whole(store: Store) -> None:
    with pytest.raises(ZeroDivisionError), store.durable() as db:
        audit.append(db, actor="test", action="x", subject="s", details={})
        _ = 1 / 0
    assert store.db["audit_log"].count == 0
    assert store.db.execute("PRAGMA synchronous").fetchone()[0] == 1  # back to NORMAL afterwards


def test_audit_chain_verifies_and_cannot_be_edited(store: Store) -> None:
    for n in range(3):
        with store.durable() as db:
            audit.append(db, actor="technician", action="device.test", subject=f"d{n}", details={"n": n})
    assert audit.first_broken_link(store.db) is None
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store.db.execute("UPDATE audit_log SET actor = 'someone else' WHERE seq = 2")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store.db.execute("DELETE FROM audit_log WHERE seq = 2")


def test_audit_chain_detects_a_forged_row(store: Store) -> None:
    for n in range(3):
        with store.durable() as db:
            audit.append(db, actor="kiosk", action="receipt.printed", subject=f"d{n}", details={})
    # Someone with the file bypasses the triggers: the chain still gives them away.
    store.db.execute("DROP TRIGGER audit_log_no_update")
    store.db.execute("UPDATE audit_log SET subject = 'forged' WHERE seq = 2")
    assert audit.first_broken_link(store.db) == 2
