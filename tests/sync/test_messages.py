from __future__ import annotations

import pytest

from sync.messages import MalformedMessage, encode, make_ack, make_envelope, parse_ack, parse_envelope
from sync.topics import DEFAULT_PREFIX, ack_topic, all_declarations, declaration_topic, kiosk_id_of


def test_topics_follow_the_contract() -> None:
    assert declaration_topic(DEFAULT_PREFIX, "k7") == "cez/v1/kiosk/k7/declaration"
    assert ack_topic(DEFAULT_PREFIX, "k7") == "cez/v1/kiosk/k7/ack"
    assert all_declarations(DEFAULT_PREFIX) == "cez/v1/kiosk/+/declaration"


@pytest.mark.parametrize(
    ("topic", "expected"),
    [
        ("cez/v1/kiosk/k7/ack", "k7"),
        ("cez/v1/kiosk/k7/declaration", None),
        ("cez/v1/kiosk//ack", None),
        ("cez/v1/kiosk/a/b/ack", None),
        ("cez/v2/kiosk/k7/ack", None),
    ],
)
def test_kiosk_id_of_ack_topic(topic: str, expected: str | None) -> None:
    assert kiosk_id_of(DEFAULT_PREFIX, topic, "ack") == expected


def test_envelope_round_trips_with_non_ascii_body() -> None:
    envelope = make_envelope("declaration_draft", "k1", {"sender": "შპს ექსპორტი"})
    parsed = parse_envelope(encode(envelope))
    assert parsed == envelope
    assert len(parsed["uuid"]) == 36


@pytest.mark.parametrize(
    "payload",
    [
        b"\xff\xfe",
        b"not json",
        b"[1, 2]",
        b'{"uuid": "u", "kind": "k", "kiosk_id": "k1", "created_at": "t"}',
        b'{"uuid": 5, "kind": "k", "kiosk_id": "k1", "created_at": "t", "body": {}}',
    ],
)
def test_malformed_envelopes_are_rejected(payload: bytes) -> None:
    with pytest.raises(MalformedMessage):
        parse_envelope(payload)


def test_ack_round_trips() -> None:
    ack = parse_ack(encode(make_ack("u-1", "GE-EX-2025-000001")))
    assert (ack.uuid, ack.status, ack.registration_number) == ("u-1", "recorded", "GE-EX-2025-000001")


@pytest.mark.parametrize(
    "payload",
    [
        b"",
        b'{"uuid": "u-1", "status": "recorded"}',
        b'{"uuid": "u-1", "status": "rejected", "registration_number": "X"}',
        b'{"uuid": null, "status": "recorded", "registration_number": "X"}',
    ],
)
def test_malformed_acks_are_rejected(payload: bytes) -> None:
    with pytest.raises(MalformedMessage):
        parse_ack(payload)


def test_malformed_message_error_does_not_echo_the_payload() -> None:
    with pytest.raises(MalformedMessage) as caught:
        parse_envelope(b'{"uuid": "u", "kind": "k", "kiosk_id": "k1", "created_at": "t", "body": "Nino"}')
    assert "Nino" not in str(caught.value)
