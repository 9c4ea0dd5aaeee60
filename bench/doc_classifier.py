"""Document-type classifier: accuracy per degradation level, held-out variants, latency and size, int8 vs fp32.

    python bench/doc_classifier.py --json [--per-level N] [--threads N]

The same evaluation as `cez-kiosk models eval doc_classifier --json` (edge_models/training/
doc_classifier_eval.py), run on the factory bundles with one onnxruntime thread, plus the machine.
The test split is regenerated from fixed seeds no training run uses, so the figures other than
latency are the same on every run.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
from bench.common import machine  # noqa: E402
from edge_models.bundle import Threads  # noqa: E402
from edge_models.doc_classifier import MODEL_NAME  # noqa: E402
from edge_models.registry import Registry  # noqa: E402
from edge_models.training.doc_classifier_eval import PER_LEVEL, evaluate_doc_classifier  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--per-level", type=int, default=PER_LEVEL, help="pages per class and degradation level")
    parser.add_argument("--threads", type=int, default=1, help="onnxruntime intra-op threads (the kiosk's: 1)")
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    args = parser.parse_args()
    if args.per_level < 1 or args.threads < 1:
        print("bench/doc_classifier.py: --per-level and --threads must be at least 1", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as root:
        registry = Registry(Path(root), threads=Threads(args.threads, 1))
        int8, fp32 = registry.active(MODEL_NAME), registry.active(f"{MODEL_NAME}-fp32")
        document = evaluate_doc_classifier(int8, fp32, per_level=args.per_level,
                                           held_out_per_level=max(1, args.per_level // 5))
    document["seed"] = int8.manifest.training_data.get("seed")
    document["machine"] = machine()
    print(json.dumps(document) if args.json else json.dumps(document, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
