"""The kiosk side of sync wired the way the kiosk core wires it, for tests on a real broker."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlite_utils import Database

from sync.messages import make_envelope
from sync.mqtt_link import MqttLink, TlsSettings
from sync.outbox import PRIORITY_DECLARATION, Outbox, ensure_schema
from sync.pump import OutboxPump
from sync.topics import DEFAULT_PREFIX, ack_topic, declaration_topic

KIOSK_ID = "k1"
HOST = "127.0.0.1"


def open_outbox(db_path: Path) -> tuple[Database, Outbox]:
    db = Database(db_path)
    ensure_schema(db)
    return db, Outbox(db)


def enqueue_declaration(
    outbox: Outbox, *, priority: int = PRIORITY_DECLARATION, kind: str = "declaration_draft"
) -> str:
    envelope = make_envelope(kind, KIOSK_ID, {"doc_type": "cmr", "fields": {}})
    return outbox.enqueue(declaration_topic(DEFAULT_PREFIX, KIOSK_ID), envelope, priority)


class KioskSide:
    """Outbox + MqttLink + OutboxPump on one SQLite file; `async with` runs the pump and the link."""

    def __init__(
        self,
        db_path: Path,
        port: int,
        *,
        resend_after_s: float = 30.0,
        crash_hook: Callable[[str], None] = lambda point: None,
        tls: TlsSettings | None = None,
    ) -> None:
        self.db, self.outbox = open_outbox(db_path)
        self.events: list[tuple[str, dict[str, Any]]] = []
        self.link = MqttLink(
            HOST,
            port,
            f"kiosk-{KIOSK_ID}",
            on_connected=lambda: self.pump.on_link_connected(),
            on_disconnected=lambda: self.pump.on_link_disconnected(),
            on_puback=lambda uuid: self.pump.on_link_puback(uuid),
            on_message=lambda topic, payload: self.pump.on_link_message(topic, payload),
            reconnect_min_s=1,
            reconnect_max_s=1,
            tls=tls,
        )
        self.link.subscribe(ack_topic(DEFAULT_PREFIX, KIOSK_ID))
        self.pump = OutboxPump(
            self.outbox,
            self.link,
            resend_after_s=resend_after_s,
            on_event=lambda kind, data: self.events.append((kind, data)),
            crash_hook=crash_hook,
        )
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def enqueue(self, **kwargs: Any) -> str:
        uuid = enqueue_declaration(self.outbox, **kwargs)
        self.pump.wake()
        return uuid

    def state(self, uuid: str) -> str:
        message = self.outbox.get(uuid)
        assert message is not None
        return message.state

    def event_uuids(self, kind: str) -> list[str]:
        return [data["uuid"] for event_kind, data in self.events if event_kind == kind]

    @property
    def pump_alive(self) -> bool:
        return self._task is not None and not self._task.done()

    async def __aenter__(self) -> KioskSide:
        self._task = asyncio.create_task(self.pump.run(self._stop))
        await asyncio.sleep(0)  # run() has taken the loop before the link can call back
        self.link.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        if self._task is not None:
            await self._task
        self.link.stop()
        self.db.close()


async def eventually(predicate: Callable[[], bool], what: str, timeout_s: float = 15.0) -> None:
    """Wait (without blocking the loop) until `predicate()` holds; fail with `what` on timeout."""
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")
        await asyncio.sleep(0.02)


def wait_until(predicate: Callable[[], bool], what: str, timeout_s: float = 15.0) -> None:
    """Blocking twin of `eventually`, for tests without an event loop."""
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")
        time.sleep(0.02)
