"""`models eval doc_classifier`: int8 and fp32 side by side on a held-apart synthetic test split.

The split is regenerated on every run from seeds at and above TEST_SEED_BASE, which training never
uses: every kind and `other` (pages rendered from system text) at each degradation level, the page
resolution cycling through 150, 200 and 300 dpi, on the variants training saw; pages in held-out
layouts or fonts are a second split, reported apart. Each page is classified from its full image,
so latency includes the thumbnail preprocessing. It lives beside the training code because it needs
vision's generator; the runtime classifier does not.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

import numpy as np
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from edge_models.bundle import LoadedModel
from edge_models.doc_classifier import LABELS, classify
from edge_models.evaluation import bundle_size
from edge_models.training import doc_classifier_data as data
from edge_models.training.doc_classifier_data import PageSpec

PER_LEVEL = 34
"""Pages per class and degradation level in the main split: 204 per level, so one error still reads 99.5%."""
HELD_OUT_PER_LEVEL = 4
TEST_DPIS = (150, 200, 300)


def held_apart_split(per_level: int = PER_LEVEL, held_out_per_level: int = HELD_OUT_PER_LEVEL
               ) -> tuple[list[PageSpec], list[PageSpec]]:
    """The main split and the held-out-variant split; fixed, and disjoint from every training seed."""
    rng = random.Random("doc-classifier-test")
    seeds = range(data.TEST_SEED_BASE, data.TEST_SEED_BASE + per_level)
    main = data.synth_specs(seeds, data.LEVELS, TEST_DPIS, False, rng)
    main += data.other_specs(seeds, data.LEVELS, TEST_DPIS, rng)
    held_seeds = range(data.TEST_SEED_BASE + per_level, data.TEST_SEED_BASE + per_level + held_out_per_level)
    held_out = data.synth_specs(held_seeds, data.LEVELS, TEST_DPIS, True, rng)
    return main, held_out


class _Tally:
    """Predictions and per-page latencies of one model over one split."""

    def __init__(self) -> None:
        self.rows: list[tuple[PageSpec, str]] = []
        self.latencies_ms: list[float] = []

    def accuracy(self, level: str | None = None) -> float | None:
        hits = [predicted == spec.label for spec, predicted in self.rows if level in (None, spec.level)]
        return round(sum(hits) / len(hits), 4) if hits else None

    def per_level(self) -> dict[str, float | None]:
        return {level: self.accuracy(level) for level in data.LEVELS}

    def per_class(self) -> dict[str, float | None]:
        result: dict[str, float | None] = {}
        for label in LABELS:
            hits = [predicted == label for spec, predicted in self.rows if spec.label == label]
            result[label] = round(sum(hits) / len(hits), 4) if hits else None
        return result

    def confusion(self) -> dict[str, dict[str, int]]:
        """true label -> predicted label -> pages (only labels that occur)."""
        table: dict[str, dict[str, int]] = {}
        for spec, predicted in self.rows:
            row = table.setdefault(spec.label, {})
            row[predicted] = row.get(predicted, 0) + 1
        return table

    def latency(self) -> dict[str, float]:
        values = np.asarray(self.latencies_ms)
        return {"p50": round(float(np.percentile(values, 50)), 3), "p99": round(float(np.percentile(values, 99)), 3)}


def _run(models: Sequence[LoadedModel], specs: Sequence[PageSpec], progress: Progress, title: str
         ) -> list[_Tally]:
    import time

    tallies = [_Tally() for _ in models]
    task = progress.add_task(title, total=len(specs))
    for spec in specs:
        page = np.asarray(data.render(spec))
        for model, tally in zip(models, tallies, strict=True):
            start = time.perf_counter()
            answer = classify(page, model)
            tally.latencies_ms.append((time.perf_counter() - start) * 1000)
            tally.rows.append((spec, answer.label))
        progress.advance(task)
    return tallies


def _held_out(tally: _Tally) -> dict[str, Any]:
    return {"pages": len(tally.rows), "accuracy": tally.accuracy(), "per_level": tally.per_level(),
            "per_class": {k: v for k, v in tally.per_class().items() if v is not None}}


def evaluate_doc_classifier(model: LoadedModel, fp32: LoadedModel | None, per_level: int = PER_LEVEL,
                            held_out_per_level: int = HELD_OUT_PER_LEVEL) -> dict[str, Any]:
    """The `models eval` document for the classifier (docs/models.md lists the fields)."""
    import cv2

    main, held_out = held_apart_split(per_level, held_out_per_level)
    models = [model] if fp32 is None else [model, fp32]
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    opencv_threads = cv2.getNumThreads()
    cv2.setNumThreads(1)  # latency on one core: the thumbnail's resizes too, not only onnxruntime
    try:
        with Progress(*columns, console=Console(stderr=True)) as progress:
            main_tallies = _run(models, main, progress, "test split")
            held_tallies = _run(models, held_out, progress, "held-out variants")
    finally:
        cv2.setNumThreads(opencv_threads)
    int8 = main_tallies[0]
    document: dict[str, Any] = {
        "model": model.name,
        "version": model.version,
        "quantization": model.manifest.quantization,
        "accuracy": int8.accuracy(),
        "per_level": int8.per_level(),
        "per_class": int8.per_class(),
        "confusion": int8.confusion(),
        "latency_ms": int8.latency(),
        "size_bytes": bundle_size(model.directory),
        "held_out": _held_out(held_tallies[0]),
        "fp32": None,
        "split": {"pages": len(main), "held_out_pages": len(held_out), "per_class_per_level": per_level,
                  "levels": list(data.LEVELS), "dpis": list(TEST_DPIS), "first_seed": data.TEST_SEED_BASE,
                  "intra_op_threads": model.session.get_session_options().intra_op_num_threads,
                  "opencv_threads": 1},
    }
    if fp32 is not None:
        reference = main_tallies[1]
        document["fp32"] = {"version": fp32.version, "accuracy": reference.accuracy(),
                            "per_level": reference.per_level(), "size_bytes": bundle_size(fp32.directory),
                            "latency_ms": reference.latency(), "held_out": _held_out(held_tallies[1])}
    return document
