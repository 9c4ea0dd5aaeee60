"""`cez-kiosk hs`: HS codes for goods — the suggester model (edge_models) and the nomenclature
(kiosk.customs) combined, as the architecture's ownership rule has it."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from kiosk.commands.common import CONFIG_OPTION, emit, emit_line, fail, load
from kiosk.commands.models import open_registry

if TYPE_CHECKING:
    from kiosk.core.config import KioskConfig
    from kiosk.customs.nomenclature import Nomenclature

MAX_TOP = 50
MAX_QUERY_CHARS = 1000


def _nomenclature(config: KioskConfig, on: date | None) -> Nomenclature:
    from kiosk.customs.nomenclature import Nomenclature, NomenclatureError

    try:
        return Nomenclature.load(config.models.hs_data_dir, on)
    except NomenclatureError as exc:
        fail(str(exc))


def _read_queries(text: str | None, file: Path | None) -> list[str]:
    if (text is None) == (file is None):
        fail("give a description or --file QUERIES.txt, not both or neither")
    if file is not None:
        try:
            lines = file.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            fail(f"{file}: cannot read: {exc}")
        queries = [line.strip() for line in lines if line.strip()]
        if not queries:
            fail(f"{file}: no descriptions (one per line)")
    else:
        assert text is not None
        queries = [text.strip()]
        if not queries[0]:
            fail("empty goods description")
    for number, query in enumerate(queries, 1):
        if len(query) > MAX_QUERY_CHARS:
            fail(f"{file or 'description'}: query {number} is longer than {MAX_QUERY_CHARS} characters")
    return queries


def _description(nomenclature: Nomenclature, code: str) -> str:
    """The nomenclature's text; empty for a code the model knows but this edition does not."""
    return nomenclature.lookup(code).description if code in nomenclature else ""


@click.group()
def hs() -> None:
    """Suggest HS codes for a goods description, and look codes up."""


@hs.command("suggest")
@click.argument("text", required=False)
@click.option("--file", "file", type=click.Path(path_type=Path), default=None,
              help="One description per line; prints JSON Lines.")
@click.option("--top", type=click.IntRange(1, MAX_TOP), default=5, show_default=True)
@CONFIG_OPTION
@click.option("--json", "as_json", is_flag=True)
def suggest(text: str | None, file: Path | None, top: int, config_path: Path | None, as_json: bool) -> None:
    """The TOP most likely six-digit HS codes for a goods description, with score and description."""
    from edge_models.bundle import BundleError
    from edge_models.hs.suggester import MODEL_NAME, HsSuggester
    from edge_models.registry import RegistryError

    queries = _read_queries(text, file)
    config = load(config_path)
    nomenclature = _nomenclature(config, None)
    try:
        suggester = HsSuggester(open_registry(config).active(MODEL_NAME))
    except (BundleError, RegistryError, ValueError) as exc:
        fail(f"HS suggester: {exc}")
    for query, answer in zip(queries, suggester.suggest_many(queries, top), strict=True):
        document: dict[str, Any] = {"query": query, "suggestions": [
            {"code": item.code, "score": item.score, "description": _description(nomenclature, item.code)}
            for item in answer
        ]}
        if as_json:
            emit_line(document)
        else:
            click.echo(query)
            for row in document["suggestions"]:
                click.echo(f"  {row['code']}  {row['score']:.3f}  {row['description']}")


@hs.command("lookup")
@click.argument("code")
@click.option("--date", "on", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="The nomenclature in force on this date (default: today).")
@CONFIG_OPTION
@click.option("--json", "as_json", is_flag=True)
def lookup(code: str, on: Any, config_path: Path | None, as_json: bool) -> None:
    """An HS (2, 4, 6 digits) or CN (8 digits) code: its text, full text and parents. Exit 1 if unknown."""
    from kiosk.customs.nomenclature import NomenclatureError, normalize_code

    try:
        digits = normalize_code(code)
    except NomenclatureError as exc:
        fail(str(exc))
    nomenclature = _nomenclature(load(config_path), on.date() if on else None)
    if digits not in nomenclature:
        emit({"code": digits, "found": False, "edition": nomenclature.edition}, as_json)
        raise SystemExit(1)
    entry = nomenclature.lookup(digits)
    emit({
        **entry.to_dict(),
        "found": True,
        "full_description": nomenclature.full_description(digits),
        "section_name": nomenclature.sections.get(entry.section, ""),
        "parents": [parent.to_dict() for parent in nomenclature.parents(digits)],
        "edition": nomenclature.edition,
    }, as_json)
