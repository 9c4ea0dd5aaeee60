"""docs/asyncapi.yaml describes what the code sends, and the watcher's check can fail."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sync.commands import CommandSigner, check_body
from sync.messages import encode, make_ack, make_batch_ack, make_envelope
from sync.presence import Presence, birth_message, death_message
from sync.topics import DEFAULT_PREFIX, ack_topic, declaration_topic, kiosk_topic, presence_topic
from tests.fixtures.broker import contract_violation

COMMAND_BODIES: list[tuple[str, dict[str, Any]]] = [
    ("config.set", {"sync.resend_after_s": 10}),
    ("model.activate", {"model": "doc-classifier", "version": "3"}),
    ("reference.update", {"dataset": "tariffs", "version": "2026-11", "data": {"8703.23": {"duty_pct": 5}}}),
]


def test_every_message_the_code_builds_keeps_the_contract() -> None:
    sent: list[tuple[str, bytes]] = []
    presence = Presence(DEFAULT_PREFIX, "k1", "1.0", lambda topic, payload, retain: sent.append((topic, payload)))
    presence.on_connected()
    presence.device_state("scanner", "scanner", "ready")
    presence.device_state("scanner", "scanner", "busy", "feeding")
    presence.device_gone("scanner")
    presence.heartbeat({"outbox_queued": 2})
    sent += [
        (declaration_topic(DEFAULT_PREFIX, "k1"), encode(make_envelope("declaration_draft", "k1", {"a": 1}))),
        (ack_topic(DEFAULT_PREFIX, "k1"), encode(make_ack("u", "GE-EX-2025-000001"))),
        (ack_topic(DEFAULT_PREFIX, "k1"), encode(make_batch_ack([("u", "GE-EX-2025-000001")]))),
        (presence_topic(DEFAULT_PREFIX, "k1"), encode(birth_message("k1", 5, "1.0"))),
        (presence_topic(DEFAULT_PREFIX, "k1"), encode(death_message("k1", 5))),
    ]
    signer = CommandSigner(Ed25519PrivateKey.generate())
    for command_type, body in COMMAND_BODIES:
        sent.append((kiosk_topic(DEFAULT_PREFIX, "k1", "command"), encode(signer.sign("k1", command_type, body))))
    assert len(sent) == 13
    assert [contract_violation(topic, payload) for topic, payload in sent] == [None] * len(sent)


def test_violations_are_named() -> None:
    ack = ack_topic(DEFAULT_PREFIX, "k1")
    assert contract_violation("cez/v1/elsewhere", b"{}") == (
        "cez/v1/elsewhere: no channel of docs/asyncapi.yaml has this address"
    )
    assert contract_violation(ack, b"\xff") == f"{ack}: not UTF-8 JSON"
    problem = contract_violation(ack, b'{"uuid": "u", "status": "lost", "registration_number": "n"}')
    assert problem is not None and problem.startswith(f"{ack} (ack):")


@pytest.mark.parametrize(
    ("command_type", "body"),
    [
        ("config.set", {}),
        ("config.set", {"resend": 1}),
        ("model.activate", {"model": "doc-classifier"}),
        ("reference.update", {"dataset": "tariffs", "version": "1"}),
        ("reference.update", {"dataset": "Tariffs", "version": "1", "data": []}),
    ],
)
def test_command_bodies_of_the_wrong_shape_break_the_contract_and_central_refuses_them(
    command_type: str, body: dict[str, Any]
) -> None:
    command = CommandSigner(Ed25519PrivateKey.generate()).sign("k1", command_type, body)
    problem = contract_violation(kiosk_topic(DEFAULT_PREFIX, "k1", "command"), encode(command))
    assert problem is not None and "(command)" in problem
    with pytest.raises(ValueError, match=command_type):
        check_body(command_type, body)


def test_central_checks_the_same_shapes_the_contract_describes() -> None:
    for command_type, body in COMMAND_BODIES:
        assert check_body(command_type, body) == body
