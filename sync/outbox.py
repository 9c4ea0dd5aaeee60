"""The durable outbox: every message that must reach central, in the kiosk's SQLite.

paho keeps unacknowledged messages in memory only, so the outbox is the store and the MQTT client
is just a way out. A row moves queued -> broker_acked (the broker's PUBACK: transport progress)
-> central_acked (central's acknowledgement of the UUID). Only the last one takes it out of the
active outbox; the row itself stays, as the record of what was sent and its registration number.

Threading: the `Database` belongs to one thread (the kiosk's asyncio loop); `sync.pump` makes sure
every write happens there.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlite_utils import Database

QUEUED = "queued"
BROKER_ACKED = "broker_acked"
CENTRAL_ACKED = "central_acked"

PRIORITY_DECLARATION = 0
PRIORITY_TELEMETRY = 9

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS outbox (
    uuid TEXT PRIMARY KEY,
    topic TEXT NOT NULL,
    payload TEXT NOT NULL,
    kind TEXT NOT NULL,
    priority INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_sent_at TEXT,
    puback_at TEXT,
    central_ack_at TEXT,
    registration_number TEXT,
    state TEXT NOT NULL DEFAULT '{QUEUED}'
        CHECK (state IN ('{QUEUED}', '{BROKER_ACKED}', '{CENTRAL_ACKED}'))
);
CREATE INDEX IF NOT EXISTS outbox_active ON outbox (state, priority, created_at);
"""

_COLUMNS = (
    "uuid, topic, payload, kind, priority, created_at, attempts, last_sent_at, puback_at, "
    "central_ack_at, registration_number, state"
)


def create_schema(db: Database) -> None:
    """Create the outbox table and its index (idempotent); a step in the kiosk's migrations."""
    db.executescript(_SCHEMA)


def utc_now() -> datetime:
    return datetime.now(UTC)


def _stamp(moment: datetime) -> str:
    """One fixed ISO format in UTC, so that timestamps compare correctly as text in SQL."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True)
class OutboxMessage:
    uuid: str
    topic: str
    payload: str
    kind: str
    priority: int
    created_at: str
    attempts: int
    last_sent_at: str | None
    puback_at: str | None
    central_ack_at: str | None
    registration_number: str | None
    state: str


class Outbox:
    """Queries and state changes on the outbox table.

    Transactions: `enqueue` joins the caller's open transaction and never commits, so the kiosk can
    write the declaration, its outbox row and the audit row atomically:

        with db.atomic():
            db["declarations"].insert(...)
            outbox.enqueue(topic, envelope, PRIORITY_DECLARATION)
            audit.append(...)

    (Outside a transaction the single insert is its own transaction, as sqlite-utils does.)
    The `mark_*` and `reset_sent` changes are bookkeeping and commit at once when no transaction is
    open.
    """

    def __init__(self, db: Database, clock: Callable[[], datetime] = utc_now) -> None:
        self._db = db
        self._clock = clock

    def enqueue(self, topic: str, envelope: dict[str, Any], priority: int) -> str:
        """Queue `envelope` for `topic`; returns its uuid. A uuid already queued raises IntegrityError."""
        message_uuid = envelope.get("uuid")
        kind = envelope.get("kind")
        if not isinstance(message_uuid, str) or not message_uuid:
            raise ValueError("envelope needs a non-empty string 'uuid'")
        if not isinstance(kind, str) or not kind:
            raise ValueError("envelope needs a non-empty string 'kind'")
        self._db.execute(
            "INSERT INTO outbox (uuid, topic, payload, kind, priority, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            [
                message_uuid,
                topic,
                json.dumps(envelope, ensure_ascii=False, separators=(",", ":")),
                kind,
                priority,
                _stamp(self._clock()),
            ],
        )
        return message_uuid

    def due(self, now: datetime, resend_after_s: float, limit: int = 100) -> list[OutboxMessage]:
        """Messages to publish now: not central-acked, and never sent or sent more than
        `resend_after_s` ago; most urgent priority first, then oldest first."""
        cutoff = _stamp(now - timedelta(seconds=resend_after_s))
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM outbox WHERE state != ? AND (last_sent_at IS NULL OR last_sent_at <= ?)"
            " ORDER BY priority, created_at, rowid LIMIT ?",
            [CENTRAL_ACKED, cutoff, limit],
        ).fetchall()
        return [OutboxMessage(*row) for row in rows]

    def get(self, uuid: str) -> OutboxMessage | None:
        row = self._db.execute(f"SELECT {_COLUMNS} FROM outbox WHERE uuid = ?", [uuid]).fetchone()
        return OutboxMessage(*row) if row is not None else None

    def queued_count(self) -> int:
        """Messages still waiting for central's acknowledgement (whatever the broker said)."""
        row = self._db.execute("SELECT count(*) FROM outbox WHERE state != ?", [CENTRAL_ACKED]).fetchone()
        return int(row[0])

    def mark_sent(self, uuid: str) -> None:
        """A publish attempt was handed to the broker connection."""
        self._db.execute(
            "UPDATE outbox SET attempts = attempts + 1, last_sent_at = ? WHERE uuid = ?",
            [_stamp(self._clock()), uuid],
        )

    def mark_puback(self, uuid: str) -> None:
        """The broker has the message. Keeps the first PUBACK time; never undoes a central ack."""
        self._db.execute(
            "UPDATE outbox SET puback_at = coalesce(puback_at, ?),"
            " state = CASE WHEN state = ? THEN ? ELSE state END WHERE uuid = ?",
            [_stamp(self._clock()), QUEUED, BROKER_ACKED, uuid],
        )

    def mark_central_ack(self, uuid: str, registration_number: str) -> bool:
        """Central recorded the message. False when the uuid is unknown or was already acked."""
        cursor = self._db.execute(
            "UPDATE outbox SET state = ?, central_ack_at = ?, registration_number = ?"
            " WHERE uuid = ? AND state != ?",
            [CENTRAL_ACKED, _stamp(self._clock()), registration_number, uuid, CENTRAL_ACKED],
        )
        return cursor.rowcount > 0

    def reset_sent(self) -> None:
        """Make every unacknowledged message due again (after a reconnect the broker may have lost
        whatever it held, and the ack for it may never come)."""
        self._db.execute("UPDATE outbox SET last_sent_at = NULL WHERE state != ?", [CENTRAL_ACKED])
