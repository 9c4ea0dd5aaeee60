"""How fast the outbox drains to central, against raw paho, and how a fleet converges.

    python bench/sync.py --json [--messages N] [--max-inflight M] [--repeat R] [--seed S]
    python bench/sync.py --json --fleet N [--heartbeats H]

Drain: a backlog of N declaration-sized messages is written to a kiosk outbox (WAL, the kiosk's
pragmas), then the pump drains it through a real mosquitto to `cez-kiosk central serve` (3
workers on a shared subscription, a separate process, a fresh database per run) until central
acknowledged every UUID. In the same run, raw paho publishes the same payloads at QoS 1 with the
same max_inflight until every PUBACK is back. The runs interleave (raw, drain, raw, ..., raw: R
drains, R+1 raw runs); each drain's ratio is its rate over the mean of the raw runs on either side,
and `ratio` is the median of those. `raw_paho_own_window_rate_per_s` is raw paho with paho's own
in-flight bound off and the publisher keeping max_inflight awaiting a PUBACK, as MqttLink does:
`ratio_to_own_window` is what the outbox and central cost over that. Lost and duplicated are
counted at central.

Fleet: N simulated kiosks (paho clients with a last will) connect at once, publish a retained
birth and H heartbeats each; it reports the connect-storm time, the heartbeat throughput and how
long until central's fleet table shows every kiosk online with all its heartbeats.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import random
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from rich.console import Console
from rich.progress import Progress

# This script's own name would shadow the `sync` package: drop bench/ from the path, load common.py
# by file instead.
_BENCH = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != _BENCH]
sys.path.insert(0, str(_BENCH.parent))
_spec = importlib.util.spec_from_file_location("bench_common", _BENCH / "common.py")
assert _spec is not None and _spec.loader is not None
_common = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_common)
machine = _common.machine

from sqlite_utils import Database  # noqa: E402  (after the path fix above)

from sync.broker import MosquittoBroker  # noqa: E402
from sync.messages import encode, make_envelope  # noqa: E402
from sync.mqtt_link import MqttLink, publish_window  # noqa: E402
from sync.outbox import PRIORITY_DECLARATION, Outbox, ensure_schema  # noqa: E402
from sync.presence import Presence  # noqa: E402
from sync.pump import OutboxPump  # noqa: E402
from sync.topics import DEFAULT_PREFIX, ack_topic, declaration_topic  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
STDERR = Console(stderr=True)
KIOSK_ID = "bench-kiosk"


def start_central(port: int, db_path: Path, workers: int) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "kiosk.cli", "central", "serve", "--db", str(db_path), "--host", "127.0.0.1",
         "--port", str(port), "--workers", str(workers)],
        cwd=REPO, stderr=subprocess.PIPE, text=True,
    )
    assert process.stderr is not None
    line = process.stderr.readline()
    if "subscribed" not in line:
        raise SystemExit(f"central did not start: {line}")
    return process


def stop_central(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGTERM)
    process.wait(60)


def payloads(count: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [
        make_envelope("declaration_draft", KIOSK_ID, {
            "doc_type": "cmr",
            "fields": {name: {"value": f"{name}-{rng.randrange(10**9)}", "confidence": round(rng.random(), 3)}
                       for name in ("sender", "consignee", "vehicle_plate", "gross_weight_kg")},
        })
        for _ in range(count)
    ]


Tick = Callable[[int], None]
"""Reports progress: called with how many more messages are done (every TICK of them)."""
TICK = 1000


def process_cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process so far (all its threads), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Measured:
    rate_per_s: float
    cpu_us_per_message: float
    """CPU of the publishing process (the kiosk: pump, SQLite, paho), whatever else the box runs."""
    central_cpu_us_per_message: float = 0.0


def raw_paho_rate(port: int, messages: list[bytes], max_inflight: int, tick: Tick, *,
                  paho_flow_control: bool = True) -> Measured:
    """Raw paho QoS 1: publish everything, wait for every PUBACK.

    `paho_flow_control`: paho keeps `max_inflight` on the wire and queues the rest (the issue's
    baseline); otherwise paho's bound is off and the publisher keeps `max_inflight` awaiting a
    PUBACK itself, as `MqttLink` does (the reference for what the outbox itself costs).
    """
    done = threading.Event()
    acked = 0
    lock = threading.Lock()
    room = threading.Semaphore(publish_window(max_inflight) if paho_flow_control else max_inflight)

    def on_publish(client: mqtt.Client, userdata: Any, mid: int, reason: Any, properties: Any) -> None:
        nonlocal acked
        room.release()
        with lock:
            acked += 1
            if acked % TICK == 0:
                tick(TICK)
            if acked == len(messages):
                done.set()

    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="bench-raw", protocol=mqtt.MQTTv5)
    client.max_inflight_messages_set(max_inflight if paho_flow_control else 0)
    client.on_publish = on_publish
    client.connect("127.0.0.1", port)
    client.loop_start()
    topic = f"{DEFAULT_PREFIX}/bench/raw"
    cpu = time.process_time()
    started = time.perf_counter()
    for payload in messages:
        room.acquire()
        client.publish(topic, payload, qos=1)
    if not done.wait(600):
        raise SystemExit("raw paho never got every PUBACK")
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu
    client.disconnect()
    client.loop_stop()
    return Measured(len(messages) / elapsed, cpu / len(messages) * 1e6)


def kiosk_outbox(db_path: Path, envelopes: list[dict[str, Any]]) -> tuple[Database, Outbox, dict[str, Any]]:
    """The backlog, written before the clock starts, with the kiosk's pragmas (and which they are)."""
    db = Database(sqlite3.connect(db_path, check_same_thread=False))
    db.enable_wal()
    db.execute("PRAGMA synchronous = NORMAL")
    ensure_schema(db)
    outbox = Outbox(db)
    topic = declaration_topic(DEFAULT_PREFIX, KIOSK_ID)
    with db.atomic():
        for envelope in envelopes:
            outbox.enqueue(topic, envelope, PRIORITY_DECLARATION)
    pragmas = {name: db.execute(f"PRAGMA {name}").fetchone()[0] for name in ("journal_mode", "synchronous")}
    pragmas["synchronous"] = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}[int(pragmas["synchronous"])]
    pragmas["declarations_commit"] = "FULL"
    return db, outbox, pragmas


