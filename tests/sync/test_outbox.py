from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlite_utils import Database

from sync.messages import make_envelope
from sync.outbox import (
    BROKER_ACKED,
    CENTRAL_ACKED,
    EVICTED_EXPIRED,
    EVICTED_QUOTA,
    PRIORITY_AUDIT,
    PRIORITY_CERTIFICATE,
    PRIORITY_DECLARATION,
    PRIORITY_TELEMETRY,
    QUEUED,
    Eviction,
    Outbox,
    OutboxFull,
    create_schema,
    ensure_schema,
    extend_schema,
)
from sync.topics import DEFAULT_PREFIX, declaration_topic, telemetry_topic
from tests.sync.harness import KIOSK_ID, enqueue_declaration, open_outbox


class FakeClock:
    """A settable clock: the outbox's timestamps under the test's control."""

    def __init__(self) -> None:
        self.now = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = Database(tmp_path / "kiosk.db")
    ensure_schema(database)
    return database


@pytest.fixture
def outbox(db: Database, clock: FakeClock) -> Outbox:
    return Outbox(db, clock)


def test_enqueue_stores_envelope_as_queued(outbox: Outbox) -> None:
    uuid = enqueue_declaration(outbox)
    message = outbox.get(uuid)
    assert message is not None
    assert message.state == QUEUED
    assert message.kind == "declaration_draft"
    assert message.attempts == 0
    assert message.topic == "cez/v1/kiosk/k1/declaration"
    assert json.loads(message.payload)["uuid"] == uuid
    assert outbox.queued_count() == 1


def test_enqueue_in_rolled_back_transaction_leaves_nothing(db: Database, outbox: Outbox) -> None:
    declarations = db.table("declarations")
    declarations.create({"uuid": str, "reference": str}, pk="uuid")
    with pytest.raises(RuntimeError), db.atomic():
        uuid = enqueue_declaration(outbox)
        declarations.insert({"uuid": uuid, "reference": "R-1"})
        raise RuntimeError("the audit row failed")
    assert outbox.get(uuid) is None
    assert outbox.queued_count() == 0
    assert declarations.count == 0


def test_enqueue_does_not_commit_the_callers_transaction(
    tmp_path: Path, outbox: Outbox, db: Database
) -> None:
    with db.atomic():
        uuid = enqueue_declaration(outbox)
        other = sqlite3.connect(tmp_path / "kiosk.db")
        try:
            assert other.execute("SELECT count(*) FROM outbox").fetchone()[0] == 0
        finally:
            other.close()
    assert outbox.get(uuid) is not None


def test_enqueue_rejects_envelope_without_uuid(outbox: Outbox) -> None:
    with pytest.raises(ValueError, match="uuid"):
        outbox.enqueue("t", {"kind": "declaration_draft"}, PRIORITY_DECLARATION)
    assert outbox.queued_count() == 0


def test_due_orders_by_priority_then_age(outbox: Outbox, clock: FakeClock) -> None:
    telemetry = enqueue_declaration(outbox, priority=PRIORITY_TELEMETRY, kind="telemetry")
    clock.advance(1)
    first = enqueue_declaration(outbox)
    clock.advance(1)
    second = enqueue_declaration(outbox)
    due = outbox.due(clock.now, resend_after_s=30, limit=10)
    assert [m.uuid for m in due] == [first, second, telemetry]
    assert [m.uuid for m in outbox.due(clock.now, resend_after_s=30, limit=2)] == [first, second]


def test_sent_message_is_due_again_only_after_resend_interval(outbox: Outbox, clock: FakeClock) -> None:
    uuid = enqueue_declaration(outbox)
    outbox.mark_sent(uuid)
    assert outbox.due(clock.now, resend_after_s=30, limit=10) == []
    clock.advance(29)
    assert outbox.due(clock.now, resend_after_s=30, limit=10) == []
    clock.advance(2)
    due = outbox.due(clock.now, resend_after_s=30, limit=10)
    assert [m.uuid for m in due] == [uuid]
    assert due[0].attempts == 1


