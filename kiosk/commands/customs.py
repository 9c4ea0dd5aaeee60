"""`cez-kiosk customs`: the customs domain on files, for officers, scripts and the benchmarks."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from kiosk.commands.common import CONFIG_OPTION, emit, fail, load

if TYPE_CHECKING:
    from kiosk.core.config import KioskConfig
    from kiosk.customs.document_set import DocumentSet
    from kiosk.customs.nomenclature import Nomenclature

PAGE_RESULTS = (".json", ".jsonl")
"""Files holding pages already read (`cez-kiosk vision read --json`); any other file is read as a page image."""
MAX_RESULTS_BYTES = 5_000_000
"""A file of page results larger than this holds no consignment's pages."""

Page = tuple[str, str, Any]
"""(where it came from, doc_type, fields)."""

FILES_ARGUMENT = click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
DATE_OPTION = click.option("--date", "on", type=click.DateTime(["%Y-%m-%d"]), default=None,
                           help="The declaration date: dates and the nomenclature are checked for it (default: today).")


def _result_pages(file: Path) -> list[Page]:
    """The pages of a file of vision results: one object, a list of them (.json) or one per line (.jsonl)."""
    try:
        if file.stat().st_size > MAX_RESULTS_BYTES:
            fail(f"{file}: larger than {MAX_RESULTS_BYTES} bytes; not one consignment's page results")
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"{file}: cannot read: {exc}")
    chunks = [(f"{file} line {number}", line) for number, line in enumerate(text.splitlines(), 1) if line.strip()] \
        if file.suffix.lower() == ".jsonl" else [(str(file), text)]
    pages: list[Page] = []
    for where, chunk in chunks:
        try:
            value = json.loads(chunk)
        except json.JSONDecodeError as exc:
            fail(f"{where}: not JSON: {exc}")
        except RecursionError:
            fail(f"{where}: nested too deeply for a page result")
        results = value if isinstance(value, list) and file.suffix.lower() == ".json" else [value]
        for index, result in enumerate(results, 1):
            at = where if len(results) == 1 else f"{where} page {index}"
            if not isinstance(result, dict) or not isinstance(result.get("doc_type"), str) or "fields" not in result:
                fail(f"{at}: not a page result (an object with doc_type and fields)")
            pages.append((at, result["doc_type"], result["fields"]))
    if not pages:
        fail(f"{file}: no page results")
    return pages


def _image_pages(files: list[Path], config: KioskConfig) -> list[Page]:
    """Every page of the images and PDFs, read as `cez-kiosk vision read` reads them with the config's settings."""
    from rich.console import Console
    from rich.progress import Progress

    from kiosk.commands.vision import pipeline_settings
    from vision.pool import read_files

    settings = pipeline_settings(config)
    pages: list[Page] = []
    console = Console(stderr=True)
    with Progress(console=console, transient=True, disable=not console.is_terminal) as progress:
        task = progress.add_task("reading pages", total=len(files))
        for outcome in read_files(files, settings):
            where = f"{outcome.file}" if outcome.page <= 1 else f"{outcome.file} page {outcome.page}"
            if outcome.result is None:
                fail(f"{where}: {outcome.error}")
            if outcome.page <= 1:
                progress.advance(task)
            pages.append((where, outcome.result["doc_type"], outcome.result["fields"]))
    return pages


def _document_set(pages: list[Page]) -> DocumentSet:
    """The consignment; a page that cannot join it (an unknown kind, a second page of a kind) is named."""
    from kiosk.customs.document_set import DocumentSet, PageRefused

    try:
        return DocumentSet.from_pages((kind, fields) for _, kind, fields in pages)
    except PageRefused as exc:
        fail(f"{pages[exc.index][0]}: {exc}")


def consignment(files: tuple[Path, ...], on: datetime | None,
                config_path: Path | None) -> tuple[DocumentSet, date, Nomenclature, KioskConfig]:
    """The files' pages as one consignment, the declaration date, the nomenclature in force then, the config."""
    from kiosk.customs.nomenclature import Nomenclature, NomenclatureError

    config = load(config_path)
    when = on.date() if on else date.today()
    for file in files:
        if file.is_dir():
            fail(f"{file}: is a directory; give the page files")
        if not file.is_file():
            fail(f"{file}: no such file")
    pages = [page for file in files if file.suffix.lower() in PAGE_RESULTS for page in _result_pages(file)]
    images = [file for file in files if file.suffix.lower() not in PAGE_RESULTS]
    if images:
        pages += _image_pages(images, config)
    documents = _document_set(pages)
    try:
        nomenclature = Nomenclature.load(config.models.hs_data_dir, when)
    except NomenclatureError as exc:
        fail(str(exc))
    return documents, when, nomenclature, config


def hs_suggester(config: KioskConfig) -> Callable[[str], list[tuple[str, float]]] | None:
    """The active HS suggester as the risk flags call it, or None (said on stderr) when it cannot be opened."""
    from edge_models.bundle import BundleError
    from edge_models.hs.suggester import MODEL_NAME, HsSuggester
    from edge_models.registry import RegistryError
    from kiosk.commands.models import open_registry
    from kiosk.customs.risk import TOP_K

    try:
        suggester = HsSuggester(open_registry(config).active(MODEL_NAME))
    except (BundleError, RegistryError, ValueError, OSError) as exc:
        click.echo(f"cez-kiosk: HS suggester not available, so no misclassification flags: {exc}", err=True)
        return None

    def suggest(description: str) -> list[tuple[str, float]]:
        return [(found.code, found.score) for found in suggester.suggest(description, TOP_K)]

    return suggest


