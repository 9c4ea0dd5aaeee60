"""The durable outbox: every message that must reach central, in the kiosk's SQLite.

paho keeps unacknowledged messages in memory only, so the outbox is the store and the MQTT client
is just a way out. A row moves queued -> broker_acked (the broker's PUBACK: transport progress)
-> central_acked (central's acknowledgement of the UUID). Only the last one takes it out of the
active outbox; the row itself stays, as the record of what was sent and its registration number.

Priority classes: declarations, certificates and audit events are *essential*: never expired,
never evicted, always before telemetry. Telemetry is *expendable*: it may carry an expiry time
(dropped once past it) and is evicted, oldest first, when the active outbox exceeds its byte
quota. Every drop is written to `outbox_evictions` and reported through `on_evicted`.

Threading: the `Database` belongs to one thread (the kiosk's asyncio loop); `sync.pump` makes sure
every write happens there.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlite_utils import Database

log = logging.getLogger(__name__)

QUEUED = "queued"
BROKER_ACKED = "broker_acked"
CENTRAL_ACKED = "central_acked"

PRIORITY_DECLARATION = 0
PRIORITY_CERTIFICATE = 1
PRIORITY_AUDIT = 2
PRIORITY_TELEMETRY = 9
ESSENTIAL_PRIORITIES = frozenset({PRIORITY_DECLARATION, PRIORITY_CERTIFICATE, PRIORITY_AUDIT})
"""Classes that are never expired nor evicted: losing one would lose a customs record."""

EVICTED_EXPIRED = "expired"
EVICTED_QUOTA = "quota"

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

_EXTENSION = f"""
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (priority, created_at) WHERE state != '{CENTRAL_ACKED}';
CREATE INDEX IF NOT EXISTS outbox_unsent ON outbox (priority, created_at)
    WHERE last_sent_at IS NULL AND state != '{CENTRAL_ACKED}';
CREATE INDEX IF NOT EXISTS outbox_sent ON outbox (last_sent_at)
    WHERE last_sent_at IS NOT NULL AND state != '{CENTRAL_ACKED}';
