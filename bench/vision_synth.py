"""How fast the synthetic document generator makes pages: pages/s per kind and degradation at a dpi.

    python bench/vision_synth.py --json [--pages N] [--seed S] [--dpi 300]

One process, one core: `render` is `vision.synth.generate` (drawing and degrading), `png` the
encoding the CLI writes. `--jobs 2` on the CLI roughly doubles throughput on two idle cores. The
1-minute load average at the end is recorded: on a shared box the figures are only as good as it.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import Progress

# The repository before this script's folder: else bench/vision.py would shadow the `vision` package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from common import machine

from vision.synth import KINDS, generate, png_bytes
from vision.synth.degrade import LEVELS

STDERR = Console(stderr=True)  # progress bars on stderr: stdout carries only the JSON


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=6, help="pages per kind and degradation")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dpi", type=int, default=300)
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    args = parser.parse_args()

    generate("cmr", args.seed, dpi=72)  # load fonts and the nomenclature outside the timings
    results: dict[str, dict[str, Any]] = {}
    with Progress(console=STDERR, transient=True) as progress:
        task = progress.add_task("generating", total=len(KINDS) * len(LEVELS) * args.pages)
        for kind in KINDS:
            results[kind] = {}
            for level in LEVELS:
                render: list[float] = []
                encode: list[float] = []
                for seed in range(args.seed, args.seed + args.pages):
                    started = time.perf_counter()
                    page = generate(kind, seed, degrade=level, dpi=args.dpi)
                    rendered = time.perf_counter()
                    png_bytes(page)
                    render.append(rendered - started)
                    encode.append(time.perf_counter() - rendered)
                    progress.advance(task)
                total = sum(render) + sum(encode)
                results[kind][level] = {
                    "pages_per_s": round(args.pages / total, 2),
                    "render_ms_median": round(statistics.median(render) * 1000, 1),
                    "png_ms_median": round(statistics.median(encode) * 1000, 1),
                }
    report = {"benchmark": "vision_synth", "seed": args.seed, "pages": args.pages, "dpi": args.dpi,
              "results": results, "load_average_1m": round(os.getloadavg()[0], 2), "machine": machine()}
    print(json.dumps(report) if args.json else json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
