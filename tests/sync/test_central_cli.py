"""`cez-kiosk central serve` as the demo and an operator run it: a process with three workers."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from sync.broker import MosquittoBroker
from sync.outbox import CENTRAL_ACKED
from tests.sync.harness import KIOSK_ID, KioskSide, eventually

CLI = [sys.executable, "-m", "kiosk.cli"]


def test_central_serve_records_acks_and_stops_on_sigterm(mosquitto: MosquittoBroker, tmp_path: Path) -> None:
    db = tmp_path / "central.db"
    serve = subprocess.Popen(
        [*CLI, "central", "serve", "--db", str(db), "--host", mosquitto.host, "--port", str(mosquitto.port),
         "--workers", "3"],
        stderr=subprocess.PIPE, text=True,
    )
    try:
        assert serve.stderr is not None
        assert "3 worker(s) subscribed" in serve.stderr.readline()

        async def scenario() -> list[str]:
            async with KioskSide(tmp_path / "kiosk.db", mosquitto.port) as kiosk:
                uuids = [kiosk.enqueue() for _ in range(30)]
                await eventually(lambda: all(kiosk.state(u) == CENTRAL_ACKED for u in uuids), "acks", 30)
                return uuids

        uuids = asyncio.run(scenario())
    finally:
        serve.send_signal(signal.SIGTERM)
        assert serve.wait(15) == 0
    fleet = subprocess.run([*CLI, "central", "fleet", "--db", str(db), "--json"], capture_output=True, text=True)
    assert fleet.returncode == 0 and fleet.stdout == ""  # the harness kiosk sends no presence
    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT uuid, kiosk_id, deliveries FROM received").fetchall()
    conn.close()
    assert sorted(r[0] for r in rows) == sorted(uuids)
    assert {r[1] for r in rows} == {KIOSK_ID} and {r[2] for r in rows} == {1}


def test_central_serve_with_a_missing_folder_is_bad_usage(tmp_path: Path) -> None:
    result = subprocess.run(
        [*CLI, "central", "serve", "--db", str(tmp_path / "no" / "central.db"), "--port", "1"],
        capture_output=True, text=True, timeout=30,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "does not exist" in result.stderr
