"""Trade documents through the page pipeline: exact match per field and level, wrong fields, fields-stage CPU.

    python bench/trade_reading.py --json [--kinds invoice ...] [--levels none scan camera] [--pages N] [--seed S]
                                  [--langs L] [--cache DIR [--fields-only]] [--calls]

Each page is generated (`vision.synth.generator.generate`), read by `vision.pipeline.read_page` with
`Settings(langs=...)` and compared with its truth through `vision.trade_truth` (the readers' normal
form). The fields stage's CPU is the process CPU time spent inside `read_trade_fields` (Tesseract runs
in-process through ctypes, so its work is counted; wall time would grow with other jobs' load).
`--cache DIR` keeps each page's straightened image, so `--fields-only` reruns just the field readers
on the same pages while tuning. `--calls` counts and times every Tesseract call by stage (the page pass,
key-value re-reads, line items, other scripts) and language set: where the fields stage's CPU goes.
Seeds from 500000 are for tuning; the benchmarks use 1.. and 100001..
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image
from rich.console import Console
from rich.progress import Progress

# The repository before this script's folder: else bench/vision.py would shadow the `vision` package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from common import machine

from vision import ocr_tesseract, tesseract_api, trade_fields, trade_ocr
from vision.calibration import load_thresholds
from vision.cmr_values import FieldReading
from vision.pipeline import Settings, read_page
from vision.synth.degrade import LEVELS
from vision.synth.generator import generate
from vision.trade_truth import expected_fields

STDERR = Console(stderr=True)
DATA = Path("/work/shared/data")


def _cpu_meter() -> tuple[list[float], Callable[[], None]]:
    """Wrap `read_trade_fields` so each call's process CPU seconds are recorded (undone by the returned call)."""
    spent: list[float] = []
    original = trade_fields.read_trade_fields

    def metered(*args: Any, **kwargs: Any) -> dict[str, FieldReading]:
        started = time.process_time()
        try:
            return original(*args, **kwargs)
        finally:
            spent.append(time.process_time() - started)

    trade_fields.read_trade_fields = metered

    def undo() -> None:
        trade_fields.read_trade_fields = original

    return spent, undo


STAGES = {"trade_scripts": "scripts", "trade_items": "items", "key_values": "key_values"}
"""Module of the nearest caller -> the stage a Tesseract call is counted under (`--calls`)."""


def _stage() -> str:
    for frame in inspect.stack(context=0)[2:]:
        if frame.function == "read_page_text":
            return "page_pass"
        module = Path(frame.filename).stem
        if module in STAGES and Path(frame.filename).parent.name == "vision":
            return STAGES[module]
    return "other"


def _call_meter() -> tuple[list[tuple[str, str, float]], Callable[[], None]]:
    """Wrap Tesseract's `recognise` wherever it is imported, recording (stage, langs, CPU s) per call."""
    calls: list[tuple[str, str, float]] = []
    original = tesseract_api.recognise
    holders = (tesseract_api, trade_ocr, ocr_tesseract)

    def metered(gray: np.ndarray, langs: str, psm: int, **kwargs: Any) -> list[tesseract_api.RawWord]:
        started = time.process_time()
        try:
            return original(gray, langs, psm, **kwargs)
        finally:
            calls.append((_stage(), langs, time.process_time() - started))

    for holder in holders:
        holder.recognise = metered  # type: ignore[attr-defined]

    def undo() -> None:
        for holder in holders:
            holder.recognise = original  # type: ignore[attr-defined]

    return calls, undo


def _call_summary(calls: list[tuple[str, str, float]], pages: int) -> dict[str, dict[str, float]]:
    """Per stage and language set: calls and CPU seconds per page."""
    grouped: dict[str, list[float]] = defaultdict(list)
    for stage, langs, cpu in calls:
        grouped[f"{stage} {langs}"].append(cpu)
    return {key: {"calls_per_page": round(len(cpus) / pages, 2), "cpu_s_per_page": round(sum(cpus) / pages, 3),
                  "cpu_s_per_call": round(statistics.mean(cpus), 4)}
            for key, cpus in sorted(grouped.items(), key=lambda item: -sum(item[1]))}