def test_reset_sent_makes_unacked_messages_due_at_once(outbox: Outbox, clock: FakeClock) -> None:
    uuid = enqueue_declaration(outbox)
    outbox.mark_sent(uuid)
    outbox.reset_sent()
    assert [m.uuid for m in outbox.due(clock.now, resend_after_s=30, limit=10)] == [uuid]


def test_puback_then_central_ack_leaves_the_active_outbox(outbox: Outbox, clock: FakeClock) -> None:
    uuid = enqueue_declaration(outbox)
    outbox.mark_sent(uuid)
    outbox.mark_puback(uuid)
    message = outbox.get(uuid)
    assert message is not None and message.state == BROKER_ACKED and message.puback_at is not None
    assert outbox.queued_count() == 1  # a PUBACK is transport progress, not delivery
    clock.advance(60)
    assert [m.uuid for m in outbox.due(clock.now, resend_after_s=30, limit=10)] == [uuid]

    assert outbox.mark_central_ack(uuid, "GE-EX-2025-000001")
    message = outbox.get(uuid)
    assert message is not None
    assert message.state == CENTRAL_ACKED
    assert message.registration_number == "GE-EX-2025-000001"
    assert outbox.queued_count() == 0
    outbox.reset_sent()
    assert outbox.due(clock.now, resend_after_s=0, limit=10) == []


def test_late_puback_does_not_undo_central_ack(outbox: Outbox) -> None:
    uuid = enqueue_declaration(outbox)
    outbox.mark_central_ack(uuid, "GE-EX-2025-000001")
    outbox.mark_puback(uuid)
    message = outbox.get(uuid)
    assert message is not None and message.state == CENTRAL_ACKED


def test_central_ack_for_unknown_or_acked_uuid_reports_false(outbox: Outbox) -> None:
    assert not outbox.mark_central_ack("no-such-uuid", "GE-EX-2025-000009")
    uuid = enqueue_declaration(outbox)
    assert outbox.mark_central_ack(uuid, "GE-EX-2025-000001")
    assert not outbox.mark_central_ack(uuid, "GE-EX-2025-000002")
    message = outbox.get(uuid)
    assert message is not None and message.registration_number == "GE-EX-2025-000001"


def test_mark_calls_commit(tmp_path: Path) -> None:
    db, outbox = open_outbox(tmp_path / "kiosk.db")
    uuid = enqueue_declaration(outbox)
    outbox.mark_sent(uuid)
    outbox.mark_puback(uuid)
    db.close()
    _, reopened = open_outbox(tmp_path / "kiosk.db")
    message = reopened.get(uuid)
    assert message is not None and message.state == BROKER_ACKED and message.attempts == 1


def test_central_ack_outside_a_transaction_is_committed_and_a_later_declaration_is_durable(
    tmp_path: Path,
) -> None:
    db, outbox = open_outbox(tmp_path / "kiosk.db")
    acked = enqueue_declaration(outbox)
    assert outbox.mark_central_ack(acked, "GE-EX-2025-000001")
    assert not db.conn.in_transaction  # nothing left open to swallow the next commit
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    later = enqueue_declaration(outbox)
    db.conn.set_trace_callback(None)
    assert "PRAGMA synchronous = FULL" in statements and "COMMIT" in statements
    other = sqlite3.connect(tmp_path / "kiosk.db")  # another process sees both at once
    rows = dict(other.execute("SELECT uuid, state FROM outbox").fetchall())
    other.close()
    assert rows == {acked: CENTRAL_ACKED, later: QUEUED}


def test_create_schema_is_idempotent(db: Database) -> None:
    create_schema(db)
    assert "outbox" in db.table_names()


