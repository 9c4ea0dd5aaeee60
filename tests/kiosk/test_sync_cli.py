"""`cez-kiosk sync status` on a real, migrated kiosk store with messages in every state."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.cli import main
from kiosk.core.store import Store
from sync.commands import CommandSigner
from sync.inbox import Inbox
from sync.messages import encode, make_envelope
from sync.outbox import PRIORITY_AUDIT, PRIORITY_DECLARATION, PRIORITY_TELEMETRY, Outbox
from sync.topics import DEFAULT_PREFIX, declaration_topic, telemetry_topic

KIOSK = "kiosk-007"
KEY = Ed25519PrivateKey.generate()


def config_file(tmp_path: Path, store_path: Path, quota_bytes: int = 1_000_000) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(f'[kiosk]\nid = "{KIOSK}"\n[store]\npath = "{store_path}"\n'
                    f'[sync]\noutbox_quota_bytes = {quota_bytes}\n')
    return path


def status(config: Path, *extra: str) -> Result:
    return CliRunner().invoke(main, ["sync", "status", "--config", str(config), "--json", *extra])


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def enqueue(outbox: Outbox, priority: int, **kwargs: Any) -> str:
    topic = telemetry_topic if priority == PRIORITY_TELEMETRY else declaration_topic
    envelope = make_envelope("telemetry" if priority == PRIORITY_TELEMETRY else "declaration_draft", KIOSK, {"n": 1})
    return outbox.enqueue(topic(DEFAULT_PREFIX, KIOSK), envelope, priority, **kwargs)


@pytest.fixture
def busy_store(tmp_path: Path) -> Path:
    """Two hours ago: 3 declarations (one acked, one PUBACKed, one sent); now: one unsent audit
    event, telemetry that expired, and two commands from central (one never applied)."""
    now = datetime.now(UTC)
    clock = Clock(now - timedelta(hours=2))
    store = Store(tmp_path / "data" / "kiosk.db")
    outbox = Outbox(store.db, clock)
    acked, pubacked, sent = (enqueue(outbox, PRIORITY_DECLARATION) for _ in range(3))
    outbox.mark_sent_many([acked, pubacked, sent])
    outbox.mark_puback_many([acked, pubacked])
    clock.at = now - timedelta(minutes=5)
    outbox.mark_central_ack_many([(acked, "GE-EX-2026-000001")])
    enqueue(outbox, PRIORITY_TELEMETRY, ttl_s=60)
    clock.at = now
    enqueue(outbox, PRIORITY_AUDIT)
    outbox.drop_expired(now)
    signer = CommandSigner(KEY)
    inbox = Inbox(store.db, KEY.public_key(), KIOSK, lambda kind, body: None)
    assert inbox.receive(encode(signer.sign(KIOSK, "config.set", {"sync.resend_after_s": 10})))

    def crash(kind: str, body: dict[str, Any]) -> None:
        raise KeyboardInterrupt  # the core died while applying it

    with pytest.raises(KeyboardInterrupt):
        Inbox(store.db, KEY.public_key(), KIOSK, crash).receive(
            encode(signer.sign(KIOSK, "model.activate", {"model": "m", "version": "1"}))
        )
    store.close()
    return tmp_path / "data" / "kiosk.db"


def test_status_counts_every_place_a_message_can_wait_and_flags_old_declarations(
    tmp_path: Path, busy_store: Path
) -> None:
    before = busy_store.read_bytes()
    result = status(config_file(tmp_path, busy_store))
    assert result.exit_code == 1, result.output
    doc = json.loads(result.output)
    outbox = doc["outbox"]
    assert doc["kiosk_id"] == KIOSK and doc["store"] == str(busy_store)
    assert outbox["pending"] == 3
    assert outbox["by_class"]["declaration"] == {"not_sent": 0, "awaiting_puback": 1, "awaiting_central_ack": 1}
    assert outbox["by_class"]["audit"] == {"not_sent": 1, "awaiting_puback": 0, "awaiting_central_ack": 0}
    assert outbox["by_class"]["telemetry"] == {"not_sent": 0, "awaiting_puback": 0, "awaiting_central_ack": 0}
    assert 7190 < outbox["oldest_pending_age_s"] < 7300
    assert outbox["oldest_pending_age_s_by_class"]["audit"] < 100
    assert outbox["evicted"] == {"expired": 1, "quota": 0}
    assert outbox["central_acked"] == 1
    assert datetime.fromisoformat(outbox["last_central_ack_at"]) < datetime.now(UTC) - timedelta(minutes=4)
    assert outbox["pending_bytes"] > 0 and outbox["quota_bytes"] == 1000000
    assert doc["inbox"]["recorded"] == 2 and doc["inbox"]["applied"] == 1 and doc["inbox"]["not_applied"] == 1
    assert doc["attention"] == [
        "2 declaration/certificate/audit record(s) not acknowledged by central after 900 s (oldest 7200 s)",
        "1 command(s) from central recorded but not applied",
    ]
    assert busy_store.read_bytes() == before  # read-only: the store is untouched


def test_status_of_a_healthy_kiosk_exits_0(tmp_path: Path) -> None:
    store = Store(tmp_path / "kiosk.db")
    outbox = Outbox(store.db)
    uuid = enqueue(outbox, PRIORITY_DECLARATION)
    outbox.mark_central_ack_many([(uuid, "GE-EX-2026-000002")])
    enqueue(outbox, PRIORITY_DECLARATION)  # just queued: well inside --stale-after
    store.close()
    result = status(config_file(tmp_path, tmp_path / "kiosk.db"))
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["attention"] == [] and doc["outbox"]["pending"] == 1
    assert doc["outbox"]["by_class"]["declaration"]["not_sent"] == 1


def test_without_json_a_person_reads_the_same_figures(tmp_path: Path, busy_store: Path) -> None:
    result = CliRunner().invoke(main, ["sync", "status", "--config", str(config_file(tmp_path, busy_store))])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == f"kiosk {KIOSK}, store {busy_store}"
    assert "  declaration: not sent 0, awaiting puback 1, awaiting central ack 1" in lines
    assert "evicted: expired 1, quota 0" in lines
    assert lines[-1] == "ATTENTION: 1 command(s) from central recorded but not applied"


def test_stale_after_is_the_technicians_threshold(tmp_path: Path, busy_store: Path) -> None:
    result = status(config_file(tmp_path, busy_store), "--stale-after", "86400")
    assert result.exit_code == 1  # the unapplied command still needs attention
    assert json.loads(result.output)["attention"] == ["1 command(s) from central recorded but not applied"]


def test_an_outbox_over_its_quota_needs_attention(tmp_path: Path) -> None:
    store = Store(tmp_path / "kiosk.db")
    for _ in range(3):
        enqueue(Outbox(store.db), PRIORITY_DECLARATION)  # declarations are kept whatever the quota
    store.close()
    result = status(config_file(tmp_path, tmp_path / "kiosk.db", quota_bytes=300))
    assert result.exit_code == 1
    doc = json.loads(result.output)
    assert doc["attention"] == [f"outbox holds {doc['outbox']['pending_bytes']} bytes, over its quota of 300"]


def test_a_missing_store_is_bad_config_and_is_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "kiosk.db"
    result = status(config_file(tmp_path, missing))
    assert result.exit_code == 2
    assert result.output == f"cez-kiosk: store.path: no kiosk store at {missing}\n"
    assert not missing.parent.exists()


def test_a_file_that_is_not_a_kiosk_store_is_refused(tmp_path: Path) -> None:
    text = tmp_path / "notes.db"
    text.write_text("hello\n")
    result = status(config_file(tmp_path, text))
    assert result.exit_code == 2 and "not a SQLite database" in result.output
    assert text.read_text() == "hello\n"


def test_a_zero_threshold_is_bad_usage(tmp_path: Path, busy_store: Path) -> None:
    result = status(config_file(tmp_path, busy_store), "--stale-after", "0")
    assert result.exit_code == 2