def drain_rate(port: int, outbox: Outbox, count: int, max_inflight: int, batch_size: int, tick: Tick,
               central_pid: int) -> Measured:
    """Start the link and the pump on a full outbox; messages per second until central acked all."""

    async def run() -> Measured:
        pump: OutboxPump
        link = MqttLink("127.0.0.1", port, f"cez-{KIOSK_ID}",
                        on_connected=lambda: pump.on_link_connected(),
                        on_disconnected=lambda: pump.on_link_disconnected(),
                        on_puback=lambda uuid: pump.on_link_puback(uuid),
                        on_message=lambda t, p: pump.on_link_message(t, p),
                        max_inflight=max_inflight)
        link.subscribe(ack_topic(DEFAULT_PREFIX, KIOSK_ID))
        acked = 0
        all_acked = asyncio.Event()

        def on_event(kind: str, data: dict[str, Any]) -> None:
            nonlocal acked
            if kind == "outbox.central_ack":
                acked += 1
                if acked % TICK == 0:
                    tick(TICK)
                if acked == count:
                    all_acked.set()

        pump = OutboxPump(outbox, link, resend_after_s=120, on_event=on_event, batch_size=batch_size)
        stop = asyncio.Event()
        task = asyncio.create_task(pump.run(stop))
        await asyncio.sleep(0)
        cpu, central_cpu = time.process_time(), process_cpu_s(central_pid)
        started = time.perf_counter()
        link.start()
        await all_acked.wait()
        elapsed = time.perf_counter() - started
        cpu, central_cpu = time.process_time() - cpu, process_cpu_s(central_pid) - central_cpu
        stop.set()
        await task
        link.stop()
        return Measured(count / elapsed, cpu / count * 1e6, central_cpu / count * 1e6)

    return asyncio.run(run())


def central_counts(db_path: Path, sent: list[str]) -> tuple[int, int, int]:
    """(lost, duplicated after dedup, redeliveries deduplicated) as central's database has them."""
    conn = sqlite3.connect(db_path)
    recorded = {row[0]: row[1] for row in conn.execute("SELECT uuid, deliveries FROM received")}
    rows = conn.execute("SELECT count(*) FROM received").fetchone()[0]
    conn.close()
    return (sum(1 for uuid in sent if uuid not in recorded), int(rows) - len(recorded),
            sum(count - 1 for count in recorded.values()))


