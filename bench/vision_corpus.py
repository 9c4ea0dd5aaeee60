"""The generated-corpus part of `bench/vision.py`: field accuracy, calibration and speed on synthetic pages.

Pages come from `vision.synth.generator.generate` (every kind, levels none/scan/camera, layout
and font drawn from the seed, held-out variants included). Two splits with disjoint seeds:
- calibration (`seed + CALIBRATION_OFFSET ...`): each field's acceptance threshold is fitted there,
  the lowest confidence above which accepted readings are `TARGET_PRECISION` correct
  (`vision.calibration.fit_threshold`);
- test (`seed ...`): exact-match accuracy per field and level, the share of fields auto-accepted
  under the fitted thresholds, and how often an accepted field is right.
Speed from the same run and configuration: each test page's end-to-end latency (decode to fields,
one page at a time) and its CPU time (this process and its Tesseract children), then throughput
of the test files through the 2-worker pool.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from common import percentiles
from rich.console import Console
from rich.progress import Progress

from vision.calibration import FALLBACK_THRESHOLD, Thresholds, fit_threshold
from vision.pages import load_page
from vision.pipeline import Settings, read_page
from vision.pool import read_files
from vision.synth.generator import KINDS, generate

LEVELS = ("none", "scan", "camera")
CALIBRATION_OFFSET = 100_000
TARGET_PRECISION = 0.995
MIN_FIELD_SAMPLES = 40
"""A field gets its own threshold from this many calibration readings on; fewer share the pooled one."""
LANGS = "kat+rus+eng+tur+aze+deu+fra"
"""The CMR's parties write in Georgian, Cyrillic and Latin with Turkish, Azerbaijani, German and French letters."""
ID_FIELDS = ("document_type", "issuing_state", "document_number", "surname", "given_names", "nationality_code",
             "birth_date", "sex", "expiry_date")
"""What the MRZ reader reports for a passport or ID card; a page whose zone was not found misses them all."""
WORKERS = 2
FIELD_KINDS = ("cmr", "id_document")
"""Kinds whose fields the pipeline reads today; the others are scored on their document kind only."""


def truth_of(truth: dict[str, Any], name: str) -> str | None:
    """A field's ground truth as the reader reports it: an MRZ gives Latin names and a nationality code."""
    fields = truth["fields"]
    if name == "nationality_code":
        return str(fields["mrz_line2"][10:13]).rstrip("<") if "mrz_line2" in fields else None
    if name not in fields:
        return None
    value = str(fields[name])
    return value.split(" / ")[-1] if name in ("surname", "given_names") else value


def matches(name: str, value: str, truth: str | None) -> bool:
    if truth is None:
        return False
    if name.endswith("_date"):  # the visual zone prints dates with dots or spaces, the MRZ has none
        return re.sub(r"\D", "", value) == re.sub(r"\D", "", truth)
    return value == truth


def _cpu_s() -> float:
    """CPU seconds of this process and its finished children (Tesseract runs as a child): unlike latency,
    it does not grow when other jobs share the cores."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def _read_split(kinds: tuple[str, ...], seeds: range, data: Path, folder: Path, settings: Settings,
                progress: Progress, label: str) -> list[dict[str, Any]]:
    """Every page of the split, read one at a time: its kind, level, latency and each field's outcome."""
    task = progress.add_task(label, total=len(kinds) * len(LEVELS) * len(seeds))
    rows = []
    for kind in kinds:
        for level in LEVELS:
            for seed in seeds:
                page = generate(kind, seed, degrade=level, data=data)
                path = folder / f"{kind}-{level}-{seed}.png"
                page.image.save(path)
                started, cpu_started = time.perf_counter(), _cpu_s()
                reading = read_page(load_page(path).gray, settings)
                latency, cpu = time.perf_counter() - started, _cpu_s() - cpu_started
                fields = [
                    (name, field.confidence, matches(name, field.value, truth_of(page.truth, name)))
                    for name, field in reading.fields.items()
                ]
                rows.append({"kind": kind, "level": level, "path": path, "doc_type": reading.doc_type.kind,
                             "latency_s": latency, "cpu_s": cpu, "fields": fields,
                             "truth_fields": page.truth["fields"]})
                progress.advance(task)
    return rows


