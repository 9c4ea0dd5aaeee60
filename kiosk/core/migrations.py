"""Schema migrations: an ordered list, applied once each, recorded in `schema_version`.

A kiosk in the field may have been switched off for months; on start it is brought from
whatever version its store has to the latest, one step at a time, each step in one transaction.
Never edit a released migration: add the next one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlite_utils

from kiosk.core import audit
from sync import inbox, outbox


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    apply: Callable[[sqlite_utils.Database], None]


def _base_schema(db: sqlite_utils.Database) -> None:
    audit.create_schema(db)
    outbox.create_schema(db)
    db.execute(
        """CREATE TABLE intake_sessions (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            state TEXT NOT NULL,
            page_path TEXT,
            fields TEXT NOT NULL,
            created_at TEXT NOT NULL,
            confirmed_at TEXT
        )"""
    )
    db.execute(
        """CREATE TABLE declarations (
            uuid TEXT PRIMARY KEY,
            reference TEXT NOT NULL UNIQUE,
            session_id TEXT NOT NULL REFERENCES intake_sessions(id),
            draft TEXT NOT NULL,
            created_at TEXT NOT NULL
        )"""
    )


def _registration_numbers(db: sqlite_utils.Database) -> None:
    """Central's acknowledgement carries the registration number; page images get purged."""
    db.execute("ALTER TABLE declarations ADD COLUMN registration_number TEXT")
    db.execute("ALTER TABLE declarations ADD COLUMN central_ack_at TEXT")
    db.execute("ALTER TABLE intake_sessions ADD COLUMN page_purged_at TEXT")


def _outbox_expiry_and_inbox(db: sqlite_utils.Database) -> None:
    """Telemetry expiry and quota evictions in the outbox; the inbox of central's signed commands."""
    outbox.extend_schema(db)
    inbox.create_schema(db)


def _reference_data_and_receipts(db: sqlite_utils.Database) -> None:
    """Reference data central pushes by signed command (HS nomenclature, tariffs, rates, revocations),
    and which print job is which declaration's receipt."""
    db.execute(
        """CREATE TABLE receipts (
            job_id INTEGER PRIMARY KEY,
            declaration_uuid TEXT NOT NULL REFERENCES declarations(uuid),
            printed_at TEXT
        )"""
    )
    db.execute(
        """CREATE TABLE reference_data (
            dataset TEXT PRIMARY KEY,
            version TEXT NOT NULL,
            issued_at TEXT NOT NULL,
            command_id TEXT NOT NULL,
            data TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )"""
    )


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "base schema: audit log, outbox, intake sessions, declarations", _base_schema),
    Migration(2, "registration numbers and page purging", _registration_numbers),
    Migration(3, "outbox expiry and evictions, inbox", _outbox_expiry_and_inbox),
    Migration(4, "reference data from central, receipts", _reference_data_and_receipts),
)


def current_version(db: sqlite_utils.Database) -> int:
    if not db["schema_version"].exists():
        return 0
    row = db.execute("SELECT MAX(version) FROM schema_version").fetchone()
    return int(row[0] or 0)


def apply_migrations(db: sqlite_utils.Database, *, target: int | None = None) -> int:
    """Bring the store up to `target` (default: latest); return the version it is at."""
    db.execute(
        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT, applied_at TEXT)"
    )
    have = current_version(db)
    goal = MIGRATIONS[-1].version if target is None else target
    if have > MIGRATIONS[-1].version:
        raise RuntimeError(f"store schema version {have} is newer than this software ({goal})")
    for migration in MIGRATIONS:
        if have < migration.version <= goal:
            with db.atomic():
                migration.apply(db)
                db.table("schema_version").insert(
                    {
                        "version": migration.version,
                        "name": migration.name,
                        "applied_at": datetime.now(UTC).isoformat(),
                    }
                )
            have = migration.version
    return have
