"""Signed commands from central: Ed25519 over canonical JSON, fresh by timestamp and nonce.

A command that changes the box (config, model activation, reference data) is
    {"id": uuid, "kiosk_id": str, "type": str, "issued_at": iso8601, "nonce": hex, "body": {...},
     "signature": base64(Ed25519(canonical JSON of every other field))}
Canonical JSON: sorted keys, no spaces, UTF-8. Central holds the private key; kiosks trust the
public key. `verify` names why a command is refused; it never echoes the body.
"""

from __future__ import annotations

import base64
import json
import secrets
import uuid as uuid_module
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

COMMAND_TYPES = frozenset({"config.set", "model.activate", "reference.update"})
DEFAULT_MAX_AGE = timedelta(minutes=5)


class CommandRefused(ValueError):
    """A command the kiosk must not apply; `reason` is one short phrase for the log."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def canonical(document: dict[str, Any]) -> bytes:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


class CommandSigner:
    """Central's side: builds and signs commands."""

    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self._key = private_key

    def sign(self, kiosk_id: str, command_type: str, body: dict[str, Any], *,
             issued_at: datetime | None = None) -> dict[str, Any]:
        command = {
            "id": str(uuid_module.uuid4()),
            "kiosk_id": kiosk_id,
            "type": command_type,
            "issued_at": (issued_at or datetime.now(UTC)).isoformat(),
            "nonce": secrets.token_hex(16),
            "body": body,
        }
        command["signature"] = base64.b64encode(self._key.sign(canonical(command))).decode("ascii")
        return command


def verify(payload: bytes, public_key: Ed25519PublicKey, kiosk_id: str, now: datetime,
           max_age: timedelta = DEFAULT_MAX_AGE) -> dict[str, Any]:
    """The command in `payload` if it is well formed, signed by central, for us and fresh.

    The nonce is checked by the caller against its persisted store (`sync.inbox`).
    """
    try:
        command = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise CommandRefused("malformed: not UTF-8 JSON") from None
    if not isinstance(command, dict):
        raise CommandRefused("malformed: not a JSON object")
    signature = command.pop("signature", None)
    if not isinstance(signature, str) or not signature:
        raise CommandRefused("unsigned")
    try:
        public_key.verify(base64.b64decode(signature, validate=True), canonical(command))
    except (InvalidSignature, ValueError):
        raise CommandRefused("forged: bad signature") from None
    for name in ("id", "kiosk_id", "type", "issued_at", "nonce"):
        if not isinstance(command.get(name), str) or not command[name]:
            raise CommandRefused(f"malformed: field {name!r}")
    if not isinstance(command.get("body"), dict):
        raise CommandRefused("malformed: field 'body'")
    if command["kiosk_id"] != kiosk_id:
        raise CommandRefused("addressed to another kiosk")
    if command["type"] not in COMMAND_TYPES:
        raise CommandRefused("unknown command type")
    try:
        issued = datetime.fromisoformat(command["issued_at"])
    except ValueError:
        raise CommandRefused("malformed: field 'issued_at'") from None
    if issued.tzinfo is None or abs(now - issued) > max_age:
        raise CommandRefused("stale: issued outside the freshness window")
    return dict(command)
