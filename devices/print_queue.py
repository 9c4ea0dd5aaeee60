"""Print jobs kept in SQLite until the printer confirms them, so no receipt is lost to paper-out,
a pulled cable or a restart: a job leaves the queue only when it printed in full.

The queue takes a sqlite-utils Database (the core's store, or a file of its own) and owns one table;
its connection must allow other threads (`check_same_thread=False`, as the core's store does) when the
spooler drains from its own thread: the queue serialises its statements with a lock.
`PrintSpooler` drains it through any sender (`ReceiptPrinter.send`); a job that fails stays queued,
in order, and is sent again whole on the next drain.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlite_utils import Database

log = logging.getLogger(__name__)

TABLE = "print_jobs"


@dataclass(frozen=True)
class PrintJob:
    id: int
    printer: str
    data: bytes
    attempts: int
    state: str


class PrintQueue:
    """Durable FIFO of ESC/POS jobs per printer: queued -> printed (never deleted, for the audit trail)."""

    def __init__(self, db: Database, table: str = TABLE) -> None:
        self._db = db
        self._table = table
        self._lock = threading.Lock()
        if table not in db.table_names():
            db.table(table).create(
                {"id": int, "printer": str, "data": bytes, "state": str, "attempts": int,
                 "last_error": str, "queued_at": float, "printed_at": float},
                pk="id", not_null={"printer", "data", "state", "attempts"}, defaults={"attempts": 0},
            )
            db.table(table).create_index(["printer", "state", "id"])

    def submit(self, printer: str, data: bytes) -> int:
        """Queue one whole job (it must end in a cut); returns its id."""
        if not data:
            raise ValueError("a print job must not be empty")
        with self._lock:
            table = self._db.table(self._table)
            table.insert({"printer": printer, "data": data, "state": "queued", "attempts": 0,
                          "queued_at": time.time()})
            job_id = table.last_pk
        assert isinstance(job_id, int)
        log.info("print job %d queued for %s", job_id, printer)
        return job_id

    def next_job(self, printer: str) -> PrintJob | None:
        """The oldest job still to print on `printer`."""
        with self._lock:
            rows = list(self._db.query(
                f"select id, printer, data, attempts, state from [{self._table}] "
                "where printer = ? and state = 'queued' order by id limit 1", [printer]))
        for row in rows:
            return PrintJob(row["id"], row["printer"], row["data"], row["attempts"], row["state"])
        return None

    def mark_printed(self, job_id: int) -> None:
        with self._lock:
            self._db.table(self._table).update(job_id, {"state": "printed", "printed_at": time.time()})

    def mark_attempt_failed(self, job_id: int, error: str) -> None:
        with self._lock:
            self._db.execute(f"update [{self._table}] set attempts = attempts + 1, last_error = ? "
                             "where id = ?", [error, job_id])
            self._db.conn.commit()

    def state(self, job_id: int) -> str:
        with self._lock:
            return str(self._db.table(self._table).get(job_id)["state"])

    def pending(self, printer: str) -> int:
        with self._lock:
            return int(self._db.table(self._table).count_where("printer = ? and state = 'queued'", [printer]))


class PrintSpooler:
    """Sends `printer`'s queued jobs through `send`, oldest first; stops at the first failure so order
    holds and the failed job is retried whole next time."""

    def __init__(self, queue: PrintQueue, printer: str, send: Callable[[bytes], None], *,
                 on_printed: Callable[[PrintJob], None] | None = None,
                 on_failed: Callable[[PrintJob, str], None] | None = None) -> None:
        """`on_printed` / `on_failed` (job, error name) run on the draining thread after each attempt."""
        self.queue = queue
        self.printer = printer
        self._send = send
        self._on_printed = on_printed
        self._on_failed = on_failed
        self._wake = threading.Event()

    def wake(self) -> None:
        """Drain now (call it after `submit`, and when the printer reports ready again)."""
        self._wake.set()

    def serve(self, stop: threading.Event, interval_s: float = 5.0) -> None:
        """Drain until `stop` is set (then call `wake` so it notices): at once when woken, else every
        `interval_s`, so a job waiting for paper prints soon after the paper is back even unwoken."""
        while not stop.is_set():
            self.drain()
            self._wake.wait(interval_s)
            self._wake.clear()

    def drain(self) -> int:
        """Print what can be printed now; returns how many jobs printed. Failures stay queued."""
        printed = 0
        while (job := self.queue.next_job(self.printer)) is not None:
            try:
                self._send(job.data)
            except Exception as exc:  # the sender's error says why; the job waits for the next drain
                self.queue.mark_attempt_failed(job.id, type(exc).__name__)
                log.info("print job %d not printed (%s); kept queued", job.id, type(exc).__name__)
                if self._on_failed is not None:
                    self._on_failed(job, type(exc).__name__)
                return printed
            self.queue.mark_printed(job.id)
            printed += 1
            if self._on_printed is not None:
                self._on_printed(job)
        return printed
