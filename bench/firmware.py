"""The host-MCU link under faults: exactly-once delivery, rate and latency over the fault relay.

    python bench/firmware.py --json [--corrupt RATE] [--drop RATE] [--delay-ms D] [--commands N]
                             [--peer python|c] [--seed S]

Starts the peer (the Python simulator, or the C reference firmware compiled with the system cc),
puts `firmware_bridge.relay.FaultRelay` between it and `McuBridge`, and pipelines N `diag.echo`
commands, each carrying its index as token. The MCU answers with the token and its count of executed
commands, which makes every anomaly visible at the host:
- lost: a command that never got a result (error or timeout);
- duplicated: the MCU's count jumped by more than one between consecutive commands (a command ran twice);
- corrupted_accepted: a wrong token or count, or a frame that passed the CRC yet made no sense
  (an unknown message or a response to no pending command).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import Progress

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from common import machine

from firmware_bridge.host import McuBridge
from firmware_bridge.peers import PeerProcess, build_c_peer, peer_command
from firmware_bridge.relay import FaultRelay, Faults

STDERR = Console(stderr=True)
PIPELINE = 16  # commands submitted ahead of their results: two windows, so the link never idles


def run(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    binary = build_c_peer(workdir) if args.peer == "c" else None
    faults = Faults(corrupt=args.corrupt, drop=args.drop, delay=args.delay_ms / 1000)
    with (
        PeerProcess(peer_command(args.peer, binary)) as peer,
        FaultRelay(peer.path, faults, seed=args.seed) as relay,
        McuBridge(relay.path) as bridge,
    ):
        bridge.connect(timeout=10)
        futures: list[Future[dict[str, int]]] = []
        sent_at: list[float] = []
        done_at: dict[int, float] = {}
        started = time.monotonic()
        with Progress(console=STDERR, transient=True) as progress:
            task = progress.add_task(f"{args.peer} echo", total=args.commands)
            for index in range(args.commands):
                if index >= PIPELINE:
                    futures[index - PIPELINE].exception(timeout=60)
                    progress.update(task, completed=index - PIPELINE)
                sent_at.append(time.monotonic())
                future = bridge.submit("diag.echo", token=index)
                future.add_done_callback(lambda _f, i=index: done_at.__setitem__(i, time.monotonic()))
                futures.append(future)
            for future in futures[-PIPELINE:]:
                future.exception(timeout=60)
        elapsed = time.monotonic() - started
        stats = bridge.stats()
        relay_stats = relay.stats

    lost = duplicated = corrupted = 0
    previous: int | None = None
    latencies: list[float] = []
    for index, future in enumerate(futures):
        if future.exception() is not None:
            lost += 1
            previous = None
            continue
        result = future.result()
        latencies.append((done_at[index] - sent_at[index]) * 1000)
        if result["token"] != index:
            corrupted += 1
        if previous is not None:
            step = result["executed"] - previous
            if step > 1:
                duplicated += step - 1
            elif step < 1:
                corrupted += 1
        previous = result["executed"]
    corrupted += stats["unknown_messages"] + stats["stale_responses"]
    ordered = sorted(latencies) or [0.0]
    return {
        "benchmark": "firmware",
        "peer": args.peer,
        "commands": args.commands,
        "lost": lost,
        "duplicated": duplicated,
        "corrupted_accepted": corrupted,
        "rate_per_s": round(args.commands / elapsed, 1),
        "p50_ms": round(statistics.median(ordered), 3),
        "p99_ms": round(ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))], 3),
        "retransmits": stats["retransmits"],
        "max_in_flight": stats["max_in_flight"],
        "faults": {"corrupt": args.corrupt, "drop": args.drop, "delay_ms": args.delay_ms},
        "relay": {"bytes": relay_stats.forwarded, "corrupted": relay_stats.corrupted, "dropped": relay_stats.dropped},
        "host": {k: stats[k] for k in ("naks_sent", "naks_received", "frames_rejected", "rto_ms", "srtt_ms")},
        "seed": args.seed,
        "machine": machine(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--peer", choices=("python", "c"), default="c")
    parser.add_argument("--commands", type=int, default=10_000)
    parser.add_argument("--corrupt", type=float, default=0.0, help="probability that a byte is corrupted")
    parser.add_argument("--drop", type=float, default=0.0, help="probability that a byte is dropped")
    parser.add_argument("--delay-ms", type=float, default=0.0, help="one-way delay added by the relay")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fb-bench-") as workdir:
        result = run(args, Path(workdir))
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key}: {value}")
    return 0 if result["lost"] == result["duplicated"] == result["corrupted_accepted"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
