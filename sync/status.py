"""What a technician asks of a kiosk's sync: how much waits, where, since when, and what was lost.

Read from the kiosk's store through a read-only connection, so it can look while the core runs
(WAL lets a reader in beside the writer) and can never change or create a store. The three places a
pending message can be (the outbox's two acknowledgements, docs/sync.md):

- `not_sent`: never handed to the broker, or due again after a reconnect;
- `awaiting_puback`: handed to the broker, its PUBACK not back yet;
- `awaiting_central_ack`: the broker has it; central has not acknowledged its UUID yet.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sync.outbox import (
    BROKER_ACKED,
    CENTRAL_ACKED,
    ESSENTIAL_PRIORITIES,
    EVICTED_EXPIRED,
    EVICTED_QUOTA,
    PRIORITY_AUDIT,
    PRIORITY_CERTIFICATE,
    PRIORITY_DECLARATION,
    PRIORITY_TELEMETRY,
)

CLASS_NAMES = {
    PRIORITY_DECLARATION: "declaration",
    PRIORITY_CERTIFICATE: "certificate",
    PRIORITY_AUDIT: "audit",
    PRIORITY_TELEMETRY: "telemetry",
}
"""The outbox's priority classes by name; any other priority is counted as "other"."""

NOT_SENT, AWAITING_PUBACK, AWAITING_CENTRAL_ACK = "not_sent", "awaiting_puback", "awaiting_central_ack"


class NotAKioskStore(ValueError):
    """The file is missing, unreadable, or has no outbox: the message says which."""


@dataclass(frozen=True)
class SyncStatus:
    """The figures `cez-kiosk sync status` prints; `attention` lists what a technician must look at."""

    outbox: dict[str, Any]
    inbox: dict[str, Any]
    attention: list[str] = field(default_factory=list)


def open_read_only(path: Path) -> sqlite3.Connection:
    """A read-only connection to an existing kiosk store (NotAKioskStore otherwise)."""
    if not path.is_file():
        raise NotAKioskStore(f"no kiosk store at {path}")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as exc:
        raise NotAKioskStore(f"{path} is not a SQLite database ({exc})") from None
    if "outbox" not in tables:
        conn.close()
        raise NotAKioskStore(f"{path} has no outbox table: not a kiosk store (or never migrated)")
    return conn


def read_status(
    conn: sqlite3.Connection, now: datetime, stale_after_s: float, quota_bytes: int | None = None
) -> SyncStatus:
    """The store's sync figures at `now`. Named in `attention`: essential records pending longer than
    `stale_after_s`, an outbox over its quota (only essential records are left: nothing more can
    make room), and commands recorded but never applied. One read transaction: one snapshot of a
    store the core may be writing meanwhile."""
    conn.execute("BEGIN")
    try:
        return _read(conn, now, stale_after_s, quota_bytes)
    finally:
        conn.execute("ROLLBACK")


def _read(conn: sqlite3.Connection, now: datetime, stale_after_s: float, quota_bytes: int | None) -> SyncStatus:
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    classes: dict[str, dict[str, int]] = {
        name: {NOT_SENT: 0, AWAITING_PUBACK: 0, AWAITING_CENTRAL_ACK: 0} for name in CLASS_NAMES.values()
    }
    oldest: dict[str, str] = {}
    pending_bytes = 0
    for priority, place, count, first, size in conn.execute(
        "SELECT priority, CASE WHEN state = ? THEN ? WHEN last_sent_at IS NULL THEN ? ELSE ? END AS place,"
        " count(*), min(created_at), sum(length(CAST(payload AS BLOB)))"
        f" FROM outbox WHERE state != '{CENTRAL_ACKED}' GROUP BY priority, place",
        [BROKER_ACKED, AWAITING_CENTRAL_ACK, NOT_SENT, AWAITING_PUBACK],
    ):
        name = CLASS_NAMES.get(int(priority), "other")
        classes.setdefault(name, {NOT_SENT: 0, AWAITING_PUBACK: 0, AWAITING_CENTRAL_ACK: 0})[str(place)] += count
        pending_bytes += int(size)
        if name not in oldest or first < oldest[name]:
            oldest[name] = str(first)
    acked, last_ack = conn.execute(
        f"SELECT count(*), max(central_ack_at) FROM outbox WHERE state = '{CENTRAL_ACKED}'"
    ).fetchone()
    evicted = {EVICTED_EXPIRED: 0, EVICTED_QUOTA: 0}
    if "outbox_evictions" in tables:
        for reason, count in conn.execute("SELECT reason, count(*) FROM outbox_evictions GROUP BY reason"):
            evicted[str(reason)] = int(count)
    essential = [CLASS_NAMES[p] for p in sorted(ESSENTIAL_PRIORITIES)]
    ages = {name: _age_s(now, stamp) for name, stamp in oldest.items()}
    outbox = {
        "pending": sum(sum(places.values()) for places in classes.values()),
        "by_class": classes,
        "oldest_pending_age_s": max(ages.values(), default=None),
        "oldest_pending_age_s_by_class": ages,
        "pending_bytes": pending_bytes,
        "quota_bytes": quota_bytes,
        "evicted": evicted,
        "central_acked": int(acked),
        "last_central_ack_at": last_ack,
    }
    attention = []
    stale = conn.execute(
        f"SELECT count(*) FROM outbox WHERE state != '{CENTRAL_ACKED}' AND priority IN"
        f" ({','.join('?' * len(ESSENTIAL_PRIORITIES))}) AND created_at < ?",
        [*sorted(ESSENTIAL_PRIORITIES), _cutoff(now, stale_after_s)],
    ).fetchone()[0]
    if stale:
        worst = max(ages[name] for name in essential if name in ages)
        attention.append(
            f"{stale} declaration/certificate/audit record(s) not acknowledged by central after "
            f"{stale_after_s:g} s (oldest {worst:.0f} s)"
        )
    if quota_bytes is not None and pending_bytes > quota_bytes:
        attention.append(f"outbox holds {pending_bytes} bytes, over its quota of {quota_bytes}")
    inbox = _inbox(conn) if "inbox" in tables else {"recorded": 0, "applied": 0, "not_applied": 0,
                                                    "last_received_at": None}
    if inbox["not_applied"]:
        attention.append(f"{inbox['not_applied']} command(s) from central recorded but not applied")
    return SyncStatus(outbox, inbox, attention)


def _inbox(conn: sqlite3.Connection) -> dict[str, Any]:
    received, applied, last = conn.execute(
        "SELECT count(*), count(applied_at), max(received_at) FROM inbox"
    ).fetchone()
    # Applied commands are pruned after twice the freshness window: "recorded" counts those kept.
    return {"recorded": int(received), "applied": int(applied), "not_applied": int(received) - int(applied),
            "last_received_at": last}


def _age_s(now: datetime, stamp: str) -> float:
    return round((now - datetime.fromisoformat(stamp)).total_seconds(), 3)


def _cutoff(now: datetime, seconds: float) -> str:
    """The outbox's own timestamp format (sync.outbox._stamp), so the comparison as text is right."""
    return (now - timedelta(seconds=seconds)).astimezone(UTC).isoformat(timespec="microseconds")
