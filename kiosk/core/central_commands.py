"""What the kiosk does with a verified command from central (the inbox verified, deduplicated and
recorded it first): apply it idempotently, or refuse it with a logged reason. Either way the outcome
is an audit event, so a technician can see what central asked and what the box did.

- `reference.update` {"dataset": NAME, "version": TEXT, "data": ...}: stored in `reference_data`,
  one row per dataset. A table the customs layer reads (`tariffs`, `rates`, `reference_values`) must
  validate first, or it is refused and the version in force keeps serving. The same version again
  changes nothing; a command issued before the one that installed the current version is refused
  (stale), so a delayed redelivery cannot roll data back.
- `config.set`: refused. The config file is the technician's; a remote change that a restart would
  silently undo is worse than none.
- `model.activate` {"model": NAME, "version": TEXT}: the registry loads, checks and warms the bundle
  before it serves, so a missing, corrupt or mis-shaped bundle is refused and the active version keeps
  serving; activating the version already active changes nothing. The bundle is loaded before the
  store's transaction opens, so the single writer is not held for the load (0.2-0.5 s for the HS
  model); a crash between the two replays the command, which then finds the version active.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from sqlite_utils import Database

from edge_models.bundle import BundleError
from edge_models.registry import Registry, RegistryError
from kiosk.core import audit
from kiosk.core.store import Store
from kiosk.customs.reference_tables import check_table
from kiosk.customs.tariff import TableError
from sync.commands import check_body

log = logging.getLogger(__name__)

APPLIED, UNCHANGED, REFUSED = "applied", "unchanged", "refused"
REFUSALS = {
    "config.set": "config changes are made in the kiosk's config file by a technician",
}


class UnknownDataset(KeyError):
    """No reference data of that name has been received."""


class CommandHandler:
    """Applies commands on the loop thread (the store's single writer); `outcomes` counts results."""

    def __init__(self, store: Store, registry: Registry) -> None:
        self._store = store
        self._registry = registry
        self.outcomes = {APPLIED: 0, UNCHANGED: 0, REFUSED: 0}

    def apply(self, command_id: str, issued_at: str, command_type: str, body: dict[str, Any]) -> str:
        """Apply one command; returns applied, unchanged or refused (the reason is logged and audited).

        The change and its audit event are one durable transaction.
        """
        decided = self._check(command_type, body)
        if decided is None and command_type == "model.activate":
            decided = self._activate(str(body["model"]), str(body["version"]))
        with self._store.durable() as db:
            outcome, detail = decided or self._store_reference(db, command_id, issued_at, command_type, body)
            audit.append(db, actor="central", action=f"command.{outcome}", subject=command_id,
                         details={"type": command_type, "detail": detail})
        if outcome == REFUSED:
            log.warning("command %s (%s) refused: %s", command_id, command_type, detail)
        else:
            log.info("command %s (%s) %s: %s", command_id, command_type, outcome, detail)
        self.outcomes[outcome] += 1
        return outcome

    @staticmethod
    def _check(command_type: str, body: dict[str, Any]) -> tuple[str, str] | None:
        """A refusal for a malformed body (central checked before signing; a bug there must not land here)."""
        try:
            check_body(command_type, body)
        except ValueError as exc:
            return REFUSED, f"malformed: {exc}"
        return None

    def _store_reference(self, db: Database, command_id: str, issued_at: str, command_type: str,
                         body: dict[str, Any]) -> tuple[str, str]:
        if command_type != "reference.update":
            return REFUSED, REFUSALS.get(command_type, "unknown command type")
        dataset, version = str(body["dataset"]), str(body["version"])
        try:
            check_table(dataset, body["data"])
        except TableError as exc:
            return REFUSED, f"not a valid table: {exc}"
        row = db.execute("SELECT version, issued_at FROM reference_data WHERE dataset = ?", [dataset]).fetchone()
        if row is not None and row[0] == version:
            return UNCHANGED, f"{dataset} is already at version {version}"
        if row is not None and datetime.fromisoformat(row[1]) > datetime.fromisoformat(issued_at):
            return REFUSED, f"stale: {dataset} version {row[0]} was issued later"
        db.execute(
            "INSERT INTO reference_data (dataset, version, issued_at, command_id, data, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (dataset) DO UPDATE SET version = excluded.version,"
            " issued_at = excluded.issued_at, command_id = excluded.command_id, data = excluded.data,"
            " updated_at = excluded.updated_at",
            [dataset, version, issued_at, command_id, json.dumps(body["data"], ensure_ascii=False),
             datetime.now(UTC).isoformat()],
        )
        return APPLIED, f"{dataset} version {version}"

    def _activate(self, model: str, version: str) -> tuple[str, str]:
        try:
            if self._registry.state(model)["active"] == version:
                return UNCHANGED, f"{model} is already at version {version}"
            self._registry.activate(model, version)
        except (RegistryError, BundleError) as exc:
            return REFUSED, f"model not activated: {exc}"
        return APPLIED, f"{model} version {version}"

    # -- queries ----------------------------------------------------------------------------------

    def datasets(self) -> list[dict[str, str]]:
        rows = self._store.db.execute(
            "SELECT dataset, version, issued_at, updated_at FROM reference_data ORDER BY dataset"
        ).fetchall()
        return [{"dataset": r[0], "version": r[1], "issued_at": r[2], "updated_at": r[3]} for r in rows]

    def dataset(self, name: str) -> dict[str, Any]:
        row = self._store.db.execute(
            "SELECT version, issued_at, updated_at, data FROM reference_data WHERE dataset = ?", [name]
        ).fetchone()
        if row is None:
            raise UnknownDataset(name)
        return {"dataset": name, "version": row[0], "issued_at": row[1], "updated_at": row[2],
                "data": json.loads(row[3])}
