"""Central's command-signing public key, read once: the config validates it (a kiosk with an
unreadable key would refuse every command), the uplink's inbox verifies with it."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key


def load_command_key(path: Path) -> Ed25519PublicKey:
    """The Ed25519 public key in the PEM file at `path`; ValueError saying why it cannot be used."""
    try:
        key = load_pem_public_key(path.read_bytes())
    except OSError as exc:
        raise ValueError(f"cannot read {path}: {exc.strerror}") from None
    except ValueError:
        raise ValueError(f"{path} is not a PEM public key") from None
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError(f"{path} is not an Ed25519 public key")
    return key
