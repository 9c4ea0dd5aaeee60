"""A kiosk process that queues N numbered records and drains them; the test SIGKILLs it at will.

Usage: python -m tests.sync.killable_kiosk DB_PATH BROKER_PORT COUNT. Each record's UUID is
derived from its number, so a restarted process queues only what is missing and the test knows
every UUID. Prints "done" and exits 0 once central acknowledged all of them.
"""

from __future__ import annotations

import asyncio
import sys
import uuid as uuid_module
from pathlib import Path

from sync.messages import make_envelope
from sync.outbox import PRIORITY_DECLARATION
from sync.topics import DEFAULT_PREFIX, declaration_topic
from tests.sync.harness import KIOSK_ID, KioskSide

NAMESPACE = uuid_module.UUID("6f1c1b7e-4f7e-4d1e-9a52-2d6c0e1e7a10")


def record_uuid(number: int) -> str:
    return str(uuid_module.uuid5(NAMESPACE, str(number)))


async def _run(db_path: Path, port: int, count: int) -> None:
    async with KioskSide(db_path, port, resend_after_s=3) as kiosk:
        topic = declaration_topic(DEFAULT_PREFIX, KIOSK_ID)
        for start in range(0, count, 200):
            with kiosk.db.atomic():
                for number in range(start, min(start + 200, count)):
                    uuid = record_uuid(number)
                    if kiosk.outbox.get(uuid) is None:
                        envelope = make_envelope("declaration_draft", KIOSK_ID, {"n": number}, uuid=uuid)
                        kiosk.outbox.enqueue(topic, envelope, PRIORITY_DECLARATION)
            kiosk.pump.wake()
            await asyncio.sleep(0)
        while kiosk.outbox.queued_count():
            await asyncio.sleep(0.05)
    print("done", flush=True)


if __name__ == "__main__":
    asyncio.run(_run(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])))
