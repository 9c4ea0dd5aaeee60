"""Every ID document field on a tuning sample: right or wrong, how sure the reader was, and the MRZ stage's time.

    python bench/id_sample.py --json [--pages N] [--seed S] [--levels none scan camera] [--held-out exclude]
                              [--workers W] [--cache DIR] [--wrong]

Pages come from `vision.synth.generate("id_document", ...)` with the held-out layout and font excluded
(the sample the MRZ reader is tuned on; seeds from 500000, apart from the corpus bench's test and
calibration seeds; `--held-out only` checks the held-out variants without tuning on them). Each page goes
through `vision.pipeline.read_page` as `vision read` does, and each field is scored as the corpus bench
scores it (`bench/vision_corpus_score.py`: `expected_fields`, `is_right`). Output: per field and level
the exact-match rate, the lowest confidence of a right reading and the highest of a wrong one, and the share
of pages whose reading is right above every wrong one's confidence (`above_wrong`: what a threshold fitted on
this sample could accept), the median `mrz` stage and page time and the page's CPU seconds, and with `--wrong`
every wrong reading. `--cache DIR` keeps the generated pages (PNG and truth), since drawing a camera page
costs more than reading it.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image
from rich.console import Console
from rich.progress import Progress

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository first: bench/vision.py shadows it
from common import readings_by_field_and_level, separation, tuning_parser, tuning_report
from vision_corpus_score import ID_FIELDS, expected_fields, is_right

from vision.pipeline import Settings, read_page
from vision.synth import generate
from vision.synth.cmr import SynthPage, png_bytes
from vision.synth.degrade import LEVELS

LANGS = "kat+rus+eng+tur+aze+deu+fra+pol+lit+ron"
STDERR = Console(stderr=True)


def _page(seed: int, level: str, data: Path, held_out: str, cache: Path | None) -> SynthPage:
    """The generated page, from the cache when it holds it."""
    stem = None if cache is None else cache / f"id-{held_out}-{level}-{seed}"
    if stem is not None and stem.with_suffix(".json").exists():
        truth = json.loads(stem.with_suffix(".json").read_text())
        return SynthPage(Image.open(stem.with_suffix(".png")).convert("RGB"), truth)
    page = generate("id_document", seed, degrade=level, data=data, held_out=held_out)  # type: ignore[arg-type]
    if stem is not None:
        stem.with_suffix(".png").write_bytes(png_bytes(page))
        stem.with_suffix(".json").write_text(json.dumps(page.truth, ensure_ascii=False))
    return page


def _read(job: tuple[int, str, Path, str, Path | None]) -> dict[str, Any]:
    seed, level, data, held_out, cache = job
    page = _page(seed, level, data, held_out, cache)
    cpu = time.process_time()
    result = read_page(np.asarray(page.image.convert("L")), Settings(langs=LANGS))
    cpu = time.process_time() - cpu
    truth = expected_fields("id_document", page.truth)
    readings = {}
    for name in ID_FIELDS:
        reading = result.fields.get(name)
        value = "" if reading is None else str(reading.value)
        readings[name] = {"value": value, "truth": truth.get(name),
                          "confidence": 0.0 if reading is None else round(reading.confidence, 3),
                          "right": reading is not None and is_right(name, value, truth.get(name))}
    return {"seed": seed, "level": level, "layout": page.truth["variant"]["layout"],
            "font": page.truth["variant"]["font"], "doc_type": result.doc_type.kind,
            "mrz_ms": result.timings_ms.get("mrz", 0.0), "total_ms": result.timings_ms["total"], "cpu_s": cpu,
            "fields": readings}


def _sample(jobs: list[tuple[int, str, Path, str, Path | None]], workers: int) -> list[dict[str, Any]]:
    with Progress(console=STDERR, transient=True) as progress, ProcessPoolExecutor(workers) as pool:
        task = progress.add_task("ID pages", total=len(jobs))
        rows = []
        for row in pool.map(_read, jobs):
            rows.append(row)
            progress.advance(task)
    return rows


def _summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    fields = {name: {level: separation(readings) for level, readings in levels.items()}
              for name, levels in readings_by_field_and_level(rows).items()}
    levels_seen = list(dict.fromkeys(r["level"] for r in rows))
    timing = {level: {"mrz_ms_median": statistics.median(r["mrz_ms"] for r in rows if r["level"] == level),
                      "total_ms_median": statistics.median(r["total_ms"] for r in rows if r["level"] == level),
                      "page_cpu_s_median": round(statistics.median(r["cpu_s"] for r in rows if r["level"] == level),
                                                 3)}
              for level in levels_seen}
    return {"fields": fields, "timings": timing}


def main() -> int:
    parser = tuning_parser(__doc__.splitlines()[0], LEVELS)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--cache", type=Path, help="a folder keeping generated pages between runs")
    args = parser.parse_args()
    if args.pages < 1 or args.workers < 1:
        print("--pages and --workers must be at least 1", file=sys.stderr)
        return 2
    if args.cache is not None and not args.cache.is_dir():
        print(f"--cache {args.cache}: not a folder", file=sys.stderr)
        return 2
    jobs = [(seed, level, args.data, args.held_out, args.cache)
            for level in args.levels for seed in range(args.seed, args.seed + args.pages)]
    rows = _sample(jobs, args.workers)
    report = tuning_report(args, LANGS, rows, _summary(rows))
    print(json.dumps(report, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
