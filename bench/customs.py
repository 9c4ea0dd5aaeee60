"""The customs issue's benchmark: consignment sets with injected faults, checked from their truth and their images.

    python bench/customs.py --json [--sets N] [--seed S] [--part truth|e2e] [--data ../shared/data]

Each set is the documents of one consignment (`vision.synth.consignment_sets`): CMR, invoice, certificate of origin
and for some a packing list, a third of them clean and the rest with one fault each: a wrong container check digit,
an unknown HS code, a CMR gross weight 15-35 % off, an undervalued line, a certificate naming another origin
(`bench/customs_sets.py`). Undervalued lines are goods of the shipped reference-value table
(`kiosk/customs/data/reference-values-sample.json`), as are half of the other sets' first lines, priced normally.

Two passes, each scored per rule (`bench/customs_score.py`):
- `truth`: the documents built from each page's ground truth (`DocumentSet.from_pages`), then `validate` and
  `risk_flags` (no HS suggester, no exchange rates: covered lines are priced in the table's currency). The issue's
  target: every injected fault found, at most 1 % of clean sets with a false ERROR;
- `e2e`: the page images (scan degradation, 300 dpi) read through vision's 2-worker pool with the shipped
  calibration, the documents built from what it read (the kinds it named), then the same steps; also the fields'
  exact-match rate per kind and how often the kind was named right. A set with two pages read as one kind is
  `refused` (the kiosk would ask the driver): no rule fires on it. `e2e.after_driver` scores the same readings as
  the intake flow would submit them: a reading vision accepted stays as read, one it did not accept is what the
  driver types from the page (its truth, in the reader's form), and a reading of a box the page leaves empty is
  cleared. Fields vision did not read at all stay absent, as the flow does not ask for them.
The JSON records the seed, the counts, the git commit and nproc.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import Progress

# The repository before this script's folder: else bench/vision.py would shadow the `vision` package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import customs_sets
from common import machine, percentiles
from customs_score import RULES, SetOutcome, fired, summary
from vision_corpus import LANGS, WORKERS
from vision_corpus_score import Tally, expected_fields, page_outcomes

from kiosk.customs.document_set import DocumentSet
from kiosk.customs.documents import DocumentInputError
from kiosk.customs.findings import errors
from kiosk.customs.nomenclature import Nomenclature
from kiosk.customs.risk import ReferenceValues, load_reference_values, risk_flags
from kiosk.customs.validation import validate
from vision.pipeline import Settings
from vision.pool import read_files
from vision.synth.consignment_sets import UnitValues, document_fields
from vision.synth.degrade import Level

STDERR = Console(stderr=True)  # progress bars on stderr: stdout carries only the JSON
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
PARTS = ("truth", "e2e")
DEGRADE: Level = "scan"
"""The kiosk's document scanner: what a driver's pages look like to vision."""
MAX_CLEAN_ERROR_RATE = 0.01


def unit_values(references: ReferenceValues) -> UnitValues:
    """The reference table as the generator takes it (plain figures: vision does not read the kiosk's data)."""
    return {value.code: (float(value.median_per_kg), value.currency) for value in references.values}


def check_set(pages: Iterable[tuple[str, Any]], seed: int, fault: str | None, on: date, data: Path,
              references: ReferenceValues) -> SetOutcome:
    """One set's pages (kind, fields) through the customs steps: the rules that fire and the ERROR codes."""
    try:
        documents = DocumentSet.from_pages(pages)
    except DocumentInputError:
        return SetOutcome(seed, fault, frozenset(), refused=True)
    findings = validate(documents, on=on, nomenclature=Nomenclature.load(data / "hs", on))
    flags = risk_flags(documents, references=references)
    codes = [item.code for item in findings] + [flag.code for flag in flags]
    return SetOutcome(seed, fault, fired(codes), tuple(item.code for item in errors(findings)))


def truth_pass(truths: list[dict[str, Any]], data: Path, references: ReferenceValues) -> list[SetOutcome]:
    return [check_set([(page["kind"], document_fields(page)) for page in truth["pages"]], truth["seed"],
                      truth["fault"], date.fromisoformat(truth["declared_on"]), data, references)
            for truth in truths]


def targets(figures: dict[str, Any]) -> dict[str, Any]:
    """The issue's targets for the truth pass: each rule's recall 1, clean sets' false ERROR rate at most 1 %."""
    rate = figures["clean_false_error"]["rate"]
    recalls = {rule: scores["recall"] for rule, scores in figures["rules"].items()}
    return {"every_fault_found": all(recall == 1.0 for recall in recalls.values() if recall is not None),
            "clean_false_error_rate": {"value": rate, "at_most": MAX_CLEAN_ERROR_RATE,
                                       "met": rate is not None and rate <= MAX_CLEAN_ERROR_RATE}}


def _generate(jobs: list[customs_sets.Job], progress: Progress) -> tuple[list[dict[str, Any]], float]:
    task = progress.add_task(f"making {len(jobs)} sets, {WORKERS} processes", total=len(jobs))
    started = time.perf_counter()
    truths = []
    for truth in customs_sets.run(jobs, WORKERS):
        truths.append(truth)
        progress.advance(task)
    return truths, time.perf_counter() - started


def e2e_pass(truths: list[dict[str, Any]], out: Path, data: Path, references: ReferenceValues,
             progress: Progress) -> tuple[list[SetOutcome], list[SetOutcome], dict[str, Any]]:
    """Every page read once through the pool, then each set through the customs steps as read and as the driver
    confirms it (`confirmed`); and the reading figures."""
    pages = [(truth, page) for truth in truths for page in truth["pages"]]
    task = progress.add_task(f"reading {len(pages)} pages, {WORKERS} workers", total=len(pages))
    settings = Settings.with_calibration(langs=LANGS)
    started = time.perf_counter()
    results, seconds, cpu = [], [], []
    for outcome in read_files([out / page["image"] for _, page in pages], settings, workers=WORKERS):
        results.append(outcome.result)
        if outcome.result is not None:
            seconds.append(outcome.seconds)
            cpu.append(outcome.cpu_seconds)
        progress.advance(task)
    wall = time.perf_counter() - started
    read: dict[int, list[tuple[dict[str, Any], dict[str, Any] | None]]] = defaultdict(list)
    for (truth, page), result in zip(pages, results, strict=True):
        read[truth["seed"]].append((page, result))
    cmr_names = {name for (_, page), result in zip(pages, results, strict=True)
                 if page["kind"] == "cmr" and result for name in result["fields"]}

    def check(truth: dict[str, Any], fields: Callable[[dict[str, Any], dict[str, Any]], Any]) -> SetOutcome:
        return check_set([(result["doc_type"], fields(page, result)) for page, result in read[truth["seed"]] if result],
                         truth["seed"], truth["fault"], date.fromisoformat(truth["declared_on"]), data, references)

    outcomes = [check(truth, lambda _, result: result["fields"]) for truth in truths]
    after_driver = [check(truth, lambda page, result: confirmed(page, result, cmr_names)) for truth in truths]
    figures = reading_figures(list(zip((page for _, page in pages), results, strict=True)))
    return outcomes, after_driver, {**figures, "pages": len(pages), "wall_s": round(wall, 1),
                      "pages_per_s": round(len(pages) / wall, 3) if wall else None,
                      "worker_page_s": percentiles(seconds) if seconds else {},
                      "worker_cpu_s": percentiles(cpu) if cpu else {}}


def confirmed(page: dict[str, Any], result: dict[str, Any], cmr_names: set[str]) -> dict[str, Any]:
    """A page's fields as the intake flow submits them: accepted readings as read, the others as the driver types
    them from the page (the truth in the reader's form where vision's scoring knows the field, else as printed:
    plain text, which the documents take as certain); a reading of a box the page leaves empty is cleared. The page
    counts as the kind vision named (the driver sees that too)."""
    expected = {**document_fields(page), **expected_fields(page["kind"], page, cmr_names)}
    return {name: reading if reading["accepted"] else expected[name]
            for name, reading in result["fields"].items() if reading["accepted"] or name in expected}


def reading_figures(read: list[tuple[dict[str, Any], dict[str, Any] | None]]) -> dict[str, Any]:
    """Exact match of the fields per kind (printed ones, in each reader's normal form), the kinds named right and
    the pages that could not be read."""
    cmr_names = {name for page, result in read if page["kind"] == "cmr" and result for name in result["fields"]}
    tallies: dict[str, Tally] = defaultdict(Tally)
    kinds: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for page, result in read:
        kind = page["kind"]
        kinds[kind][0] += 1
        kinds[kind][1] += result is not None and result["doc_type"] == kind
        for outcome in page_outcomes(kind, page, result, cmr_names):
            tallies[kind].add(outcome)
    return {"fields": {kind: {**tally.to_dict(), "exact_match": tally.exact_match}
                       for kind, tally in sorted(tallies.items())},
            "doc_type_accuracy": {kind: round(right / total, 4) for kind, (total, right) in sorted(kinds.items())},
            "unreadable_pages": sum(result is None for _, result in read)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", type=int, default=200, help="consignment sets (a third clean)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the first set; set i gets seed + i")
    parser.add_argument("--part", choices=PARTS, action="append", help="run only this pass (default: both)")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared data folder (HS files)")
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    args = parser.parse_args()
    if args.sets < 1:
        print("bench/customs.py: --sets must be at least 1", file=sys.stderr)
        return 2
    if not (args.data / "hs" / "harmonized-system.csv").is_file():
        print(f"bench/customs.py: {args.data / 'hs' / 'harmonized-system.csv'} is absent", file=sys.stderr)
        return 2
    parts = args.part or list(PARTS)
    references = load_reference_values()
    report: dict[str, Any] = {"benchmark": "customs", "seed": args.seed, "sets": args.sets, "parts": parts,
                              "config": {"degrade": DEGRADE, "dpi": 300, "langs": LANGS, "workers": WORKERS,
                                         "rules": {rule: list(codes) for rule, codes in RULES.items()},
                                         "fault_cycle": list(customs_sets.FAULT_CYCLE),
                                         "reference_values": {"version": references.version,
                                                              "sample": references.sample},
                                         "hs_suggester": None}}
    with tempfile.TemporaryDirectory(prefix="cez-customs-") as tmp, \
            Progress(console=STDERR, transient=True) as progress:
        out = Path(tmp) if "e2e" in parts else None
        jobs = customs_sets.plan(args.seed, args.sets, args.data, unit_values(references), out, DEGRADE)
        truths, generated = _generate(jobs, progress)
        report["faults"] = {str(fault): sum(truth["fault"] == fault for truth in truths)
                            for fault in dict.fromkeys(customs_sets.FAULT_CYCLE)}
        report["pages"] = sum(len(truth["pages"]) for truth in truths)
        report["generation"] = {"wall_s": round(generated, 1), "workers": WORKERS, "images": out is not None}
        if "truth" in parts:
            figures = summary(truth_pass(truths, args.data, references))
            report["truth"] = {**figures, "targets": targets(figures)}
        if "e2e" in parts and out is not None:
            outcomes, after_driver, reading = e2e_pass(truths, out, args.data, references, progress)
            report["e2e"] = {**summary(outcomes), "after_driver": summary(after_driver), "reading": reading}
    report["machine"] = machine()
    print(json.dumps(report, ensure_ascii=False) if args.json else json.dumps(report, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