def drain_benchmark(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    """Runs interleaved on one broker: raw, drain, raw, drain, ..., raw (paho's flow control), and
    one raw run with the client's own window per drain. Each drain is compared with the mean of the
    raw runs just before and after it, so drift on a shared box hits both sides of a ratio."""
    envelopes = payloads(args.messages, args.seed)
    encoded = [encode(e) for e in envelopes]
    sent = [e["uuid"] for e in envelopes]
    raw: list[Measured] = []
    raw_own_window: list[Measured] = []
    drains: list[Measured] = []
    lost = duplicated = redelivered = 0
    pragmas: dict[str, Any] = {}
    total = args.messages * (3 * args.repeat + 1)
    with MosquittoBroker() as broker, Progress(console=STDERR, transient=True) as progress:
        bar = progress.add_task("sync bench", total=total)

        def tick(done: int) -> None:
            progress.advance(bar, done)

        def phase(text: str) -> None:
            progress.update(bar, description=text)

        for run in range(args.repeat + 1):
            phase(f"raw paho {run + 1}/{args.repeat + 1}")
            raw.append(raw_paho_rate(broker.port, encoded, args.max_inflight, tick))
            if run == args.repeat:
                break
            phase(f"raw paho, own window {run + 1}/{args.repeat}")
            raw_own_window.append(raw_paho_rate(broker.port, encoded, args.max_inflight, tick,
                                                paho_flow_control=False))
            phase(f"outbox backlog {run + 1}/{args.repeat}")
            db, outbox, pragmas = kiosk_outbox(workdir / f"kiosk-{run}.db", envelopes)
            central = start_central(broker.port, workdir / f"central-{run}.db", args.workers)
            try:
                phase(f"outbox drain {run + 1}/{args.repeat}")
                drains.append(drain_rate(broker.port, outbox, args.messages, args.max_inflight, args.batch_size,
                                         tick, central.pid))
            finally:
                stop_central(central)
                db.close()
            counts = central_counts(workdir / f"central-{run}.db", sent)
            lost, duplicated, redelivered = lost + counts[0], duplicated + counts[1], redelivered + counts[2]
    runs = []
    for n, drain in enumerate(drains):
        around = (raw[n].rate_per_s + raw[n + 1].rate_per_s) / 2
        runs.append({
            "rate_per_s": round(drain.rate_per_s, 1),
            "raw_paho_rate_per_s": round(around, 1),
            "ratio": round(drain.rate_per_s / around, 3),
            "raw_paho_own_window_rate_per_s": round(raw_own_window[n].rate_per_s, 1),
            "ratio_to_own_window": round(drain.rate_per_s / raw_own_window[n].rate_per_s, 3),
            "kiosk_cpu_us_per_message": round(drain.cpu_us_per_message, 1),
            "central_cpu_us_per_message": round(drain.central_cpu_us_per_message, 1),
        })

    def median(key: str) -> float:
        return round(statistics.median(run[key] for run in runs), 3)

    return {
        "messages": args.messages,
        "rate_per_s": median("rate_per_s"),
        "raw_paho_rate_per_s": round(statistics.median(m.rate_per_s for m in raw), 1),
        "ratio": median("ratio"),
        "ratio_min": min(run["ratio"] for run in runs),
        "raw_paho_own_window_rate_per_s": median("raw_paho_own_window_rate_per_s"),
        "ratio_to_own_window": median("ratio_to_own_window"),
        "cpu_us_per_message": {
            "kiosk": median("kiosk_cpu_us_per_message"),
            "central": median("central_cpu_us_per_message"),
            "raw_paho": round(statistics.median(m.cpu_us_per_message for m in raw), 1),
            "raw_paho_own_window": round(statistics.median(m.cpu_us_per_message for m in raw_own_window), 1),
        },
        "runs": runs,
        "raw_paho_runs_per_s": [round(m.rate_per_s, 1) for m in raw],
        "lost": lost,
        "duplicated_after_dedup": duplicated,
        "redeliveries_deduplicated": redelivered,
        "repeat": args.repeat,
        "max_inflight": args.max_inflight,
        "central_workers": args.workers,
        "sqlite_pragmas": pragmas,
        "seed": args.seed,
        "machine": machine(),
    }


KIOSKS_PER_PROCESS = 250
"""paho's network loop uses select(), which fails past file descriptor 1024 (~330 clients): the
simulated fleet runs in several processes."""


def fleet_child(port: int, first: int, count: int, heartbeats: int) -> None:
    """One process of the simulated fleet; talks to the parent over stdin/stdout."""
    connected = threading.Semaphore(0)
    links: list[MqttLink] = []
    presences: list[Presence] = []
    for n in range(first, first + count):
        holder: dict[str, MqttLink] = {}

        def publish(topic: str, payload: bytes, retain: bool, holder: dict[str, MqttLink] = holder) -> None:
            holder["link"].publish_state(topic, payload, retain)

        presence = Presence(DEFAULT_PREFIX, f"fleet-{n:05d}", "bench", publish)
        link = MqttLink("127.0.0.1", port, f"fleet-{n:05d}", on_connected=connected.release,
                        on_disconnected=lambda: None, on_puback=lambda uuid: None,
                        on_message=lambda t, p: None, will=presence.will())
        holder["link"] = link
        link.start()
        links.append(link)
        presences.append(presence)
    for _ in range(count):
        connected.acquire()
    print("connected", flush=True)
    sys.stdin.readline()  # "go"
    for presence in presences:
        presence.on_connected()
    for round_ in range(heartbeats):
        for presence in presences:
            presence.heartbeat({"outbox_queued": round_, "evicted": 0, "device_faults": 0})
    print("sent", flush=True)
    sys.stdin.readline()  # "stop"
    for link in links:
        link.stop()


def fleet_benchmark(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    count, heartbeats = args.fleet, args.heartbeats
    db_path = workdir / "central.db"
    expected = count * heartbeats

    def converged() -> bool:
        conn = sqlite3.connect(db_path, timeout=30)
        try:
            online, beats = conn.execute(
                "SELECT sum(state = 'online'), coalesce(sum(heartbeats), 0) FROM fleet"
            ).fetchone()
        finally:
            conn.close()
        return bool(int(online or 0) == count and int(beats) >= expected)

    with MosquittoBroker() as broker:
        central = start_central(broker.port, db_path, args.workers)
        children: list[subprocess.Popen[str]] = []
        try:
            started = time.perf_counter()
            for first in range(0, count, KIOSKS_PER_PROCESS):
                children.append(subprocess.Popen(
                    [sys.executable, __file__, "--fleet-child", str(broker.port), str(first),
                     str(min(KIOSKS_PER_PROCESS, count - first)), str(heartbeats)],
                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                ))
            for child in children:
                assert child.stdout is not None and child.stdout.readline().strip() == "connected"
            storm_s = time.perf_counter() - started
            go = time.perf_counter()
            for child in children:
                assert child.stdin is not None
                child.stdin.write("go\n")
                child.stdin.flush()
            while not converged():
                if time.perf_counter() - go > 600:
                    raise SystemExit("central never converged")
                time.sleep(0.02)
            done = time.perf_counter()
        finally:
            for child in children:
                if child.stdin is not None:
                    child.stdin.write("stop\n")
                    child.stdin.close()
                child.wait(60)
            stop_central(central)
    return {
        "fleet": count,
        "heartbeats_per_kiosk": heartbeats,
        "connect_storm_s": round(storm_s, 3),
        "heartbeat_throughput_per_s": round(expected / (done - go), 1),
        "central_convergence_s": round(done - go, 3),
        "central_workers": args.workers,
        "processes": len(children),
        "machine": machine(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--max-inflight", type=int, default=1000)
    parser.add_argument("--batch-size", type=int, default=500, help="outbox rows per pump batch")
    parser.add_argument("--repeat", type=int, default=3, help="drain runs, interleaved with raw paho runs (>= 1)")
    parser.add_argument("--workers", type=int, default=3,
                        help="central workers on the shared subscription (1 worker is central's bottleneck)")
    parser.add_argument("--fleet", type=int, nargs="?", const=500, default=None,
                        help="run the fleet benchmark with N kiosks (default 500)")
    parser.add_argument("--heartbeats", type=int, default=5, help="heartbeats per kiosk (fleet)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    parser.add_argument("--fleet-child", nargs=4, type=int, metavar=("PORT", "FIRST", "COUNT", "HEARTBEATS"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.repeat < 1 or args.messages < 1:
        parser.error("--repeat and --messages must be at least 1")
    if args.fleet_child:
        fleet_child(*args.fleet_child)
        return 0
    with tempfile.TemporaryDirectory(prefix="cez-bench-sync-") as tmp:
        result = fleet_benchmark(args, Path(tmp)) if args.fleet else drain_benchmark(args, Path(tmp))
    print(json.dumps(result) if args.json else json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
