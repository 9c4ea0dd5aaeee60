"""The append-only, hash-chained audit log: who did what, and when.

Each row's hash covers the previous row's hash, so a deleted or altered row breaks the chain,
and SQLite triggers refuse UPDATE and DELETE outright. Details must never hold personal data:
ids and references only.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import sqlite_utils

GENESIS = "0" * 64


def create_schema(db: sqlite_utils.Database) -> None:
    db.execute(
        """CREATE TABLE audit_log (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            subject TEXT NOT NULL,
            details TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL
        )"""
    )
    for operation in ("UPDATE", "DELETE"):
        db.execute(
            f"""CREATE TRIGGER audit_log_no_{operation.lower()} BEFORE {operation} ON audit_log
            BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"""
        )


def _digest(prev_hash: str, at: str, actor: str, action: str, subject: str, details: str) -> str:
    material = json.dumps([prev_hash, at, actor, action, subject, details], ensure_ascii=False)
    return hashlib.sha256(material.encode()).hexdigest()


def append(
    db: sqlite_utils.Database, *, actor: str, action: str, subject: str, details: dict[str, Any]
) -> str:
    """Add one event inside the caller's transaction; return its hash."""
    row = db.execute("SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    prev_hash = row[0] if row else GENESIS
    at = datetime.now(UTC).isoformat()
    details_json = json.dumps(details, sort_keys=True, ensure_ascii=False)
    digest = _digest(prev_hash, at, actor, action, subject, details_json)
    db.execute(
        "INSERT INTO audit_log (at, actor, action, subject, details, prev_hash, hash)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [at, actor, action, subject, details_json, prev_hash, digest],
    )
    return digest


def first_broken_link(db: sqlite_utils.Database) -> int | None:
    """Walk the chain; return the seq of the first row that does not verify, or None if intact."""
    prev_hash = GENESIS
    for seq, at, actor, action, subject, details, stored_prev, stored_hash in db.execute(
        "SELECT seq, at, actor, action, subject, details, prev_hash, hash FROM audit_log ORDER BY seq"
    ):
        if stored_prev != prev_hash or _digest(prev_hash, at, actor, action, subject, details) != stored_hash:
            return int(seq)
        prev_hash = stored_hash
    return None
