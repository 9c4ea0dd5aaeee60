"""`cez-kiosk vision synth`: write a corpus of synthetic pages with ground truth (issue #5's generator).

Options are checked here rather than by click's types so that every bad argument exits 2 with
one line, as every `cez-kiosk` command does.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from kiosk.commands.common import emit, fail

MAX_COUNT = 1_000_000


def _int(name: str, text: str, low: int, high: int) -> int:
    try:
        value = int(text)
    except ValueError:
        fail(f"--{name} must be a whole number, got {text!r}")
    if not low <= value <= high:
        fail(f"--{name} must be between {low} and {high}, got {value}")
    return value


@click.command("synth")
@click.option("--kind", "kind", default=None, help="cmr, invoice, certificate_of_origin, packing_list, "
                                                   "id_document, or all.")
@click.option("--count", "count_text", default="1", show_default=True, help="Pages per kind.")
@click.option("--seed", "seed_text", default="0", show_default=True, help="Seed of the first page; then +1 each.")
@click.option("--degrade", "level", default="none", show_default=True, help="none, scan or camera.")
@click.option("--out", "out", default=None, type=click.Path(path_type=Path), help="Folder for PNG + JSON pages.")
@click.option("--dpi", "dpi_text", default="300", show_default=True, help="Resolution, 72..600.")
@click.option("--variant", default=None, help="LAYOUT or LAYOUT:FONT (default: chosen per seed).")
@click.option("--data", "data", default=None, type=click.Path(path_type=Path),
              help="Shared data folder with hs/ (default: $CEZ_SHARED_DATA, then ../shared/data).")
@click.option("--held-out", "held_out", default="include", show_default=True,
              help="Variants chosen per seed: include held-out ones, exclude them (tuning), or only them.")
@click.option("--jobs", "jobs_text", default="1", show_default=True, help="Worker processes.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary on stdout.")
def synth(kind: str | None, count_text: str, seed_text: str, level: str, out: Path | None, dpi_text: str,
          variant: str | None, data: Path | None, held_out: str, jobs_text: str, as_json: bool) -> None:
    """Generate synthetic documents: a PNG and a ground-truth JSON per page, with a progress bar on stderr."""
    from vision.synth.corpus import Job, run
    from vision.synth.degrade import LEVELS, Level
    from vision.synth.generator import HELD_OUT_CHOICES, KINDS, MAX_DPI, MIN_DPI, HeldOut, Variant

    if kind is None:
        fail("--kind is required: " + ", ".join((*KINDS, "all")))
    kinds = KINDS if kind == "all" else (kind,)
    if kind != "all" and kind not in KINDS:
        fail(f"unknown kind {kind!r}; choose one of {', '.join((*KINDS, 'all'))}")
    if level not in LEVELS:
        fail(f"unknown --degrade {level!r}; choose one of {', '.join(LEVELS)}")
    count = _int("count", count_text, 1, MAX_COUNT)
    seed = _int("seed", seed_text, 0, 2**31 - 1 - MAX_COUNT)
    dpi = _int("dpi", dpi_text, MIN_DPI, MAX_DPI)
    workers = _int("jobs", jobs_text, 1, 64)
    if held_out not in HELD_OUT_CHOICES:
        fail(f"unknown --held-out {held_out!r}; choose one of {', '.join(HELD_OUT_CHOICES)}")
    if variant is not None and held_out != "include":
        fail("--variant and --held-out exclude each other: a chosen variant is what it is")
    if out is None:
        fail("--out is required: the folder to write pages into")
    if variant is not None:
        if len(kinds) != 1:
            fail("--variant needs a single --kind")
        try:
            Variant.parse(variant, kinds[0])
        except ValueError as exc:
            fail(f"--variant: {exc}")
    if data is not None and not (data / "hs").is_dir():
        fail(f"--data {data}: no hs/ folder there")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        fail(f"--out {out}: cannot create the folder: {exc.strerror or exc}")

    degrade: Level = next(known for known in LEVELS if known == level)
    selection: HeldOut = next(known for known in HELD_OUT_CHOICES if known == held_out)
    jobs = [Job(k, s, degrade, dpi, variant, data, out, selection) for k in kinds for s in range(seed, seed + count)]
    layouts: Counter[str] = Counter()
    fonts: Counter[str] = Counter()
    started = time.perf_counter()
    columns = (TextColumn("synth"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("pages", total=len(jobs))
        for record in run(jobs, workers):
            layouts[record["layout"]] += 1
            fonts[record["font"]] += 1
            progress.advance(task)
    seconds = time.perf_counter() - started
    emit({
        "kinds": list(kinds), "count": count, "seed": seed, "degrade": level, "dpi": dpi, "held_out": held_out,
        "out": str(out),
        "pages": len(jobs), "layouts": dict(sorted(layouts.items())), "fonts": dict(sorted(fonts.items())),
        "seconds": round(seconds, 2), "pages_per_s": round(len(jobs) / seconds, 2) if seconds else None,
    }, as_json)
