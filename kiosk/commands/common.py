"""What every `cez-kiosk` command shares: the --config option, the error exit, the output."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from kiosk.core.config import ConfigError, KioskConfig, load_config, resolve_config_path

CONFIG_OPTION = click.option(
    "--config", "config_path", type=click.Path(path_type=Path), default=None,
    help="TOML config file (default: $CEZ_CONFIG, then /etc/cez-kiosk/kiosk.toml, then built-ins).",
)


def fail(message: str, code: int = 2) -> NoReturn:
    """One line on stderr saying what and where, then exit (2: bad usage, config or input)."""
    click.echo(f"cez-kiosk: {message}", err=True)
    sys.exit(code)


def load(path: Path | None) -> KioskConfig:
    try:
        return load_config(resolve_config_path(path))
    except ConfigError as exc:
        fail(f"bad config: {exc}")


def emit(document: dict[str, Any], as_json: bool) -> None:
    """One JSON document on stdout with --json, else `key: value` lines for a person."""
    if as_json:
        click.echo(json.dumps(document, ensure_ascii=False))
    else:
        for key, value in document.items():
            click.echo(f"{key}: {value}")


def emit_line(document: dict[str, Any]) -> None:
    """One JSON Lines record (commands over many items)."""
    click.echo(json.dumps(document, ensure_ascii=False))
