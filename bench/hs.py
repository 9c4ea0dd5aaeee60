"""HS suggester: accuracy at three levels, latency and size, against the FTS5 baseline, in one run.

    python bench/hs.py --json [--fp32 DIR] [--threads N]

On the hand-written invoice descriptions (edge_models/hs/eval_queries.tsv): the factory int8 bundle,
its fp32 twin (built by `python -m edge_models.training.hs` into build/models; left out when absent)
and SQLite FTS5 with bm25 over the same nomenclature texts. Top-1 and top-5 accuracy at chapter,
heading and subheading level, overall and per language; latency per query (one at a time,
tokenization and ranking included), p50/p99; bundle size on disk; session load and warm-up time.
The figures are deterministic except latency: the suggester has no sampling, the seed recorded is
the bundle's build seed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
from bench.common import machine  # noqa: E402
from edge_models.bundle import LoadedModel, Threads, load_bundle  # noqa: E402
from edge_models.hs.report import evaluate_hs  # noqa: E402
from edge_models.hs.suggester import MODEL_NAME  # noqa: E402
from edge_models.registry import Registry  # noqa: E402

FP32_DEFAULT = BENCH.parent / "build" / "models" / f"{MODEL_NAME}-fp32"


def _timed_load(load: Any) -> tuple[LoadedModel, float]:
    started = time.perf_counter()
    model = load()
    return model, round(time.perf_counter() - started, 3)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fp32", type=Path, default=None, help="the fp32 bundle (default: build/models)")
    parser.add_argument("--threads", type=int, default=1, help="onnxruntime intra-op threads (the kiosk's: 1)")
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    args = parser.parse_args()
    threads = Threads(args.threads, 1)
    with tempfile.TemporaryDirectory() as root:
        int8, int8_load_s = _timed_load(lambda: Registry(Path(root), threads=threads).active(MODEL_NAME))
    fp32_dir = args.fp32 or FP32_DEFAULT / int8.version
    fp32, fp32_load_s = _timed_load(lambda: load_bundle(fp32_dir, threads)) if fp32_dir.is_dir() else (None, None)
    report = evaluate_hs(int8, fp32)
    report["load_s"] = int8_load_s
    if report["fp32"] is not None:
        report["fp32"]["load_s"] = fp32_load_s
    result = {"benchmark": "hs", "seed": int8.manifest.training_data.get("seed"), "threads": args.threads,
              **report, "load_average": [round(value, 2) for value in os.getloadavg()], "machine": machine()}
    print(json.dumps(result) if args.json else json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
