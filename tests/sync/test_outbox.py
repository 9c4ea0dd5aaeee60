from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlite_utils import Database

from sync.outbox import (
    BROKER_ACKED,
    CENTRAL_ACKED,
    PRIORITY_DECLARATION,
    PRIORITY_TELEMETRY,
    QUEUED,
    Outbox,
    create_schema,
)
from tests.sync.harness import enqueue_declaration, open_outbox


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
    create_schema(database)
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


def test_create_schema_is_idempotent(db: Database) -> None:
    create_schema(db)
    assert "outbox" in db.table_names()