def _fit(rows: list[dict[str, Any]]) -> Thresholds:
    samples: dict[str, list[tuple[float, bool]]] = defaultdict(list)
    for row in rows:
        for name, confidence, right in row["fields"]:
            samples[name].append((confidence, right))
    pooled = [sample for values in samples.values() for sample in values]
    default = fit_threshold(pooled, TARGET_PRECISION) if pooled else FALLBACK_THRESHOLD
    own = {name: fit_threshold(values, TARGET_PRECISION) for name, values in samples.items()
           if len(values) >= MIN_FIELD_SAMPLES}
    return Thresholds(default, own)


def _score(rows: list[dict[str, Any]], thresholds: Thresholds) -> dict[str, Any]:
    per_field: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    accepted: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # level -> [fields, accepted, accepted right]
    for row in rows:
        if row["kind"] not in FIELD_KINDS:
            continue
        read = {name: (confidence, right) for name, confidence, right in row["fields"]}
        expected = ID_FIELDS if row["kind"] == "id_document" else list(row["truth_fields"])
        for name in expected:
            confidence, right = read.get(name, (0.0, False))
            tally = per_field[(row["kind"], name, row["level"])]
            tally[0] += 1
            tally[1] += right
            taken = thresholds.accepts(name, confidence) and name in read
            counts = accepted[row["level"]]
            counts[0] += 1
            counts[1] += taken
            counts[2] += taken and right
    fields: dict[str, dict[str, dict[str, dict[str, float | int]]]] = defaultdict(lambda: defaultdict(dict))
    for (kind, name, level), (total, right) in sorted(per_field.items()):
        fields[kind][name][level] = {"pages": total, "exact_match": round(right / total, 4)}
    calibration = {
        level: {
            "fields": total,
            "auto_accepted_fraction": round(taken / total, 4) if total else 0.0,
            "accepted_accuracy": round(good / taken, 4) if taken else None,
        }
        for level, (total, taken, good) in sorted(accepted.items())
    }
    return {"fields": fields, "calibration": calibration}


def _doc_types(rows: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    tally: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for row in rows:
        counts = tally[row["kind"]][row["level"]]
        counts[0] += 1
        counts[1] += row["doc_type"] == row["kind"]
    return {kind: {level: round(right / total, 4) for level, (total, right) in levels.items()}
            for kind, levels in tally.items()}


def run(folder: Path, console: Console, seed: int, pages: int, kinds: tuple[str, ...] = KINDS) -> dict[str, Any]:
    """`pages` pages per kind and level in each split, from `seed` (test) and `seed + 100000` (calibration).

    `folder` is the shared data's `hs` folder, which the generator draws goods from; `kinds` narrows the corpus.
    """
    with tempfile.TemporaryDirectory(prefix="cez-corpus-") as tmp, Progress(console=console, transient=True) as bar:
        work = Path(tmp)
        settings = Settings(langs=LANGS)
        calibration_seeds = range(seed + CALIBRATION_OFFSET, seed + CALIBRATION_OFFSET + pages)
        field_kinds = tuple(kind for kind in FIELD_KINDS if kind in kinds)
        calibration_rows = _read_split(field_kinds, calibration_seeds, folder.parent, work, settings, bar,
                                       "calibration split")
        thresholds = _fit(calibration_rows)
        test_rows = _read_split(kinds, range(seed, seed + pages), folder.parent, work, settings, bar, "test split")
        files = [row["path"] for row in test_rows]
        task = bar.add_task(f"throughput, {WORKERS} workers", total=len(files))
        started = time.perf_counter()
        for _ in read_files(files, Settings(langs=LANGS, thresholds=thresholds), workers=WORKERS):
            bar.advance(task)
        elapsed = time.perf_counter() - started
    latencies = [row["latency_s"] for row in test_rows]
    return {
        "config": {"langs": LANGS, "target_precision": TARGET_PRECISION, "levels": list(LEVELS),
                   "pages_per_kind_and_level": pages, "calibration_seeds_from": seed + CALIBRATION_OFFSET,
                   "test_seeds_from": seed, "kinds": list(kinds)},
        "fitted_thresholds": thresholds.to_dict(),
        **_score(test_rows, thresholds),
        "doc_type_accuracy": _doc_types(test_rows),
        "latency_s": percentiles(latencies),
        "cpu_s": percentiles([row["cpu_s"] for row in test_rows]),
        "latency_s_by_kind": {kind: percentiles([r["latency_s"] for r in test_rows if r["kind"] == kind])
                              for kind in kinds},
        "throughput": {"workers": WORKERS, "pages": len(files),
                       "pages_per_s": round(len(files) / elapsed, 3) if elapsed else 0.0},
    }
