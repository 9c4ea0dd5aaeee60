"""The event bus: one in-process publish/subscribe hub for the core.

Libraries (devices, vision, sync) never import the bus; the core bridges their callbacks onto it.
Subscribers get their own bounded asyncio queue, so a slow WebSocket client cannot stall the
core: when its queue is full the oldest event is dropped for that subscriber alone.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


@dataclass(frozen=True)
class Event:
    type: str
    data: dict[str, Any] = field(default_factory=dict)
    at: str = field(default_factory=lambda: datetime.now(UTC).isoformat())

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, "at": self.at, "data": self.data}


class EventBus:
    def __init__(self, queue_size: int = 256) -> None:
        self._queue_size = queue_size
        self._subscribers: set[asyncio.Queue[Event | None]] = set()

    def publish(self, type_: str, data: dict[str, Any] | None = None) -> None:
        """Deliver to every subscriber; must be called on the event loop's thread."""
        event = Event(type_, data or {})
        for queue in self._subscribers:
            if queue.qsize() >= self._queue_size:
                queue.get_nowait()
            queue.put_nowait(event)

    async def subscribe(self) -> AsyncIterator[Event]:
        """Events from now on, until `close()`."""
        queue: asyncio.Queue[Event | None] = asyncio.Queue(self._queue_size + 1)
        self._subscribers.add(queue)
        try:
            while (event := await queue.get()) is not None:
                yield event
        finally:
            self._subscribers.discard(queue)

    def close(self) -> None:
        """End every subscription (at shutdown), so WebSocket streams finish instead of hanging."""
        for queue in self._subscribers:
            queue.put_nowait(None)
