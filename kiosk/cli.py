"""The `cez-kiosk` command.

Conventions (docs/architecture.md): `--json` prints one JSON document on stdout (JSON Lines for
commands over many items); logs go to stderr; exit 0 done, 1 done but a check failed, 2 bad usage,
bad config or bad input, with one line on stderr saying what and where.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import click

from kiosk.commands.central import central
from kiosk.commands.common import CONFIG_OPTION, emit, load
from kiosk.commands.customs import customs
from kiosk.commands.devices import devices
from kiosk.commands.firmware import firmware
from kiosk.commands.hs import hs
from kiosk.commands.models import models
from kiosk.commands.sync import sync
from kiosk.commands.vision import vision
from kiosk.core.config import KioskConfig


@click.group()
@click.version_option(package_name="cez-kiosk")
def main() -> None:
    """CEZ Kiosk: the edge software of a customs self-service kiosk."""


@main.command()
@CONFIG_OPTION
def core(config_path: Path | None) -> None:
    """Run the core service: devices, vision, sync and the local API."""
    config = load(config_path)
    from kiosk.core.logs import setup_logging
    from kiosk.core.runner import serve

    setup_logging(config.log.level, "core")
    asyncio.run(serve(config))


@main.command()
@CONFIG_OPTION
@click.option("--api-url", default=None, help="The core's API (default: ui.api_url from the config).")
@click.option("--language", type=click.Choice(["ka", "en", "ru"]), default=None)
@click.option("--screenshot", type=click.Path(path_type=Path), default=None, help="Save the home screen.")
@click.option("--exit-after", type=float, default=None, help="Quit after this many seconds.")
def ui(config_path: Path | None, api_url: str | None, language: str | None, screenshot: Path | None,
       exit_after: float | None) -> None:
    """Run the touchscreen app (offscreen when there is no display)."""
    config = load(config_path)
    from kiosk.core.logs import setup_logging
    from kiosk.ui.app import run_ui

    setup_logging(config.log.level, "ui")
    sys.exit(run_ui(api_url or config.ui.api_url, language or config.ui.language,
                    screenshot=str(screenshot) if screenshot else None, exit_after=exit_after))


@main.command()
@click.option("--headless", is_flag=True, help="Drive a scenario through the API instead of the touchscreen.")
@click.option("--scenario", type=click.Choice(["cmr"]), default="cmr", show_default=True)
@click.option("--seed", type=int, default=1, show_default=True, help="Seed of the generated documents.")
@click.option("--json", "as_json", is_flag=True, help="Print the scenario's result as one JSON object.")
@click.option("--exit-after", type=float, default=None, help="Stop the demo after this many seconds.")
@click.option("--screenshot", type=click.Path(path_type=Path), default=None, help="Save the home screen.")
@click.option("--language", type=click.Choice(["ka", "en", "ru"]), default="ka", show_default=True)
@click.option("--data-dir", type=click.Path(path_type=Path), default=None, help="Keep the demo's data here.")
@click.option("--broker-binary", default=None, help="mosquitto to start (default: the installed one).")
def demo(headless: bool, scenario: str, seed: int, as_json: bool, exit_after: float | None,
         screenshot: Path | None, language: str, data_dir: Path | None, broker_binary: str | None) -> None:
    """Run the whole kiosk with simulated devices, a local broker and the reference central."""
    from kiosk.core.logs import setup_logging
    from kiosk.demo import DemoOptions, run_cmr_scenario, running_demo

    setup_logging("INFO", "demo")
    options = DemoOptions(seed=seed, data_dir=data_dir, broker_binary=broker_binary)
    with running_demo(options) as rig:
        if headless:
            result = run_cmr_scenario(rig)
            emit(result, as_json)
            sys.exit(0 if result["receipt_printed"] and (result["published"] or rig.central is None) else 1)
        from kiosk.ui.app import run_ui

        code = run_ui(rig.api_url, language, screenshot=str(screenshot) if screenshot else None,
                      exit_after=exit_after)
    sys.exit(code)


@main.group()
def config() -> None:
    """Check a config file, or print every setting with its description."""


@config.command("check")
@CONFIG_OPTION
@click.option("--json", "as_json", is_flag=True)
def config_check(config_path: Path | None, as_json: bool) -> None:
    """Validate the config and print the effective settings."""
    emit(load(config_path).model_dump(mode="json"), as_json)


@config.command("schema")
def config_schema() -> None:
    """Print the JSON Schema of the config: every key, its type, default and description."""
    click.echo(json.dumps(KioskConfig.model_json_schema(), indent=2))


@config.command("docs")
def config_docs() -> None:
    """Print the configuration reference as Markdown (docs/configuration.md)."""
    from kiosk.core.config_docs import render_markdown

    click.echo(render_markdown(), nl=False)


for group in (central, customs, devices, firmware, hs, models, sync, vision):
    main.add_command(group)


if __name__ == "__main__":
    main()