@click.group()
def customs() -> None:
    """Export declarations from a consignment's pages: validate them, draft the declaration (SAD) with its risk
    flags, and assess a draft's duty, excise and VAT for the yellow channel."""


@customs.command("validate")
@FILES_ARGUMENT
@DATE_OPTION
@CONFIG_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document: {\"findings\": [...]}.")
def validate(files: tuple[Path, ...], on: datetime | None, config_path: Path | None, as_json: bool) -> None:
    """Check one consignment's pages (images, PDFs, or `vision read --json` results in .json/.jsonl files): every
    field's validator and the documents against each other. Exit 1 when a finding is an error."""
    from kiosk.customs.findings import errors
    from kiosk.customs.validation import validate as validate_set

    documents, when, nomenclature, _ = consignment(files, on, config_path)
    findings = validate_set(documents, on=when, nomenclature=nomenclature)
    if as_json:
        emit({"findings": [item.to_dict() for item in findings]}, as_json=True)
    else:
        for item in findings:
            click.echo(f"{item.severity.value} {item.field}: {item.message} [{item.code}]")
        click.echo(f"{len(findings)} finding(s), {len(errors(findings))} error(s)")
    if errors(findings):
        raise SystemExit(1)


@customs.command("declare")
@FILES_ARGUMENT
@DATE_OPTION
@click.option("--office", default=None,
              help="The customs office (SAD box A), 1 to 20 characters; default: the config's kiosk.office.")
@click.option("--references", "references_path", type=click.Path(path_type=Path), default=None,
              help="Reference values per HS code for the undervaluation flag (JSON; default: the shipped SAMPLE).")
@click.option("--rates", "rates_path", type=click.Path(path_type=Path), default=None,
              help="Exchange-rate table to compare values across currencies (JSON; default: the shipped SAMPLE).")
@CONFIG_OPTION
@click.option("--json", "as_json", is_flag=True,
              help="Print one JSON document: {\"draft\": {...} or null, \"findings\": [...], \"flags\": [...]}.")
def declare(files: tuple[Path, ...], on: datetime | None, office: str | None, references_path: Path | None,
            rates_path: Path | None, config_path: Path | None, as_json: bool) -> None:
    """Draft the export declaration of one consignment's pages, with the findings and the risk flags for central.
    Exit 0 when a draft was made and no finding is an error, else 1."""
    from kiosk.customs.drafting import declare as declare_set
    from kiosk.customs.findings import errors
    from kiosk.customs.rates import SAMPLE_RATES, load_rates
    from kiosk.customs.risk import load_reference_values, risk_flags
    from kiosk.customs.tariff import TableError

    if office is not None and not 1 <= len(office.strip()) <= 20:
        fail(f"--office {office!r}: a customs office code has 1 to 20 characters")
    documents, when, nomenclature, config = consignment(files, on, config_path)
    office = office.strip() if office is not None else config.kiosk.office
    try:
        references, rates = load_reference_values(references_path), load_rates(rates_path or SAMPLE_RATES)
    except TableError as exc:
        fail(str(exc))
    flags = risk_flags(documents, references=references, suggest=hs_suggester(config), rates=rates, on=when)
    declaration = declare_set(documents, on=when, nomenclature=nomenclature, kiosk_id=config.kiosk.id,
                              office=office, flags=flags)
    if as_json:
        emit(declaration.to_dict(), as_json=True)
    else:
        draft = declaration.draft
        click.echo(f"draft {draft.reference}: {len(draft.items)} item(s)" if draft else "no draft")
        for item in declaration.findings:
            click.echo(f"{item.severity.value} {item.field}: {item.message} [{item.code}]")
        for flag in declaration.flags:
            click.echo(f"flag {flag.field}: {flag.explanation} [{flag.code}]")
    if declaration.draft is None or errors(declaration.findings):
        raise SystemExit(1)


@customs.command("assess")
@click.argument("declaration", type=click.Path(path_type=Path))
@click.option("--tariff", "tariff_path", type=click.Path(path_type=Path), default=None,
              help="Tariff table (JSON; default: the shipped SAMPLE).")
@click.option("--rates", "rates_path", type=click.Path(path_type=Path), default=None,
              help="Exchange-rate table (JSON; default: the shipped SAMPLE).")
@click.option("--json", "as_json", is_flag=True)
def assess(declaration: Path, tariff_path: Path | None, rates_path: Path | None, as_json: bool) -> None:
    """Duty, excise and VAT of a draft (the JSON of `Draft.to_json`). Exit 1 when it cannot be paid as it is."""
    from pydantic import ValidationError

    from kiosk.customs.assessment import assess as assess_draft
    from kiosk.customs.assessment import render_text
    from kiosk.customs.rates import SAMPLE_RATES, load_rates
    from kiosk.customs.sad import Draft
    from kiosk.customs.tariff import SAMPLE_TARIFF, TableError, describe, load_tariff, read_json

    try:
        draft = Draft.model_validate(read_json(declaration))
        tables = load_tariff(tariff_path or SAMPLE_TARIFF), load_rates(rates_path or SAMPLE_RATES)
        assessment = assess_draft(draft, *tables)
    except ValidationError as exc:
        fail(describe(exc, str(declaration)))
    except TableError as exc:
        fail(str(exc))
    if as_json:
        emit(assessment.to_json(), as_json=True)
    else:
        for line in render_text(assessment):
            click.echo(line)
    if not assessment.payable:
        raise SystemExit(1)
