"""How well invoices, certificates of origin and packing lists are read: per-field exact match.

    python bench/vision_fields.py --json [--pages N] [--seed S] [--levels none scan] [--langs kat+rus+eng]

Generated pages (layouts and fonts drawn from the seed, held-out ones included) are straightened
and read by `vision.trade_fields`; each field's reading is compared with the normalised ground truth
(`vision.trade_truth`). Per kind, level and field: `pages` printing it, `read` (any value), `right`
(exact match), `accepted` (confidence at or above the shipped threshold) and `accepted_right`.
`held_out_right` / `held_out_pages` count the held-out layout alone. Seeds start apart from the tests'.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.progress import Progress

# The repository before this script's folder: else bench/vision.py would shadow the `vision` package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from common import machine

from vision.calibration import load_thresholds
from vision.straighten import straighten
from vision.synth import generate
from vision.synth.degrade import LEVELS, Level
from vision.trade_fields import TRADE_KINDS, read_trade_fields
from vision.trade_truth import expected_fields

STDERR = Console(stderr=True)  # progress bars on stderr: stdout carries only the JSON
COUNTS = ("pages", "read", "right", "accepted", "accepted_right", "held_out_pages", "held_out_right")


def _score(kind: str, level: Level, seeds: range, langs: str, progress: Progress, task: Any) -> dict[str, Any]:
    thresholds = load_thresholds()
    fields: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTS, 0))
    seconds: list[float] = []
    for seed in seeds:
        page = generate(kind, seed, degrade=level)
        held_out = bool(page.truth["variant"]["held_out"]["layout"])
        upright = straighten(np.asarray(page.image.convert("L"))).image
        started = time.perf_counter()
        read = read_trade_fields(kind, upright, langs=langs)
        seconds.append(time.perf_counter() - started)
        for name, value in expected_fields(kind, page.truth["fields"]).items():
            counts, reading = fields[name], read.get(name)
            right = reading is not None and reading.value == value
            accepted = reading is not None and thresholds.accepts(name, reading.confidence, kind)
            counts["pages"] += 1
            counts["read"] += reading is not None
            counts["right"] += right
            counts["accepted"] += accepted
            counts["accepted_right"] += accepted and right
            counts["held_out_pages"] += held_out
            counts["held_out_right"] += held_out and right
        progress.advance(task)
    return {"fields": dict(sorted(fields.items())), "read_ms_median": round(statistics.median(seconds) * 1000)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=6, help="pages per kind and level")
    parser.add_argument("--seed", type=int, default=300001)
    parser.add_argument("--levels", nargs="+", choices=LEVELS, default=["none", "scan"])
    parser.add_argument("--langs", default="kat+rus+eng")
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    args = parser.parse_args()
    levels: list[Level] = args.levels
    seeds = range(args.seed, args.seed + args.pages)
    results: dict[str, dict[str, Any]] = {}
    with Progress(console=STDERR, transient=True) as progress:
        task = progress.add_task("reading", total=len(TRADE_KINDS) * len(levels) * args.pages)
        for kind in sorted(TRADE_KINDS):
            results[kind] = {level: _score(kind, level, seeds, args.langs, progress, task) for level in levels}
    report = {"benchmark": "vision_fields", "seed": args.seed, "pages": args.pages, "langs": args.langs,
              "results": results, "load_average_1m": round(os.getloadavg()[0], 2), "machine": machine()}
    print(json.dumps(report) if args.json else json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
