"""`cez-kiosk vision`: read documents and codes from image files, as the kiosk's pipeline does."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from kiosk.commands.common import CONFIG_OPTION, emit_line, fail, load
from kiosk.commands.vision_synth import synth

if TYPE_CHECKING:
    from kiosk.core.config import KioskConfig
    from vision.pipeline import Settings


@click.group()
def vision() -> None:
    """Read barcodes and documents from image files."""


vision.add_command(synth)

@vision.command("barcodes")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print JSON Lines, one object per image.")
def barcodes(paths: tuple[Path, ...], as_json: bool) -> None:
    """Find and decode every barcode in images (directories are walked recursively).

    A file that is not a readable image gets one line on stderr and the next file is read; the
    exit code is then 2.
    """
    from vision.barcodes import image_files, read_codes_file
    from vision.images import UnreadableImage

    bad = 0
    for file in image_files(list(paths)):
        try:
            codes = read_codes_file(file)
        except UnreadableImage as exc:
            bad += 1
            click.echo(f"cez-kiosk: {file}: {exc}", err=True)
            continue
        if as_json:
            emit_line({"file": str(file), "codes": [code.to_dict() for code in codes]})
        else:
            found = "; ".join(f"{code.format} {code.text!r}" for code in codes) or "no code"
            click.echo(f"{file}: {found}")
    if bad:
        raise SystemExit(2)


def _engine_choices(pairs: tuple[str, ...]) -> dict[str, str]:
    """'FIELD=ENGINE' options as a mapping; a malformed pair or unknown engine is bad usage."""
    from vision.ocr import engine_names

    chosen: dict[str, str] = {}
    for pair in pairs:
        name, sep, engine = pair.partition("=")
        if not sep or not name or engine not in engine_names():
            fail(f"--engine {pair!r}: expected FIELD=ENGINE with ENGINE one of {', '.join(engine_names())}")
        chosen[name] = engine
    return chosen


@vision.command("read")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print JSON Lines, one object per page.")
@click.option("--lang", "langs", default=None,
              help="Tesseract languages, e.g. kat+rus+eng (default: the config's vision.ocr_languages).")
@CONFIG_OPTION
@click.option("--engine", "engine_pairs", multiple=True, metavar="FIELD=ENGINE",
              help="Read FIELD with ENGINE (tesseract, rapidocr) where it can; repeatable.")
@click.option("--calibration", type=click.Path(path_type=Path), default=None,
              help="Acceptance thresholds (JSON; default: the shipped vision/calibration.json).")
@click.option("--workers", type=click.IntRange(1, 8), default=1, show_default=True,
              help="Pages read in parallel, one process each.")
@click.option("--scan", is_flag=True, help="Pages are flatbed scans: do not look for a page inside the frame.")
@click.option("--thorough-codes", is_flag=True, help="Retry barcode reading with other binarisers and scales.")
def read(files: tuple[Path, ...], as_json: bool, langs: str | None, config_path: Path | None,
         engine_pairs: tuple[str, ...], calibration: Path | None, workers: int, scan: bool,
         thorough_codes: bool) -> None:
    """Read documents (PNG, JPEG, TIFF, PDF): quality, codes, document kind and fields, one result per page.

    The document classifier is the one active in the config's model registry (`[models] registry_dir`),
    as on the kiosk. A file that cannot be read gets one line on stderr and the next file is read; the
    exit code is then 2.
    """
    from rich.console import Console
    from rich.progress import Progress

    from vision.pool import read_files

    config = load(config_path)
    settings = pipeline_settings(config, langs, calibration, engines=_engine_choices(engine_pairs),
                                 find_page=not scan, code_retries=thorough_codes)
    bad = 0
    console = Console(stderr=True)
    with Progress(console=console, transient=True, disable=len(files) < 2 or not console.is_terminal) as progress:
        task = progress.add_task("reading", total=len(files))
        seen: set[Path] = set()
        for outcome in read_files(files, settings, workers=workers):
            if outcome.file not in seen:
                seen.add(outcome.file)
                progress.advance(task)
            if outcome.result is None:
                bad += 1
                where = f"{outcome.file}" if outcome.page <= 1 else f"{outcome.file} page {outcome.page}"
                click.echo(f"cez-kiosk: {where}: {outcome.error}", err=True)
            elif as_json:
                emit_line(outcome.result)
            else:
                result = outcome.result
                fields = ", ".join(
                    f"{name}={field['value']!r}{'' if field['accepted'] else ' (check)'}"
                    for name, field in result["fields"].items()
                )
                click.echo(f"{outcome.file} p{outcome.page}: {result['doc_type']}, {result['quality']['reason']}; "
                           f"{len(result['codes'])} code(s); {fields or 'no fields'}")
    if bad:
        raise SystemExit(2)


def pipeline_settings(config: KioskConfig, langs: str | None = None, calibration: Path | None = None,
                      **options: Any) -> Settings:
    """The pipeline as the kiosk runs it (the config's languages, calibration and model registry), or exit 2 with
    one line when a language pack or the calibration file is unusable."""
    from vision.calibration import CalibrationError
    from vision.ocr import UnsupportedLanguage
    from vision.ocr_tesseract import require_languages
    from vision.pipeline import Settings

    langs = langs or config.vision.ocr_languages
    try:
        require_languages(langs)
        return Settings.with_calibration(calibration, langs=langs, models_dir=config.models.registry_dir, **options)
    except (CalibrationError, UnsupportedLanguage) as exc:
        fail(str(exc))


@vision.command("ocr")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--lang", "langs", default="eng", show_default=True, help="Languages, e.g. kat+rus+eng.")
@click.option("--engine", "engine_name", default="tesseract", show_default=True,
              type=click.Choice(["tesseract", "rapidocr"]), help="The OCR engine.")
@click.option("--no-straighten", is_flag=True, help="Read the page as it is (no orientation or skew fix).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per page.")
def ocr(file: Path, langs: str, engine_name: str, no_straighten: bool, as_json: bool) -> None:
    """The text of a whole page (every page of a PDF), with lines, words, confidences and timings."""
    import time

    from vision.images import UnreadableImage
    from vision.ocr import UnsupportedLanguage, get_engine
    from vision.pages import iter_pages
    from vision.straighten import straighten

    try:
        engine = get_engine(engine_name)
        if not engine.supports(langs):
            raise UnsupportedLanguage(f"{engine_name} cannot read {langs}")
    except UnsupportedLanguage as exc:
        fail(str(exc))
    try:
        for page in iter_pages(file):
            timings: dict[str, float] = {}
            started = time.perf_counter()
            image = page.gray if no_straighten else straighten(page.gray).image
            timings["straighten"] = round((time.perf_counter() - started) * 1000, 1)
            started = time.perf_counter()
            text = engine.read(image, langs=langs, layout="page")
            timings["ocr"] = round((time.perf_counter() - started) * 1000, 1)
            if as_json:
                emit_line({"file": str(file), "page": page.page, "lang": langs, **text.to_dict(),
                           "timings_ms": timings})
            else:
                click.echo(text.text)
    except UnreadableImage as exc:
        fail(f"{file}: {exc}")
