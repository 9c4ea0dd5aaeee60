"""SIGKILL the kiosk at random points of a 10,000-record run: central records each exactly once."""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from sync.broker import MosquittoBroker
from sync.central import CentralService
from sync.outbox import CENTRAL_ACKED
from tests.sync.killable_kiosk import record_uuid

REPO = Path(__file__).resolve().parents[2]
RECORDS = 10_000
KILLS = 5


def test_kiosk_killed_five_times_loses_and_duplicates_nothing(
    mosquitto: MosquittoBroker, central: CentralService, tmp_path: Path
) -> None:
    db_path = tmp_path / "kiosk.db"
    command = [sys.executable, "-m", "tests.sync.killable_kiosk", str(db_path), str(mosquitto.port), str(RECORDS)]
    rng = random.Random(7)
    progress: list[int] = []
    for _ in range(KILLS):
        before = central.recorded_count()
        kiosk = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        # Kill it mid-delivery: once this run has delivered something, at a random moment after.
        deadline = time.monotonic() + 60
        while central.recorded_count() == before and time.monotonic() < deadline and kiosk.poll() is None:
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, 0.3))
        kiosk.send_signal(signal.SIGKILL)
        assert kiosk.wait(10) == -signal.SIGKILL, "the kiosk finished before it could be killed"
        progress.append(central.recorded_count())
    final = subprocess.run(command, cwd=REPO, capture_output=True, timeout=120)
    assert final.returncode == 0 and final.stdout.strip() == b"done", final.stderr[-2000:]

    expected = {record_uuid(n) for n in range(RECORDS)}
    assert len(central.received_uuids()) == RECORDS
    assert set(central.received_uuids()) == expected
    assert progress == sorted(set(progress)) and 0 < progress[-1] < RECORDS  # each kill fell mid-run
    conn = sqlite3.connect(db_path)
    states = conn.execute("SELECT state, count(*) FROM outbox GROUP BY state").fetchall()
    conn.close()
    assert states == [(CENTRAL_ACKED, RECORDS)]
