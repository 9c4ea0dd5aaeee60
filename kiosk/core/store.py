"""The kiosk's SQLite store: WAL mode, versioned migrations, and durable transactions.

One connection, used from the core's event-loop thread only (the single writer). WAL lets the
technician's read-only tools look in while the core writes. Ordinary writes use
`synchronous=NORMAL`; records that matter (declarations, certificates, audit events) go through
`durable()`, which switches to `synchronous=FULL` so a power cut after commit cannot lose them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from kiosk.core.migrations import MIGRATIONS, apply_migrations

BUSY_TIMEOUT_MS = 5000


def open_database(path: Path) -> sqlite_utils.Database:
    """Open (creating the folder if needed) with the pragmas every kiosk connection must have."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), check_same_thread=False)
    db = sqlite_utils.Database(conn)
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    db.enable_wal()
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA foreign_keys = ON")
    return db


class StoreFull(RuntimeError):
    """The disk (or the database's page limit) is full; the transaction was rolled back."""


class Store:
    """The opened, migrated database plus the folder for page images."""

    def __init__(self, path: Path, *, target_version: int | None = None) -> None:
        self.path = path
        self.db = open_database(path)
        self.schema_version = apply_migrations(self.db, target=target_version)

    @property
    def pages_dir(self) -> Path:
        folder = self.path.parent / "pages"
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    @contextmanager
    def durable(self) -> Iterator[sqlite_utils.Database]:
        """One transaction committed with synchronous=FULL: on disk before anyone is told.

        A full disk rolls the whole transaction back and raises StoreFull.
        """
        self.db.execute("PRAGMA synchronous = FULL")
        try:
            with self.db.atomic():
                yield self.db
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode == sqlite3.SQLITE_FULL:
                raise StoreFull(f"the kiosk's database is full ({self.path})") from exc
            raise
        finally:
            self.db.execute("PRAGMA synchronous = NORMAL")

    def close(self) -> None:
        self.db.close()


LATEST_VERSION = MIGRATIONS[-1].version