def _telemetry(outbox: Outbox, *, ttl_s: float | None = None, size: int = 0) -> str:
    envelope = make_envelope("telemetry", KIOSK_ID, {"pad": "x" * size})
    return outbox.enqueue(telemetry_topic(DEFAULT_PREFIX, KIOSK_ID), envelope, PRIORITY_TELEMETRY, ttl_s=ttl_s)


def test_priority_classes_order_declarations_certificates_audit_then_telemetry(
    outbox: Outbox, clock: FakeClock
) -> None:
    telemetry = _telemetry(outbox)
    clock.advance(1)
    audit = enqueue_declaration(outbox, priority=PRIORITY_AUDIT, kind="audit_event")
    clock.advance(1)
    certificate = enqueue_declaration(outbox, priority=PRIORITY_CERTIFICATE, kind="certificate")
    clock.advance(1)
    declaration = enqueue_declaration(outbox)
    assert [m.uuid for m in outbox.due(clock.now, 30, 10)] == [declaration, certificate, audit, telemetry]


def test_expired_telemetry_is_dropped_counted_and_never_sent(outbox: Outbox, clock: FakeClock) -> None:
    short = _telemetry(outbox, ttl_s=60)
    long = _telemetry(outbox, ttl_s=3600)
    declaration = enqueue_declaration(outbox)
    message = outbox.get(short)
    assert message is not None and message.expires_at is not None and message.created_at < message.expires_at
    clock.advance(61)
    assert short not in [m.uuid for m in outbox.due(clock.now, 30, 10)]  # never sent once expired
    dropped = outbox.drop_expired(clock.now)
    assert dropped == [Eviction(short, "telemetry", EVICTED_EXPIRED)]
    assert outbox.get(short) is None
    assert outbox.get(long) is not None and outbox.get(declaration) is not None
    assert outbox.eviction_counts() == {EVICTED_EXPIRED: 1, EVICTED_QUOTA: 0}


def test_essential_messages_cannot_be_given_an_expiry(outbox: Outbox) -> None:
    envelope = make_envelope("declaration_draft", KIOSK_ID, {})
    with pytest.raises(ValueError, match="never expire"):
        outbox.enqueue("t", envelope, PRIORITY_DECLARATION, ttl_s=10)


def test_quota_evicts_oldest_telemetry_only_and_reports_each(db: Database, clock: FakeClock) -> None:
    reported: list[Eviction] = []
    outbox = Outbox(db, clock, quota_bytes=3000, on_evicted=reported.append)
    old = [_telemetry(outbox, size=500) for _ in range(2)]
    declarations = [enqueue_declaration(outbox) for _ in range(3)]
    clock.advance(1)
    newer = [_telemetry(outbox, size=500) for _ in range(3)]
    assert outbox.active_bytes() <= 3000
    telemetry = old + newer
    assert reported and [e.uuid for e in reported] == telemetry[: len(reported)]  # oldest first
    assert {e.reason for e in reported} == {EVICTED_QUOTA}
    assert all(outbox.get(u) is not None for u in declarations + telemetry[len(reported) :])
    # Declarations alone may exceed the quota: they are kept, telemetry makes way.
    big = [enqueue_declaration_sized(outbox, 1500) for _ in range(3)]
    assert all(outbox.get(u) is not None for u in declarations + big)
    assert outbox.eviction_counts()[EVICTED_QUOTA] == len(reported) == len(telemetry)
    assert db.execute("SELECT count(*) FROM outbox WHERE priority = ?", [PRIORITY_TELEMETRY]).fetchone()[0] == 0


def test_quota_keeps_a_running_figure_instead_of_summing_the_outbox_at_each_enqueue(
    db: Database, clock: FakeClock
) -> None:
    outbox = Outbox(db, clock, quota_bytes=10_000)
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    for _ in range(40):
        _telemetry(outbox, size=100)
    db.conn.set_trace_callback(None)
    assert sum("sum(length" in statement for statement in statements) == 1  # the first enqueue only
    assert outbox.eviction_counts()[EVICTED_QUOTA] == 0


