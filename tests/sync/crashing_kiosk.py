"""A kiosk process that dies at the first PUBACK, as CEZ_CRASH_AT=before_puback makes the real one.

Usage: python -m tests.sync.crashing_kiosk DB_PATH BROKER_PORT. Exits with CRASH_EXIT at the crash
point, 1 if it never got there.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from sync.pump import CRASH_BEFORE_PUBACK
from tests.sync.harness import KioskSide

CRASH_EXIT = 77


def _crash(point: str) -> None:
    if point == CRASH_BEFORE_PUBACK:
        os._exit(CRASH_EXIT)


async def _run(db_path: Path, port: int) -> None:
    async with KioskSide(db_path, port, crash_hook=_crash):
        await asyncio.sleep(20)


if __name__ == "__main__":
    asyncio.run(_run(Path(sys.argv[1]), int(sys.argv[2])))
    sys.exit(1)
