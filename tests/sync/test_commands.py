"""Signed commands from central through the broker into the kiosk's inbox."""

from __future__ import annotations

import base64
import logging
import queue
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlite_utils import Database

from sync.broker import MosquittoBroker
from sync.central import CentralService
from sync.commands import CommandSigner, canonical
from sync.inbox import Inbox, create_schema
from sync.messages import encode
from sync.mqtt_link import MqttLink
from sync.topics import COMMAND, DEFAULT_PREFIX, kiosk_topic
from tests.sync.harness import HOST, KIOSK_ID, wait_until

CENTRAL_KEY = Ed25519PrivateKey.generate()


class Applied:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, command_type: str, body: dict[str, Any]) -> None:
        self.calls.append((command_type, body))


def open_inbox(path: Path, applied: Callable[[str, dict[str, Any]], None]) -> Inbox:
    db = Database(path)
    create_schema(db)
    return Inbox(db, CENTRAL_KEY.public_key(), KIOSK_ID, applied)


def test_signed_command_travels_from_central_and_is_applied_once(
    mosquitto: MosquittoBroker, central: CentralService, tmp_path: Path
) -> None:
    received: queue.Queue[bytes] = queue.Queue()
    link = MqttLink(HOST, mosquitto.port, "kiosk-commands", on_connected=lambda: None,
                    on_disconnected=lambda: None, on_puback=lambda uuid: None,
                    on_message=lambda topic, payload: received.put(payload))
    link.subscribe(kiosk_topic(DEFAULT_PREFIX, KIOSK_ID, COMMAND))
    link.start()
    try:
        wait_until(lambda: link.connected, "the kiosk's link")
        command = CommandSigner(CENTRAL_KEY).sign(KIOSK_ID, "config.set", {"sync.resend_after_s": 10})
        applied = Applied()
        inbox = open_inbox(tmp_path / "kiosk.db", applied)
        payload = b""
        for _ in range(50):  # the subscription may still be in flight: central sends until it lands
            central.publish_command(KIOSK_ID, command)
            try:
                payload = received.get(timeout=0.2)
                break
            except queue.Empty:
                continue
        assert inbox.receive(payload) == command["id"]
        assert inbox.receive(payload) is None  # the redelivery of the same command
        assert applied.calls == [("config.set", {"sync.resend_after_s": 10})]
    finally:
        link.stop()


def test_unsigned_forged_stale_and_replayed_commands_are_refused_with_reasons(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="sync.inbox")
    applied = Applied()
    inbox = open_inbox(tmp_path / "kiosk.db", applied)
    signer = CommandSigner(CENTRAL_KEY)
    good = signer.sign(KIOSK_ID, "model.activate", {"model": "doc-classifier", "version": "3"})
    unsigned = {k: v for k, v in signer.sign(KIOSK_ID, "config.set", {}).items() if k != "signature"}
    forged = CommandSigner(Ed25519PrivateKey.generate()).sign(KIOSK_ID, "config.set", {"x": 1})
    tampered = dict(good, body={"model": "evil", "version": "3"}, id="other-id")
    stale = signer.sign(KIOSK_ID, "config.set", {}, issued_at=datetime.now(UTC) - timedelta(hours=1))
    elsewhere = signer.sign("k-other", "config.set", {})
    same_nonce = signer.sign(KIOSK_ID, "reference.update", {"table": "hs"})

    assert inbox.receive(encode(good)) == good["id"]
    for bad in (unsigned, forged, tampered, stale, elsewhere, good):
        assert inbox.receive(encode(bad)) is None
    same_nonce["nonce"] = good["nonce"]  # validly re-signed: only the nonce is a repeat
    del same_nonce["signature"]
    same_nonce["signature"] = base64.b64encode(CENTRAL_KEY.sign(canonical(same_nonce))).decode()
    assert inbox.receive(encode(same_nonce)) is None
    assert inbox.receive(b"\xff not json") is None
    assert applied.calls == [("model.activate", {"model": "doc-classifier", "version": "3"})]
    assert inbox.refused == {
        "unsigned": 1, "forged: bad signature": 2, "stale: issued outside the freshness window": 1,
        "addressed to another kiosk": 1, "replayed: message id already received": 1,
        "replayed: nonce seen": 1, "malformed: not UTF-8 JSON": 1,
    }
    reasons = [r.getMessage() for r in caplog.records if r.name == "sync.inbox"]
    assert len(reasons) == 8 and all("command refused" in r for r in reasons)
    assert not any("doc-classifier" in r or "evil" in r for r in reasons)  # bodies never logged


def test_replay_after_restart_is_refused(tmp_path: Path) -> None:
    command = CommandSigner(CENTRAL_KEY).sign(KIOSK_ID, "reference.update", {"table": "tariffs"})
    applied = Applied()
    first = open_inbox(tmp_path / "kiosk.db", applied)
    assert first.receive(encode(command)) == command["id"]
    restarted = open_inbox(tmp_path / "kiosk.db", applied)  # a new process on the same store
    assert restarted.receive(encode(command)) is None
    assert restarted.refused == {"replayed: message id already received": 1}
    assert len(applied.calls) == 1


def test_command_cut_short_by_a_crash_is_resumed(tmp_path: Path) -> None:
    command = CommandSigner(CENTRAL_KEY).sign(KIOSK_ID, "config.set", {"a": 1})

    def crash(command_type: str, body: dict[str, Any]) -> None:
        raise KeyboardInterrupt  # stands for the process dying mid-apply

    with pytest.raises(KeyboardInterrupt):
        open_inbox(tmp_path / "kiosk.db", crash).receive(encode(command))
    applied = Applied()
    restarted = open_inbox(tmp_path / "kiosk.db", applied)
    assert restarted.pending() == [command["id"]]
    restarted.resume()
    assert applied.calls == [("config.set", {"a": 1})] and restarted.pending() == []
