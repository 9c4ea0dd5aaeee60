"""The vision issue's benchmark: accuracy and speed of the kiosk's readers, from one run.

    python bench/vision.py --json [--part barcodes|ocr|corpus] [--data ../shared/data] [--seed S] [--pages N]
                           [--write-calibration FILE] [--write-readings FILE] [--kind KIND]... [--latency-pages M]

Each part is a section of the JSON, named after what it measures:
- `barcodes`: zxing-cpp's sample images (`bench/vision_barcodes.py`);
- `ocr`: character error rate on Tesseract's test pages, per page and rotated variant (`bench/vision_ocr.py`);
- `corpus`: generated pages of every kind and degradation: field accuracy, fitted acceptance thresholds,
  auto-acceptance, the issue's targets met or not, latency and 2-worker throughput (`bench/vision_corpus.py`).
  `--pages N` is pages per kind in each split, the levels in turn (`--pages 200`: the issue's run);
  `--latency-pages M` of them per kind and level are also timed one at a time. `--write-calibration FILE`
  saves the thresholds it fitted (the shipped ones are `vision/calibration.json`), `--write-readings FILE` every
  reading's confidence and rightness, so a fit can be redone offline; `--kind cmr` measures one kind
  only (quick before/after comparisons of one reader).
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console

# The repository before this script's folder: else this file would shadow the `vision` package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import vision_barcodes
import vision_corpus
import vision_ocr
from common import machine

from vision.synth.generator import KINDS

STDERR = Console(stderr=True)  # progress bars on stderr: stdout carries only the JSON
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"

PARTS: dict[str, tuple[str, Callable[[Path, Console, int, int], dict[str, Any]]]] = {
    # part: (the data folder it needs, the function that measures it: (folder, console, seed, pages))
    "barcodes": ("barcodes", vision_barcodes.run),
    "ocr": ("ocr", vision_ocr.run),
    "corpus": ("hs", vision_corpus.run),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--part", choices=sorted(PARTS), action="append",
                        help="measure only this part (repeatable; default: every part)")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared data folder")
    parser.add_argument("--seed", type=int, default=1, help="first seed of the generated pages")
    parser.add_argument("--pages", type=int, default=10,
                        help="with the corpus part: generated pages per kind in each split, levels in turn")
    parser.add_argument("--latency-pages", type=int, default=10,
                        help="with the corpus part: test pages per kind and level timed one at a time")
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    parser.add_argument("--write-calibration", type=Path, default=None,
                        help="with the corpus part: write the fitted acceptance thresholds to this JSON file")
    parser.add_argument("--write-readings", type=Path, default=None,
                        help="with the corpus part: write every reading's (confidence, right) per threshold key, "
                             "both splits, to this JSON file (left out of the printed report: ~1 MB)")
    parser.add_argument("--kind", choices=KINDS, action="append",
                        help="with the corpus part: generate only this kind (repeatable; default: every kind)")
    args = parser.parse_args()
    if args.pages < 1 or args.latency_pages < 0:
        print("bench/vision.py: --pages must be at least 1 and --latency-pages at least 0", file=sys.stderr)
        return 2
    for target in (args.write_calibration, args.write_readings):
        if target is not None and not target.resolve().parent.is_dir():  # checked now, not after an hour
            print(f"bench/vision.py: {target.parent} is not a folder; cannot write {target.name}", file=sys.stderr)
            return 2

    report: dict[str, Any] = {"benchmark": "vision", "seed": args.seed, "pages": args.pages}
    for part in args.part or sorted(PARTS):
        folder, measure = PARTS[part]
        if part == "corpus":
            measure = functools.partial(vision_corpus.run, kinds=tuple(args.kind or KINDS),
                                        latency_pages=args.latency_pages)
        if not (args.data / folder).is_dir():
            print(f"bench/vision.py: {args.data / folder} is absent; cannot measure {part}", file=sys.stderr)
            return 2
        report[part] = measure(args.data / folder, STDERR, args.seed, args.pages)
    if "corpus" in report:
        readings = report["corpus"].pop("readings")
        if args.write_calibration is not None:
            args.write_calibration.write_text(json.dumps(report["corpus"]["fitted_thresholds"], indent=2) + "\n")
        if args.write_readings is not None:
            args.write_readings.write_text(json.dumps(readings) + "\n")
    report["machine"] = machine()
    print(json.dumps(report, ensure_ascii=False) if args.json else json.dumps(report, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
