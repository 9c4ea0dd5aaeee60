"""`cez-kiosk sync status`: the kiosk's outbox and inbox as a technician needs them.

Reads the store named by the config (`store.path`) read-only, so it is safe beside a running core.
Exit 1 when something needs attention: declarations, certificates or audit events older than
`--stale-after` without central's acknowledgement, an outbox over `sync.outbox_quota_bytes`, or
commands recorded but never applied.
"""

from __future__ import annotations

import sys
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from kiosk.commands.common import CONFIG_OPTION, emit, fail, load
from sync.status import NotAKioskStore, open_read_only, read_status


@click.group()
def sync() -> None:
    """The kiosk's link to central: what waits in the outbox and the inbox."""


@sync.command("status")
@CONFIG_OPTION
@click.option("--stale-after", "stale_after_s", type=click.FloatRange(min=0, min_open=True), default=900.0,
              show_default=True, help="Seconds after which an unacknowledged declaration needs attention.")
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
def sync_status(config_path: Path | None, stale_after_s: float, as_json: bool) -> None:
    """Outbox depth by class and acknowledgement, oldest pending, evictions, inbox, last central ack."""
    config = load(config_path)
    try:
        conn = open_read_only(config.store.path)
    except NotAKioskStore as exc:
        fail(f"store.path: {exc}")
    try:
        status = read_status(conn, datetime.now(UTC), stale_after_s, config.sync.outbox_quota_bytes)
    finally:
        conn.close()
    document = {"kiosk_id": config.kiosk.id, "store": str(config.store.path), **asdict(status)}
    if as_json:
        emit(document, as_json)
    else:
        _print_for_a_person(document)
    sys.exit(1 if status.attention else 0)


def _print_for_a_person(document: dict[str, Any]) -> None:
    outbox, inbox = document["outbox"], document["inbox"]
    click.echo(f"kiosk {document['kiosk_id']}, store {document['store']}")
    click.echo(f"outbox: {outbox['pending']} pending ({outbox['pending_bytes']} bytes, quota {outbox['quota_bytes']}),"
               f" oldest {outbox['oldest_pending_age_s']} s; last central ack {outbox['last_central_ack_at']}")
    for name, places in outbox["by_class"].items():
        click.echo(f"  {name}: " + ", ".join(f"{place.replace('_', ' ')} {count}" for place, count in places.items()))
    click.echo(f"evicted: expired {outbox['evicted']['expired']}, quota {outbox['evicted']['quota']}")
    click.echo(f"inbox: {inbox['recorded']} recorded, {inbox['applied']} applied, {inbox['not_applied']} not applied")
    for problem in document["attention"]:
        click.echo(f"ATTENTION: {problem}")