def test_quota_figure_follows_acks_and_rolled_back_enqueues_without_wrong_evictions(
    db: Database, clock: FakeClock
) -> None:
    reported: list[Eviction] = []
    outbox = Outbox(db, clock, quota_bytes=3000, on_evicted=reported.append)
    first = [_telemetry(outbox, size=500) for _ in range(4)]
    outbox.mark_central_ack_many([(uuid, "n") for uuid in first])  # 4 x ~650 bytes leave the quota
    with pytest.raises(RuntimeError), db.atomic():
        _telemetry(outbox, size=2500)  # counted, then rolled back: the figure is too high now
        raise RuntimeError("the caller gave up")
    kept = [_telemetry(outbox, size=500) for _ in range(3)]
    assert reported == []  # the exact figure, read before evicting, showed room
    assert outbox.active_bytes() <= 3000
    over = _telemetry(outbox, size=1500)
    assert [e.uuid for e in reported] == kept[:1]  # the oldest pending telemetry made way, nothing acked
    assert outbox.get(over) is not None and outbox.active_bytes() <= 3000


def enqueue_declaration_sized(outbox: Outbox, size: int) -> str:
    envelope = make_envelope("declaration_draft", KIOSK_ID, {"pad": "x" * size})
    return outbox.enqueue(declaration_topic(DEFAULT_PREFIX, KIOSK_ID), envelope, PRIORITY_DECLARATION)


def test_full_disk_is_refused_clearly_and_loses_nothing(db: Database, outbox: Outbox) -> None:
    kept = [enqueue_declaration_sized(outbox, 2000) for _ in range(3)]
    pages = int(db.execute("PRAGMA page_count").fetchone()[0])
    db.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(OutboxFull, match=r"storage is full.*not queued"):
        for _ in range(50):
            enqueue_declaration_sized(outbox, 2000)
    before_refusal = outbox.queued_count()
    # Inside the kiosk's own transaction the refusal rolls back the declaration with it.
    with pytest.raises(OutboxFull), db.atomic():
        enqueue_declaration_sized(outbox, 50_000)
    assert outbox.queued_count() == before_refusal
    assert all(outbox.get(u) is not None for u in kept)
    db.execute("PRAGMA max_page_count = 1073741823")
    after = enqueue_declaration_sized(outbox, 2000)
    assert outbox.get(after) is not None


def test_lone_declaration_is_committed_with_synchronous_full(db: Database, outbox: Outbox) -> None:
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    enqueue_declaration(outbox)
    _telemetry(outbox)
    db.conn.set_trace_callback(None)
    full = statements.index("PRAGMA synchronous = FULL")
    inserts = [i for i, s in enumerate(statements) if s.startswith("INSERT INTO outbox")]
    commit = next(i for i, s in enumerate(statements) if s == "COMMIT" and i > inserts[0])
    restored = next(i for i, s in enumerate(statements) if s.startswith("PRAGMA synchronous = ") and i > commit)
    assert full < inserts[0] < commit < restored < inserts[1]
    assert statements.count("PRAGMA synchronous = FULL") == 1  # telemetry goes the ordinary way


def test_extend_schema_upgrades_a_foundation_outbox(tmp_path: Path) -> None:
    database = Database(tmp_path / "old.db")
    create_schema(database)
    database.execute(
        "INSERT INTO outbox (uuid, topic, payload, kind, priority, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        ["u-old", "t", "{}", "declaration_draft", PRIORITY_DECLARATION, "2025-01-01T00:00:00.000000+00:00"],
    )
    extend_schema(database)
    extend_schema(database)
    assert "outbox_evictions" in database.table_names()
    message = Outbox(database).get("u-old")
    assert message is not None and message.expires_at is None and message.state == QUEUED