CREATE TABLE IF NOT EXISTS outbox_evictions (
    uuid TEXT NOT NULL,
    kind TEXT NOT NULL,
    reason TEXT NOT NULL CHECK (reason IN ('{EVICTED_EXPIRED}', '{EVICTED_QUOTA}')),
    evicted_at TEXT NOT NULL
);
"""

_PENDING = f"state != '{CENTRAL_ACKED}'"
"""Written as a literal so SQLite can use the partial index outbox_pending."""

_COLUMNS = (
    "uuid, topic, payload, kind, priority, created_at, attempts, last_sent_at, puback_at, "
    "central_ack_at, registration_number, state, expires_at"
)


class OutboxFull(RuntimeError):
    """The disk (or the database's page limit) is full: the message was NOT queued.

    Nothing already queued is touched; the caller's transaction is rolled back by its `atomic()`,
    so the kiosk must tell the user the record was not taken rather than pretend it was.
    """


def create_schema(db: Database) -> None:
    """Create the outbox table and its index (idempotent); migration 1 of the kiosk."""
    db.executescript(_SCHEMA)


def extend_schema(db: Database) -> None:
    """Expiry column, pending-rows index and eviction log (idempotent); the kiosk's next migration."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(outbox)").fetchall()}
    if "expires_at" not in columns:
        db.execute("ALTER TABLE outbox ADD COLUMN expires_at TEXT")
    db.executescript(_EXTENSION)


def ensure_schema(db: Database) -> None:
    """Both steps, for databases the kiosk's migrations do not manage (tests, benchmarks)."""
    create_schema(db)
    extend_schema(db)


def utc_now() -> datetime:
    return datetime.now(UTC)


def _stamp(moment: datetime) -> str:
    """One fixed ISO format in UTC, so that timestamps compare correctly as text in SQL."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _is_disk_full(exc: sqlite3.Error) -> bool:
    return getattr(exc, "sqlite_errorname", "") == "SQLITE_FULL" or "full" in str(exc).lower()


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
    expires_at: str | None


@dataclass(frozen=True)
class Eviction:
    uuid: str
    kind: str
    reason: str


class Outbox:
    """Queries and state changes on the outbox table.

    The schema must already be in place: the kiosk's migrations create it; a bare database (tests,
    benchmarks) needs `ensure_schema` first.

    Transactions: `enqueue` joins the caller's open transaction and never commits, so the kiosk can
    write the declaration, its outbox row and the audit row atomically:

        with store.durable():               # synchronous=FULL
            db["declarations"].insert(...)
            outbox.enqueue(topic, envelope, PRIORITY_DECLARATION)
            audit.append(...)

    Outside a transaction an essential message is committed on its own with synchronous=FULL.
    The `mark_*` and `reset_sent` changes are bookkeeping and commit at once when no transaction is
    open; the `*_many` forms apply a batch in one transaction (the pump's fast path).

    `quota_bytes` bounds the payload bytes of the active outbox; only telemetry is evicted to keep
    it, and an outbox of essential messages alone may exceed it (they are never dropped).
    """

    def __init__(
        self,
        db: Database,
        clock: Callable[[], datetime] = utc_now,
        *,
        quota_bytes: int | None = None,
        on_evicted: Callable[[Eviction], None] = lambda eviction: None,
    ) -> None:
        self._db = db
        self._clock = clock
        self.quota_bytes = quota_bytes
        self._on_evicted = on_evicted
        self._active_bytes: int | None = None
        """Running figure of `active_bytes()` for the quota: None until first needed, and again after
        expiry drops (the pump's every 10 s), so any drift (e.g. a caller's rolled-back enqueue) is
        short-lived; it is checked against the database before anything is evicted."""

    def enqueue(
        self, topic: str, envelope: dict[str, Any], priority: int, *, ttl_s: float | None = None
    ) -> str:
        """Queue `envelope` for `topic`; returns its uuid.

        A uuid already queued raises IntegrityError; a full disk raises OutboxFull (nothing
        written); `ttl_s` is for telemetry only (an essential record never expires).
        """
        message_uuid = envelope.get("uuid")
        kind = envelope.get("kind")
        if not isinstance(message_uuid, str) or not message_uuid:
            raise ValueError("envelope needs a non-empty string 'uuid'")
        if not isinstance(kind, str) or not kind:
            raise ValueError("envelope needs a non-empty string 'kind'")
        essential = priority in ESSENTIAL_PRIORITIES
        if ttl_s is not None and essential:
            raise ValueError("declarations, certificates and audit events never expire (no ttl_s)")
        now = self._clock()
        expires_at = _stamp(now + timedelta(seconds=ttl_s)) if ttl_s is not None else None
        payload = json.dumps(envelope, ensure_ascii=False, separators=(",", ":"))
        try:
            with self._durable(essential):
                self._db.execute(
                    "INSERT INTO outbox (uuid, topic, payload, kind, priority, created_at, expires_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [message_uuid, topic, payload, kind, priority, _stamp(now), expires_at],
                )
        except sqlite3.OperationalError as exc:
            if _is_disk_full(exc):
                log.error("outbox full: message %s (%s) refused, nothing queued", message_uuid, kind)
                raise OutboxFull(
                    f"the kiosk's storage is full: message {message_uuid} ({kind}) was not queued; "
                    "free disk space (queued messages are kept)"
                ) from exc
            raise
        if self.quota_bytes is not None:
            self._enforce_quota(len(payload.encode("utf-8")))
        return message_uuid

    @contextmanager
    def _durable(self, essential: bool) -> Iterator[None]:
        """synchronous=FULL around a lone essential insert; a caller's transaction decides itself."""
        if not essential or self._db.conn.in_transaction:
            yield
            return
        previous = int(self._db.execute("PRAGMA synchronous").fetchone()[0])
        self._db.execute("PRAGMA synchronous = FULL")
        try:
            with self._db.atomic():
                yield
        finally:
            self._db.execute(f"PRAGMA synchronous = {previous}")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One transaction around many bookkeeping changes (the pump applies ack bursts so)."""
        with self._db.atomic():
            yield

    def due(self, now: datetime, resend_after_s: float, limit: int = 100) -> list[OutboxMessage]:
        """Messages to publish now: not central-acked, not expired, and never sent or sent more
        than `resend_after_s` ago; most urgent priority first, then oldest first.

        Two indexed queries (never sent; due for a resend) merged here: one query with an OR would
        step over every message in flight on each call, which slowed a 100,000-message drain.
        """
        cutoff = _stamp(now - timedelta(seconds=resend_after_s))
        live = "(expires_at IS NULL OR expires_at > ?)"
        unsent = self._db.execute(
            f"SELECT {_COLUMNS} FROM outbox WHERE last_sent_at IS NULL AND {_PENDING} AND {live}"
            " ORDER BY priority, created_at LIMIT ?",
            [_stamp(now), limit],
        ).fetchall()
        resend = self._db.execute(
            f"SELECT {_COLUMNS} FROM outbox WHERE last_sent_at IS NOT NULL AND {_PENDING}"
            f" AND last_sent_at <= ? AND {live} ORDER BY priority, created_at LIMIT ?",
            [cutoff, _stamp(now), limit],
        ).fetchall()
        messages = [OutboxMessage(*row) for row in unsent + resend]
        messages.sort(key=lambda m: (m.priority, m.created_at))
        return messages[:limit]

    def get(self, uuid: str) -> OutboxMessage | None:
        row = self._db.execute(f"SELECT {_COLUMNS} FROM outbox WHERE uuid = ?", [uuid]).fetchone()
        return OutboxMessage(*row) if row is not None else None

    def queued_count(self) -> int:
        """Messages still waiting for central's acknowledgement (whatever the broker said)."""
        row = self._db.execute(f"SELECT count(*) FROM outbox WHERE {_PENDING}").fetchone()
        return int(row[0])

    def active_bytes(self) -> int:
        """Payload bytes of the messages still waiting for central (what the quota bounds)."""
        row = self._db.execute(
            f"SELECT coalesce(sum(length(CAST(payload AS BLOB))), 0) FROM outbox WHERE {_PENDING}"
        ).fetchone()
        return int(row[0])

    def mark_sent(self, uuid: str) -> None:
        """A publish attempt was handed to the broker connection."""
        self.mark_sent_many([uuid])

    def mark_sent_many(self, uuids: list[str]) -> None:
        """`mark_sent` for a batch, in one statement."""
        self._db.execute(
            "UPDATE outbox SET attempts = attempts + 1, last_sent_at = ?"
            " WHERE uuid IN (SELECT value FROM json_each(?))",
            [_stamp(self._clock()), json.dumps(uuids)],
        )

    def mark_puback(self, uuid: str) -> None:
        """The broker has the message. Keeps the first PUBACK time; never undoes a central ack."""
        self.mark_puback_many([uuid])

    def mark_puback_many(self, uuids: list[str]) -> None:
        """`mark_puback` for a batch, in one statement (the drain applies thousands per second)."""
        self._db.execute(
            "UPDATE outbox SET puback_at = coalesce(puback_at, ?),"
            " state = CASE WHEN state = ? THEN ? ELSE state END"
            " WHERE uuid IN (SELECT value FROM json_each(?))",
            [_stamp(self._clock()), QUEUED, BROKER_ACKED, json.dumps(uuids)],
        )

    def mark_central_ack(self, uuid: str, registration_number: str) -> bool:
        """Central recorded the message. False when the uuid is unknown or was already acked."""
        return bool(self.mark_central_ack_many([(uuid, registration_number)]))

    def mark_central_ack_many(self, acks: list[tuple[str, str]]) -> list[str]:
        """`mark_central_ack` for (uuid, registration_number) pairs; the uuids that were newly acked."""
        # atomic(): an UPDATE ... RETURNING is not autocommitted by sqlite-utils (it has rows), and
        # the implicit transaction it left open would swallow a later lone declaration's commit.
        with self._db.atomic():
            rows = self._db.execute(
                f"UPDATE outbox SET state = '{CENTRAL_ACKED}', central_ack_at = ?,"
                " registration_number = ack.value ->> 1 FROM json_each(?) AS ack"
                f" WHERE outbox.uuid = ack.value ->> 0 AND {_PENDING}"
                " RETURNING outbox.uuid, length(CAST(outbox.payload AS BLOB))",
                [_stamp(self._clock()), json.dumps(acks)],
            ).fetchall()
        if self._active_bytes is not None:
            self._active_bytes -= sum(int(row[1]) for row in rows)
        return [str(row[0]) for row in rows]

    def reset_sent(self) -> None:
        """Make every unacknowledged message due again (after a reconnect the broker may have lost
        whatever it held, and the ack for it may never come)."""
        self._db.execute(f"UPDATE outbox SET last_sent_at = NULL WHERE {_PENDING}")

    def drop_expired(self, now: datetime) -> list[Eviction]:
        """Drop telemetry past its expiry that central never acknowledged; each one is reported."""
        rows = self._db.execute(
            f"SELECT uuid, kind FROM outbox WHERE expires_at IS NOT NULL AND expires_at <= ? AND {_PENDING}",
            [_stamp(now)],
        ).fetchall()
        self._active_bytes = None  # recounted at the next enqueue under a quota
        return self._evict([Eviction(str(r[0]), str(r[1]), EVICTED_EXPIRED) for r in rows])

    def eviction_counts(self) -> dict[str, int]:
        """How many messages were ever dropped, by reason: {"expired": n, "quota": m}."""
        counts = {EVICTED_EXPIRED: 0, EVICTED_QUOTA: 0}
        for reason, count in self._db.execute(
            "SELECT reason, count(*) FROM outbox_evictions GROUP BY reason"
        ).fetchall():
            counts[str(reason)] = int(count)
        return counts

    def _enforce_quota(self, added: int) -> None:
        """Evict the oldest unacknowledged telemetry until the active outbox fits the quota.

        The running figure spares a sum over every pending payload at each enqueue; only when it
        says "over" is the exact figure read, so a figure that drifted high never evicts wrongly.
        """
        assert self.quota_bytes is not None
        if self._active_bytes is None:
            self._active_bytes = self.active_bytes()  # the new message included
        else:
            self._active_bytes += added
        if self._active_bytes <= self.quota_bytes:
            return
        self._active_bytes = self.active_bytes()
        excess = self._active_bytes - self.quota_bytes
        if excess <= 0:
            return
        victims: list[Eviction] = []
        placeholders = ",".join("?" * len(ESSENTIAL_PRIORITIES))
        for uuid, kind, size in self._db.execute(
            "SELECT uuid, kind, length(CAST(payload AS BLOB)) FROM outbox"
            f" WHERE {_PENDING} AND priority NOT IN ({placeholders}) ORDER BY created_at, rowid",
            sorted(ESSENTIAL_PRIORITIES),
        ).fetchall():
            if excess <= 0:
                break
            victims.append(Eviction(str(uuid), str(kind), EVICTED_QUOTA))
            excess -= int(size)
        if excess > 0:
            log.warning("outbox over quota by %d bytes with essential messages only (kept)", excess)
        self._active_bytes = self.quota_bytes + excess
        self._evict(victims)

    def _evict(self, victims: list[Eviction]) -> list[Eviction]:
        if not victims:
            return victims
        stamp = _stamp(self._clock())
        with self._db.atomic():
            self._db.conn.executemany("DELETE FROM outbox WHERE uuid = ?", [(v.uuid,) for v in victims])
            self._db.conn.executemany(
                "INSERT INTO outbox_evictions (uuid, kind, reason, evicted_at) VALUES (?, ?, ?, ?)",
                [(v.uuid, v.kind, v.reason, stamp) for v in victims],
            )
        for victim in victims:
            log.info("outbox dropped %s (%s): %s", victim.uuid, victim.kind, victim.reason)
            try:
                self._on_evicted(victim)
            except Exception:
                log.exception("eviction handler failed for %s", victim.uuid)
        return victims
