"""`cez-kiosk central`: the reference central service, the integration point for the RPA backend.

`serve` runs N workers on MQTT 5 shared subscriptions against one database until SIGTERM/SIGINT;
`fleet` prints central's view of the kiosks from that database.
"""

from __future__ import annotations

import signal
import sqlite3
import threading
from dataclasses import asdict
from pathlib import Path
from types import FrameType

import click

from kiosk.commands.common import CONFIG_OPTION, emit, fail, load
from sync.central import CentralService
from sync.topics import SHARE_GROUP


@click.group()
def central() -> None:
    """The reference central service (what the RPA backend does with kiosk messages)."""


@central.command("serve")
@CONFIG_OPTION
@click.option("--db", "db_path", type=click.Path(path_type=Path), required=True, help="Central's SQLite file.")
@click.option("--host", default=None, help="Broker host (default: the config's sync.broker_host).")
@click.option("--port", type=int, default=None, help="Broker port (default: the config's sync.broker_port).")
@click.option("--workers", type=click.IntRange(1, 64), default=3, show_default=True,
              help="Workers in the shared-subscription group.")
@click.option("--group", default=SHARE_GROUP, show_default=True, help="Shared-subscription group name.")
@click.option("--ready-timeout", type=float, default=30.0, show_default=True,
              help="Seconds to wait for the broker before giving up (exit 1).")
def central_serve(
    config_path: Path | None, db_path: Path, host: str | None, port: int | None, workers: int, group: str,
    ready_timeout: float,
) -> None:
    """Record kiosk messages once, acknowledge them, keep the fleet table; until SIGTERM."""
    config = load(config_path)
    if not db_path.parent.is_dir():
        fail(f"--db: folder {db_path.parent} does not exist")
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    services = [
        CentralService(
            host or config.sync.broker_host, port or config.sync.broker_port, db_path,
            prefix=config.sync.topic_prefix, client_id=f"cez-central-{n}", share_group=group,
        )
        for n in range(workers)
    ]
    for service in services:
        service.start()
    try:
        if not all(service.wait_subscribed(ready_timeout) for service in services):
            fail(f"central: broker {services[0].host}:{services[0].port} not reachable", code=1)
        click.echo(f"central: {workers} worker(s) subscribed", err=True)
        stop.wait()
    finally:
        for service in services:
            service.stop()


@central.command("fleet")
@click.option("--db", "db_path", type=click.Path(path_type=Path, exists=True, dir_okay=False), required=True)
@click.option("--json", "as_json", is_flag=True, help="JSON Lines, one kiosk per line.")
def central_fleet(db_path: Path, as_json: bool) -> None:
    """Print central's fleet table: presence, last heartbeat and counters, device states."""
    try:
        kiosks = CentralService("127.0.0.1", 1, db_path).fleet()
    except sqlite3.DatabaseError as exc:
        fail(f"--db {db_path}: not central's database ({exc})")
    for view in kiosks.values():
        emit(asdict(view), as_json)  # with --json, one JSON line per kiosk
