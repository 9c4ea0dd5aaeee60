"""The walking skeleton's latency: a driver's visit from scan to central's acknowledgement.

    python bench/skeleton.py --json [--visits N] [--seed S]

Runs the demo rig once (real mosquitto, central, simulators, `cez-kiosk core` as a process) and
drives N visits through the local API, timing each step: scan+read (the simulator renders each
page on demand, so this includes rendering), confirm (durable commit and receipt), and
confirm-to-central-acknowledgement. Before that, the same pages are read straight from memory by
`vision.pipeline.read_cmr`, which is the reading alone.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.progress import Progress

# bench/ holds scripts named like the packages (devices.py, sync.py): take it off the path before importing them.
BENCH = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != BENCH]
sys.path.insert(0, str(BENCH.parent))
from bench.common import machine, percentiles  # noqa: E402
from kiosk.demo import DemoOptions, running_demo  # noqa: E402
from vision.pipeline import read_cmr  # noqa: E402
from vision.synth import generate_cmr, png_bytes  # noqa: E402

STDERR = Console(stderr=True)  # progress bars on stderr: stdout carries only the JSON


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--visits", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    args = parser.parse_args()

    read_s: list[float] = []
    truths: list[dict[str, str]] = []  # the feeder's page for each visit: the demo starts at the same seed
    with Progress(console=STDERR, transient=True) as progress:
        for seed in progress.track(range(args.seed, args.seed + args.visits), description="reading"):
            generated = generate_cmr(seed)
            truths.append(generated.truth["fields"])
            page = png_bytes(generated)
            started = time.monotonic()
            read_cmr(page)
            read_s.append(time.monotonic() - started)

    scan_s: list[float] = []
    confirm_s: list[float] = []
    ack_s: list[float] = []
    exact = 0
    fields = 0
    with running_demo(DemoOptions(seed=args.seed)) as rig, Progress(console=STDERR, transient=True) as progress:
        assert rig.central is not None, "the benchmark needs mosquitto installed"
        task = progress.add_task("visits", total=args.visits)
        for visit in range(args.visits):
            started = time.monotonic()
            scan = rig.api.scan_cmr()
            scanned = time.monotonic()
            confirmation = rig.api.confirm(scan.session_id, {})
            confirmed = time.monotonic()
            while not rig.api.declaration(confirmation.uuid)["central_acked"]:
                time.sleep(0.005)
            acked = time.monotonic()
            scan_s.append(scanned - started)
            confirm_s.append(confirmed - scanned)
            ack_s.append(acked - confirmed)
            truth = truths[visit]
            exact += sum(scan.fields[name].value == value for name, value in truth.items())
            fields += len(truth)
            progress.advance(task)
    report = {
        "benchmark": "skeleton",
        "seed": args.seed,
        "visits": args.visits,
        "field_exact_match": round(exact / fields, 4),
        "read_page_s": percentiles(read_s),
        "scan_and_read_s": percentiles(scan_s),
        "confirm_commit_and_receipt_s": percentiles(confirm_s),
        "confirm_to_central_ack_s": percentiles(ack_s),
        "machine": machine(),
    }
    print(json.dumps(report) if args.json else json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
