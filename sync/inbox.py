"""The kiosk's inbox: commands from central, deduplicated, persisted, applied idempotently.

Every command is verified (`sync.commands.verify`), then its id and nonce are committed to SQLite
BEFORE it is applied: a redelivery (same id) or a replay (same nonce), even after a restart, is
refused with a logged reason. A command whose application was cut short (a crash between commit
and `applied_at`) is handed out again by `pending()`; handlers must be idempotent.

Threading: one thread owns the `Database` (the kiosk's loop: hop there from paho's thread).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlite_utils import Database

from sync.commands import DEFAULT_MAX_AGE, CommandRefused, verify

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS inbox (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    nonce TEXT NOT NULL UNIQUE,
    issued_at TEXT NOT NULL,
    received_at TEXT NOT NULL,
    applied_at TEXT,
    body TEXT NOT NULL
);
"""


def create_schema(db: Database) -> None:
    """The inbox table (idempotent); a step for the kiosk's migrations."""
    db.executescript(_SCHEMA)


class Inbox:
    """Verifies, records and applies commands; `refused` counts refusals by reason.

    The inbox table must exist: the kiosk's migration 3 creates it; a bare database needs
    `create_schema` first.
    """

    def __init__(
        self,
        db: Database,
        public_key: Ed25519PublicKey,
        kiosk_id: str,
        apply: Callable[[str, dict[str, Any]], None],
        *,
        max_age: timedelta = DEFAULT_MAX_AGE,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._db = db
        self._key = public_key
        self._kiosk_id = kiosk_id
        self._apply = apply
        self._max_age = max_age
        self._clock = clock
        self.refused: dict[str, int] = {}
        self.current: tuple[str, str] | None = None
        """(id, issued_at) of the command `apply` is running for (None outside `apply`)."""

    def receive(self, payload: bytes) -> str | None:
        """Apply the command in `payload`; its id, or None when refused (the reason is logged)."""
        try:
            command = verify(payload, self._key, self._kiosk_id, self._clock(), self._max_age)
            self._record(command)
        except CommandRefused as exc:
            self.refused[exc.reason] = self.refused.get(exc.reason, 0) + 1
            log.warning("command refused (%d bytes): %s", len(payload), exc.reason)
            return None
        self._run(command["id"], command["type"], command["body"], command["issued_at"])
        return str(command["id"])

    def pending(self) -> list[str]:
        """Ids recorded but not applied (a crash cut them short): apply them with `resume()`."""
        return [str(row[0]) for row in self._db.execute("SELECT id FROM inbox WHERE applied_at IS NULL")]

    def resume(self) -> None:
        for command_id, command_type, body, issued_at in self._db.execute(
            "SELECT id, type, body, issued_at FROM inbox WHERE applied_at IS NULL ORDER BY rowid"
        ).fetchall():
            self._run(str(command_id), str(command_type), json.loads(body), str(issued_at))

    def _record(self, command: dict[str, Any]) -> None:
        with self._db.atomic():
            seen = self._db.execute(
                "SELECT id = ?, nonce = ? FROM inbox WHERE id = ? OR nonce = ?",
                [command["id"], command["nonce"], command["id"], command["nonce"]],
            ).fetchone()
            if seen is not None:
                raise CommandRefused("replayed: message id already received" if seen[0] else "replayed: nonce seen")
            self._db.execute(
                "INSERT INTO inbox (id, type, nonce, issued_at, received_at, body) VALUES (?, ?, ?, ?, ?, ?)",
                [command["id"], command["type"], command["nonce"], command["issued_at"],
                 self._clock().isoformat(), json.dumps(command["body"], ensure_ascii=False)],
            )
        # Nonces older than the freshness window can be forgotten: their commands are stale anyway.
        cutoff = (self._clock() - 2 * self._max_age).isoformat()
        self._db.execute("DELETE FROM inbox WHERE applied_at IS NOT NULL AND issued_at < ?", [cutoff])

    def _run(self, command_id: str, command_type: str, body: dict[str, Any], issued_at: str) -> None:
        self.current = (command_id, issued_at)
        try:
            self._apply(command_type, body)
        finally:
            self.current = None
        self._db.execute("UPDATE inbox SET applied_at = ? WHERE id = ?", [self._clock().isoformat(), command_id])
        log.info("command %s (%s) applied", command_id, command_type)
