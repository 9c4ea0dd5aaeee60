"""The JSON messages carried on the topics of `sync.topics`.

Envelope (kiosk -> central), UTF-8 JSON:
    {"uuid": str, "kind": str, "kiosk_id": str, "created_at": iso8601, "body": {...}}
Central's acknowledgement (central -> kiosk), one record or a batch of them:
    {"uuid": str, "status": "recorded", "registration_number": str}
    {"status": "recorded", "acks": [{"uuid": str, "registration_number": str}, ...]}
(central batches the acks of one group commit per kiosk: one MQTT message instead of hundreds.)

The UUID is the identity of a record end to end: the outbox key, the dedup key at central, and
what the acknowledgement names. Parsers raise `MalformedMessage` and never echo the payload, which
may carry personal data.
"""

from __future__ import annotations

import json
import uuid as uuid_module
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

ACK_RECORDED = "recorded"

_ENVELOPE_TEXT_FIELDS = ("uuid", "kind", "kiosk_id", "created_at")


class MalformedMessage(ValueError):
    """A payload that is not the expected JSON shape; the message names the problem, not the data."""


@dataclass(frozen=True)
class Ack:
    uuid: str
    status: str
    registration_number: str


def make_envelope(
    kind: str,
    kiosk_id: str,
    body: dict[str, Any],
    *,
    uuid: str | None = None,
    created_at: datetime | None = None,
) -> dict[str, Any]:
    """A new envelope; a fresh UUID4 and the current UTC time unless given."""
    return {
        "uuid": uuid if uuid is not None else str(uuid_module.uuid4()),
        "kind": kind,
        "kiosk_id": kiosk_id,
        "created_at": (created_at or datetime.now(UTC)).isoformat(),
        "body": body,
    }


def encode(message: dict[str, Any]) -> bytes:
    """Compact UTF-8 JSON, non-ASCII kept as is (Georgian names stay readable and short)."""
    return json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


_STRICT = json.JSONDecoder(parse_constant=_refuse_constant)
"""Strict JSON only: Python would take NaN and Infinity, SQLite's JSON functions (central stores
bodies with them) and other parsers would not. One decoder: json.loads with an option builds a
new one per call, which central pays per message."""


def _decode_object(payload: bytes) -> dict[str, Any]:
    try:
        doc = _STRICT.decode(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise MalformedMessage(f"not UTF-8 JSON ({type(exc).__name__})") from None
    if not isinstance(doc, dict):
        raise MalformedMessage(f"expected a JSON object, got {type(doc).__name__}")
    return doc


def _require_text(doc: dict[str, Any], name: str) -> str:
    value = doc.get(name)
    if not isinstance(value, str) or not value:
        raise MalformedMessage(f"field {name!r} missing or not a non-empty string")
    return value


def parse_envelope(payload: bytes) -> dict[str, Any]:
    """The envelope in `payload`, checked for its required fields."""
    doc = _decode_object(payload)
    for name in _ENVELOPE_TEXT_FIELDS:
        _require_text(doc, name)
    if not isinstance(doc.get("body"), dict):
        raise MalformedMessage("field 'body' missing or not an object")
    return doc


def make_ack(uuid: str, registration_number: str) -> dict[str, Any]:
    return {"uuid": uuid, "status": ACK_RECORDED, "registration_number": registration_number}


def parse_ack(payload: bytes) -> Ack:
    """Central's acknowledgement in `payload`; any status other than "recorded" is malformed."""
    doc = _decode_object(payload)
    ack = Ack(
        uuid=_require_text(doc, "uuid"),
        status=_require_text(doc, "status"),
        registration_number=_require_text(doc, "registration_number"),
    )
    if ack.status != ACK_RECORDED:
        raise MalformedMessage(f"unknown ack status {ack.status!r}")
    return ack


def make_batch_ack(acks: list[tuple[str, str]]) -> dict[str, Any]:
    """One acknowledgement for many (uuid, registration_number) pairs of the same kiosk."""
    return {
        "status": ACK_RECORDED,
        "acks": [{"uuid": uuid, "registration_number": number} for uuid, number in acks],
    }


def parse_acks(payload: bytes) -> list[Ack]:
    """Every acknowledgement in `payload`, a single ack or a batch; malformed if any part is."""
    doc = _decode_object(payload)
    if "acks" not in doc:
        return [parse_ack(payload)]
    if _require_text(doc, "status") != ACK_RECORDED:
        raise MalformedMessage("unknown ack status")
    items = doc["acks"]
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise MalformedMessage("field 'acks' is not a list of objects")
    return [
        Ack(_require_text(item, "uuid"), ACK_RECORDED, _require_text(item, "registration_number"))
        for item in items
    ]
