"""Every CMR field reading on a tuning sample: what was wrong, how sure the reader was, and its CPU.

    python bench/vision_cmr_sample.py --json [--pages N] [--seed S] [--levels none scan camera] [--wrong]

Pages come from `vision.synth.generate("cmr", ...)` with the held-out layout and font excluded (this
is the sample the CMR reader is tuned on; seeds from 500000, apart from the bench's test and
calibration seeds). Each page is straightened and its boxes located as the pipeline does, then
`vision.cmr_fields.read_fields` is timed alone in CPU seconds (threads included). Every field is
compared with its truth (`vision.cmr_fields.truth_value`). Output: per field and level the exact-match
rate, the lowest confidence of a right reading and the highest of a wrong one, the fields stage's CPU
median, and with `--wrong` every wrong reading (value, truth, confidence). `in_sample_*`: each field's threshold
fitted on this very sample (99.5 % precision, as `vision.calibration.fit_threshold`) and what it would accept
per level: a hint at how well confidence separates right from wrong, not the calibration the corpus bench fits
on its own split.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.progress import Progress

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository first: bench/vision.py shadows it
from common import readings_by_field_and_level, separation, tuning_parser, tuning_report

from vision.calibration import fit_threshold
from vision.cmr_fields import read_fields, truth_value
from vision.form_cells import find_cells, locate_cmr_boxes
from vision.straighten import straighten
from vision.synth import generate
from vision.synth.degrade import LEVELS, Level

LANGS = "kat+rus+eng+tur+aze+deu+fra+pol+lit+ron"
STDERR = Console(stderr=True)


def _sample(seeds: range, levels: list[Level], data: Path, held_out: str) -> list[dict[str, Any]]:
    rows = []
    with Progress(console=STDERR, transient=True) as progress:
        task = progress.add_task("CMR pages", total=len(seeds) * len(levels))
        for level in levels:
            for seed in seeds:
                page = generate("cmr", seed, degrade=level, data=data, held_out=held_out)  # type: ignore[arg-type]
                gray = np.asarray(page.image.convert("L"))
                upright = straighten(gray).image
                cells = locate_cmr_boxes(find_cells(upright))
                cpu, wall = time.process_time(), time.perf_counter()
                fields = read_fields(upright, langs=LANGS, cells=cells)
                cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
                readings = {}
                for name, reading in fields.items():
                    truth = truth_value(page.truth, name)
                    readings[name] = {"value": reading.value, "truth": truth,
                                      "confidence": round(reading.confidence, 3), "right": reading.value == truth}
                rows.append({"seed": seed, "level": level, "layout": page.truth["variant"]["layout"],
                             "font": page.truth["variant"]["font"], "cpu_s": cpu, "wall_s": wall,
                             "fields": readings})
                progress.advance(task)
    return rows


def _summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    per = readings_by_field_and_level(rows)
    fields = {name: {level: separation(readings) for level, readings in levels.items()} for name, levels in per.items()}
    thresholds = {name: fit_threshold([(r["confidence"], r["right"]) for rs in levels.values() for r in rs], 0.995)
                  for name, levels in per.items()}
    acceptance: dict[str, dict[str, Any]] = {}
    for level in dict.fromkeys(r["level"] for r in rows):
        pairs = [(name, r) for name, levels in per.items() for r in levels[level]]
        taken = [r for name, r in pairs if thresholds[name] < 1.0 and r["confidence"] >= thresholds[name]]
        acceptance[level] = {"fields": len(pairs), "auto_accepted_fraction": round(len(taken) / len(pairs), 3),
                             "accepted_accuracy": round(sum(r["right"] for r in taken) / len(taken), 4)
                             if taken else None}
    cpu = {level: round(statistics.median(r["cpu_s"] for r in rows if r["level"] == level), 3)
           for level in dict.fromkeys(r["level"] for r in rows)}
    return {"fields": fields, "in_sample_thresholds": thresholds, "in_sample_acceptance": acceptance,
            "fields_cpu_s_median": cpu,
            "fields_cpu_s_median_all": round(statistics.median(r["cpu_s"] for r in rows), 3)}


def main() -> int:
    parser = tuning_parser(__doc__.splitlines()[0], LEVELS)
    args = parser.parse_args()
    if args.pages < 1:
        print("--pages must be at least 1", file=sys.stderr)
        return 2
    seeds = range(args.seed, args.seed + args.pages)
    rows = _sample(seeds, args.levels, args.data, args.held_out)
    report = tuning_report(args, LANGS, rows, _summary(rows))
    print(json.dumps(report, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
