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
import os
import re
import secrets
import uuid as uuid_module
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
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


DATASET_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
SETTING_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")


class KeyFileError(ValueError):
    """A signing or verifying key file that cannot be used; the message names the file."""


def check_body(command_type: str, body: Any) -> dict[str, Any]:
    """`body` if it has the shape docs/asyncapi.yaml gives `command_type`; ValueError naming what is wrong.

    Central checks before signing, so a malformed command is never sent (the kiosk checks again).
    """
    if command_type not in COMMAND_TYPES:
        raise ValueError(f"unknown command type {command_type!r} (one of {', '.join(sorted(COMMAND_TYPES))})")
    if not isinstance(body, dict):
        raise ValueError("the body must be a JSON object")
    if command_type == "reference.update":
        if not isinstance(body.get("dataset"), str) or not DATASET_NAME.match(body["dataset"]):
            raise ValueError("reference.update: 'dataset' must be a lower-case name, e.g. tariffs")
        if not isinstance(body.get("version"), str) or not body["version"]:
            raise ValueError("reference.update: 'version' must be a non-empty string")
        if "data" not in body:
            raise ValueError("reference.update: 'data' is missing")
    elif command_type == "model.activate":
        for name in ("model", "version"):
            if not isinstance(body.get(name), str) or not body[name]:
                raise ValueError(f"model.activate: {name!r} must be a non-empty string")
    else:  # config.set: {"section.key": value, ...}
        if not body:
            raise ValueError("config.set: no settings")
        bad = sorted(key for key in body if not SETTING_NAME.match(key))
        if bad:
            raise ValueError(f"config.set: {bad[0]!r} is not a setting name like 'sync.resend_after_s'")
    return body


def public_key_path(private_path: Path) -> Path:
    """Where the public half of `private_path` is kept: beside it, with `.pub` added."""
    return private_path.with_name(private_path.name + ".pub")


def load_private_key(path: Path) -> Ed25519PrivateKey:
    """Central's signing key from an unencrypted PEM (PKCS#8) file."""
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise KeyFileError(f"{path}: cannot read a PEM private key ({type(exc).__name__})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(f"{path}: not an Ed25519 private key")
    return key


def generate_keypair(private_path: Path) -> bool:
    """Write a new Ed25519 keypair (private PEM, mode 0600; public PEM at `public_key_path`).

    False when `private_path` already holds a usable key: a second run never replaces the key every
    kiosk trusts (it only restores a missing public half). KeyFileError when it is not such a key.
    """
    if private_path.exists():
        key = load_private_key(private_path)
        public = public_key_path(private_path)
        if not public.exists():
            public.write_bytes(_public_pem(key))
        return False
    if not private_path.parent.is_dir():
        raise KeyFileError(f"{private_path}: folder {private_path.parent} does not exist")
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    # O_EXCL: two technicians running keygen at once cannot both win.
    descriptor = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)
    public_key_path(private_path).write_bytes(_public_pem(key))
    return True


def _public_pem(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
