"""`cez-kiosk central`: the reference central service, the integration point for the RPA backend.

`serve` runs N workers on MQTT 5 shared subscriptions against one database until SIGTERM/SIGINT;
`fleet` prints central's view of the kiosks from that database; `keygen` makes the Ed25519 key
that signs commands (once); `send` signs a command from a JSON file and publishes it to kiosks.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import threading
from dataclasses import asdict
from pathlib import Path
from types import FrameType
from typing import Any

import click

from kiosk.commands.common import CONFIG_OPTION, emit, emit_line, fail, load
from sync.central import CentralService
from sync.command_publisher import CommandPublisher, PublishFailed
from sync.commands import COMMAND_TYPES, CommandSigner, KeyFileError, check_body, generate_keypair, load_private_key
from sync.commands import public_key_path as public_key_of
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


KEY_OPTION = click.option(
    "--key", "key_path", type=click.Path(path_type=Path), required=True,
    help="Central's Ed25519 signing key (PEM); its public half is beside it with '.pub' added.",
)


@central.command("keygen")
@KEY_OPTION
@click.option("--json", "as_json", is_flag=True)
def central_keygen(key_path: Path, as_json: bool) -> None:
    """Create the command-signing keypair if it does not exist yet (an existing key is kept)."""
    try:
        created = generate_keypair(key_path)
    except KeyFileError as exc:
        fail(f"--key: {exc}")
    emit({"key": str(key_path), "public_key": str(public_key_of(key_path)), "created": created}, as_json)


@central.command("send")
@CONFIG_OPTION
@KEY_OPTION
@click.argument("command_type", metavar="TYPE", type=click.Choice(sorted(COMMAND_TYPES)))
@click.argument("body_path", metavar="BODY.json", type=click.Path(path_type=Path))
@click.option("--kiosk", "kiosk_ids", multiple=True, help="A kiosk to send to (repeatable).")
@click.option("--all", "to_all", is_flag=True, help="Every kiosk in central's fleet table (needs --db).")
@click.option("--db", "db_path", type=click.Path(path_type=Path), default=None, help="Central's SQLite file.")
@click.option("--host", default=None, help="Broker host (default: the config's sync.broker_host).")
@click.option("--port", type=int, default=None, help="Broker port (default: the config's sync.broker_port).")
@click.option("--timeout", "timeout_s", type=click.FloatRange(min=0, min_open=True), default=10.0, show_default=True,
              help="Seconds to wait for the broker and its acknowledgements (exit 1 after).")
@click.option("--json", "as_json", is_flag=True, help="JSON Lines, one sent command per kiosk.")
def central_send(
    config_path: Path | None, key_path: Path, command_type: str, body_path: Path, kiosk_ids: tuple[str, ...],
    to_all: bool, db_path: Path | None, host: str | None, port: int | None, timeout_s: float, as_json: bool,
) -> None:
    """Sign TYPE with the body in BODY.json and publish it to one kiosk, several, or all of them.

    TYPE is config.set ({"section.key": value}), model.activate ({"model", "version"}) or
    reference.update ({"dataset", "version", "data"}, e.g. a tariff table or exchange rates).
    """
    config = load(config_path)
    body = _read_body(body_path, command_type)
    try:
        signer = CommandSigner(load_private_key(key_path))
    except KeyFileError as exc:
        fail(f"--key: {exc}")
    targets = _targets(list(kiosk_ids), to_all, db_path)
    publisher = CommandPublisher(host or config.sync.broker_host, port or config.sync.broker_port, signer,
                                 prefix=config.sync.topic_prefix)
    try:
        sent = publisher.send(targets, command_type, body, timeout_s)
    except ValueError as exc:
        fail(f"--kiosk: {exc}")
    except PublishFailed as exc:
        fail(f"central send: {exc}", code=1)
    for command in sent:
        if as_json:
            emit_line(asdict(command))
        else:
            click.echo(f"{command.kiosk_id}: {command.type} {command.id}")


def _not_json(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _read_body(path: Path, command_type: str) -> dict[str, Any]:
    try:
        body = json.loads(path.read_text(encoding="utf-8"), parse_constant=_not_json)
    except OSError as exc:
        fail(f"BODY.json: cannot read {path}: {exc.strerror or exc}")
    except ValueError as exc:  # not UTF-8, not JSON, or NaN/Infinity (which the kiosks refuse)
        fail(f"BODY.json: {path} is not UTF-8 JSON ({exc})")
    try:
        return check_body(command_type, body)
    except ValueError as exc:
        fail(f"BODY.json: {path}: {exc}")


def _targets(kiosk_ids: list[str], to_all: bool, db_path: Path | None) -> list[str]:
    if to_all == bool(kiosk_ids):
        fail("name the kiosks with --kiosk ID (repeatable) or use --all, not both")
    if not to_all:
        return list(dict.fromkeys(kiosk_ids))  # each kiosk once, in the order given
    if db_path is None or not db_path.is_file():
        fail("--all needs --db, central's database with the fleet table")
    try:
        kiosks = sorted(CentralService("127.0.0.1", 1, db_path).fleet())
    except sqlite3.DatabaseError as exc:
        fail(f"--db {db_path}: not central's database ({exc})")
    if not kiosks:
        fail(f"--db {db_path}: the fleet table has no kiosks yet", code=1)
    return kiosks
