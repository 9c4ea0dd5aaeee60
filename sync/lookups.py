"""Request/response lookups from the kiosk to central (e.g. a certificate by application number).

MQTT 5 carries the pairing: the request names our `response` topic and a random correlation id;
central answers there with the same correlation data. A lookup that gets no answer in time raises
`LookupTimeout` (the kiosk tells the user to try later); nothing is queued, since a lookup is
worthless once the user has walked away.

    lookups = Lookups(prefix, kiosk_id, publish=link.request)
    link = MqttLink(..., on_response=lookups.on_response)
    link.subscribe(lookups.response_topic)
    answer = await lookups.ask("certificate", {"application_number": "..."}, timeout_s=5)
"""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import Callable
from typing import Any

from sync.messages import encode
from sync.topics import REQUEST, RESPONSE, kiosk_topic


class LookupTimeout(TimeoutError):
    """Central did not answer in time (or the link is down)."""


class Lookups:
    """Pending lookups by correlation id; `on_response` may be called from any thread."""

    def __init__(self, prefix: str, kiosk_id: str, publish: Callable[[str, bytes, str, bytes], None]) -> None:
        self.request_topic = kiosk_topic(prefix, kiosk_id, REQUEST)
        self.response_topic = kiosk_topic(prefix, kiosk_id, RESPONSE)
        self._publish = publish
        self._pending: dict[bytes, tuple[asyncio.AbstractEventLoop, asyncio.Future[dict[str, Any]]]] = {}

    async def ask(self, lookup: str, query: dict[str, Any], timeout_s: float) -> dict[str, Any]:
        """Central's answer: {"status": "found", "result": {...}} | {"status": "not_found"} | ..."""
        loop = asyncio.get_running_loop()
        correlation = secrets.token_bytes(16)
        future: asyncio.Future[dict[str, Any]] = loop.create_future()
        self._pending[correlation] = (loop, future)
        try:
            try:
                self._publish(self.request_topic, encode({"lookup": lookup, "query": query}), self.response_topic,
                              correlation)
            except ConnectionError as exc:
                raise LookupTimeout(f"lookup {lookup!r}: link down") from exc
            try:
                return await asyncio.wait_for(future, timeout_s)
            except TimeoutError:
                raise LookupTimeout(f"lookup {lookup!r}: no answer within {timeout_s} s") from None
        finally:
            self._pending.pop(correlation, None)

    def on_response(self, correlation: bytes, payload: bytes) -> None:
        """The link's `on_response`: resolve the waiting lookup (late or unknown answers are dropped)."""
        pending = self._pending.get(correlation)
        if pending is None:
            return
        loop, future = pending
        try:
            answer = json.loads(payload)
        except (UnicodeDecodeError, json.JSONDecodeError):
            answer = {"status": "error"}
        if not isinstance(answer, dict):
            answer = {"status": "error"}
        loop.call_soon_threadsafe(lambda: None if future.done() else future.set_result(answer))