def _read(kind: str, seed: int, level: str, args: argparse.Namespace) -> tuple[dict[str, FieldReading], dict[str, Any],
                                                                               float, float, str, dict[str, float]]:
    """(fields, truth, fields CPU s, end-to-end wall s, doc_type, the pipeline's stage timings in ms) of one page."""
    page = generate(kind, seed, degrade=level, data=DATA)  # type: ignore[arg-type]
    cached = Path(args.cache) / f"{kind}-{level}-{seed}.png" if args.cache else None
    if args.fields_only and cached is not None and cached.exists():
        upright = np.asarray(Image.open(cached).convert("L"))
        started = time.process_time()
        fields = trade_fields.read_trade_fields(kind, upright, langs=args.langs)
        return fields, page.truth, time.process_time() - started, 0.0, kind, {}
    spent, undo = _cpu_meter()
    try:
        started = time.perf_counter()
        reading = read_page(np.asarray(page.image.convert("L")), Settings(langs=args.langs))
        wall = time.perf_counter() - started
    finally:
        undo()
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(reading.straightened.image).save(cached)
    return reading.fields, page.truth, sum(spent), wall, reading.doc_type.kind, reading.timings_ms


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kinds", nargs="+", default=sorted(trade_fields.TRADE_KINDS),
                        choices=sorted(trade_fields.TRADE_KINDS))
    parser.add_argument("--levels", nargs="+", choices=LEVELS, default=list(LEVELS))
    parser.add_argument("--pages", type=int, default=20, help="pages per kind and level")
    parser.add_argument("--seed", type=int, default=500000)
    parser.add_argument("--langs", default="kat+rus+eng+tur+aze+deu+fra")
    parser.add_argument("--cache", help="folder for straightened pages (reused with --fields-only)")
    parser.add_argument("--fields-only", action="store_true", help="read cached straightened pages' fields only")
    parser.add_argument("--calls", action="store_true", help="count and time every Tesseract call by stage and langs")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    args = parser.parse_args()
    thresholds = load_thresholds()
    seeds = range(args.seed, args.seed + args.pages)
    results: dict[str, Any] = {}
    with Progress(console=STDERR, transient=True) as progress:
        task = progress.add_task("reading", total=len(args.kinds) * len(args.levels) * args.pages)
        for kind in args.kinds:
            for level in args.levels:
                counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
                wrong: list[dict[str, Any]] = []
                cpu: list[float] = []
                wall: list[float] = []
                stages: dict[str, list[float]] = defaultdict(list)
                kinds_missed = 0
                calls, undo_calls = _call_meter() if args.calls else ([], lambda: None)
                for seed in seeds:
                    fields, truth, cpu_s, wall_s, doc_type, timings = _read(kind, seed, level, args)
                    kinds_missed += doc_type != kind
                    cpu.append(cpu_s)
                    wall.append(wall_s)
                    for stage, ms in timings.items():
                        stages[stage].append(ms)
                    layout = truth["variant"]["layout"]
                    for name, value in expected_fields(kind, truth["fields"]).items():
                        reading = fields.get(name)
                        right = reading is not None and reading.value == value
                        accepted = reading is not None and thresholds.accepts(name, reading.confidence, kind)
                        row = counts[name]
                        row["pages"] += 1
                        row["right"] += right
                        row["accepted"] += accepted
                        row["accepted_wrong"] += accepted and not right
                        if not right:
                            wrong.append({"seed": seed, "layout": layout, "field": name, "truth": value,
                                          "read": None if reading is None else reading.value,
                                          "confidence": None if reading is None else round(reading.confidence, 3)})
                    progress.advance(task)
                undo_calls()
                pages = sum(row["pages"] for row in counts.values())
                results.setdefault(kind, {})[level] = {
                    "right": sum(row["right"] for row in counts.values()), "fields": pages,
                    "accepted": sum(row["accepted"] for row in counts.values()),
                    "accepted_wrong": sum(row["accepted_wrong"] for row in counts.values()),
                    "doc_type_missed": kinds_missed,
                    "fields_cpu_s_median": round(statistics.median(cpu), 3),
                    "fields_cpu_s_max": round(max(cpu), 3),
                    "page_wall_s_median": round(statistics.median(wall), 3),
                    "stage_wall_ms_median": {stage: round(statistics.median(ms), 1) for stage, ms in stages.items()},
                    **({"tesseract_calls": _call_summary(calls, args.pages)} if args.calls else {}),
                    "per_field": {name: dict(row) for name, row in sorted(counts.items())},
                    "wrong": wrong,
                }
    report = {"benchmark": "trade_reading", "seed": args.seed, "pages": args.pages, "langs": args.langs,
              "levels": args.levels, "fields_only": args.fields_only, "results": results,
              "load_average_1m": round(os.getloadavg()[0], 2), "machine": machine()}
    print(json.dumps(report) if args.json else json.dumps(report, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
