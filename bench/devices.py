"""Device figures: barcode scan-to-event latency over a pty and receipt print throughput.

    python bench/devices.py --json [--scans N] [--receipts N]

Latency: a serial barcode simulator on a raw pty sends each code (prefix-less, AIM id, CR); the real
SerialBarcodeReader, held open by the Supervisor, delivers it as an event. Measured from the
simulator's write to the event callback, codes all distinct (the repeat filter passes them).

Throughput: receipts queued in SQLite (PrintQueue on a file) and drained by the PrintSpooler through
ReceiptPrinter (status before and after each job, DLE EOT) to the ESC/POS simulator, over a pty and
over TCP; Latin-only receipts and Georgian+Cyrillic ones (rendered to raster images). A receipt counts
when the simulator has parsed its cut.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import Progress
from sqlite_utils import Database

# This file is named like the `devices` package it measures: take bench/ off the path before importing it.
BENCH = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != BENCH]
sys.path.insert(0, str(BENCH.parent))
from bench.common import machine, percentiles  # noqa: E402
from devices.barcode import SerialBarcodeReader  # noqa: E402
from devices.print_queue import PrintQueue, PrintSpooler  # noqa: E402
from devices.receipt_printer import Receipt, ReceiptPrinter, render_receipt  # noqa: E402
from devices.sim.barcode_reader import SerialBarcodeSimulator  # noqa: E402
from devices.sim.escpos_printer import EscposPrinterSimulator  # noqa: E402
from devices.supervisor import DeviceEvent, Supervisor  # noqa: E402

STDERR = Console(stderr=True)  # progress on stderr: stdout carries only the JSON
LATIN = Receipt("CEZ Kiosk", ["Export declaration draft", "CMR: 3 pages", "Gross weight: 12000 kg"],
                "CEZ-2026-000123", "https://cez.example/v/9f1c2e4a")
GEORGIAN = Receipt("CEZ Kiosk", ["საბაჟო დეკლარაცია", "Таможенная декларация", "Gross weight: 12000 kg"],
                   "CEZ-2026-000123", "https://cez.example/v/9f1c2e4a")


def barcode_latency(scans: int, progress: Progress) -> dict[str, Any]:
    sim = SerialBarcodeSimulator()
    path = sim.start()
    arrived: dict[str, float] = {}
    done = threading.Condition()

    def on_event(event: DeviceEvent) -> None:
        if event.type == "data":
            with done:
                arrived[event.data.data] = time.perf_counter()
                done.notify_all()

    supervisor = Supervisor(on_event)
    supervisor.add(SerialBarcodeReader(f"serial://{path}", "barcode", repeat_window_s=0), "barcode_reader")
    supervisor.start()
    latencies: list[float] = []
    task = progress.add_task("barcode scans", total=scans)
    try:
        while supervisor.status("barcode").state.value != "ready":
            time.sleep(0.01)
        for index in range(scans):
            code = f"CEZ{index:08d}"
            sent = time.perf_counter()
            sim.scan(code)
            with done:
                if not done.wait_for(lambda: code in arrived, 5):  # noqa: B023 - waited on in this turn
                    raise RuntimeError("a scan never arrived")
            latencies.append((arrived[code] - sent) * 1000)
            progress.advance(task)
    finally:
        supervisor.stop()
        sim.stop()
    ordered = sorted(latencies)
    figures = percentiles(latencies)
    figures["p99"] = round(ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))], 3)
    figures["mean"] = round(statistics.fmean(latencies), 3)
    return {"scans": scans, "latency_ms": figures}


def receipt_throughput(count: int, receipt: Receipt, over: str, progress: Progress) -> dict[str, Any]:
    sim = EscposPrinterSimulator(pty=True)
    sim.start()
    url = sim.url if over == "tcp" else f"{sim.serial_url}?baudrate=115200"
    data = render_receipt(receipt)
    with tempfile.TemporaryDirectory() as tmp:
        queue = PrintQueue(Database(Path(tmp) / "jobs.db"))
        spooler = PrintSpooler(queue, "receipt", ReceiptPrinter(url).send)
        task = progress.add_task(f"receipts over {over}", total=count)
        started = time.perf_counter()
        for _ in range(count):
            queue.submit("receipt", data)
        printed = 0
        while printed < count:
            printed += spooler.drain()
            progress.update(task, completed=printed)
        for _ in range(count):
            if sim.wait_for_receipt(timeout=10) is None:
                raise RuntimeError("a receipt never came out")
        elapsed = time.perf_counter() - started
    sim.stop()
    return {"over": over, "receipts": count, "bytes_per_receipt": len(data),
            "receipts_per_s": round(count / elapsed, 2), "ms_per_receipt": round(elapsed / count * 1000, 2)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scans", type=int, default=500)
    parser.add_argument("--receipts", type=int, default=100)
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    args = parser.parse_args()
    with Progress(console=STDERR, transient=True) as progress:
        barcode = barcode_latency(args.scans, progress)
        receipts = {f"{script}_{over}": receipt_throughput(args.receipts, receipt, over, progress)
                    for script, receipt in (("latin", LATIN), ("georgian", GEORGIAN)) for over in ("pty", "tcp")}
    result = {"benchmark": "devices", "seed": None, "barcode_serial_pty": barcode, "receipt_print": receipts,
              "machine": machine()}
    if args.json:
        print(json.dumps(result))
    else:
        print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
