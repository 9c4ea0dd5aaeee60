"""Moves messages from the outbox to the MQTT link and applies both acknowledgements.

The pump lives on the kiosk's asyncio loop and is the only writer of the outbox's delivery state.
The link's callbacks arrive on paho's network thread; the `on_link_*` entry points only hop onto
the loop with `call_soon_threadsafe` (PUBACKs and acks are queued and applied a burst at a time,
in one transaction), so every outbox write happens on the loop thread, in the
order the network thread saw the packets.

Wiring (the link and the pump refer to each other):

    pump: OutboxPump
    link = MqttLink(host, port, client_id,
                    on_connected=lambda: pump.on_link_connected(),
                    on_disconnected=lambda: pump.on_link_disconnected(),
                    on_puback=lambda uuid: pump.on_link_puback(uuid),
                    on_message=lambda topic, payload: pump.on_link_message(topic, payload))
    link.subscribe(ack_topic(prefix, kiosk_id))
    pump = OutboxPump(outbox, link, resend_after_s=30, on_event=bus_publish)
    task = asyncio.create_task(pump.run(stop))
    link.start()  # after run() began: link callbacks that come earlier are dropped

Nothing is lost by a dropped callback: `run()` reads the link's state when it starts, and a message
whose ack went missing is sent again after `resend_after_s` (central acknowledges it again).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sync.messages import MalformedMessage, parse_acks
from sync.mqtt_link import LinkDown, MqttLink
from sync.outbox import Outbox, utc_now
from sync.topics import DEFAULT_PREFIX, kiosk_id_of

log = logging.getLogger(__name__)

CRASH_BEFORE_PUBACK = "before_puback"
EXPIRY_CHECK_EVERY = timedelta(seconds=10)
_PUBACK = "puback"
_MESSAGE = "message"


class OutboxPump:
    """Publishes due outbox messages while connected, in priority order, and records acks.

    Events (via `on_event`, on the loop thread): "outbox.sent", "outbox.puback" with {"uuid"};
    "outbox.central_ack" with {"uuid", "registration_number"}; "sync.connected",
    "sync.disconnected" with {}.
    """

    def __init__(
        self,
        outbox: Outbox,
        link: MqttLink,
        *,
        resend_after_s: float,
        on_event: Callable[[str, dict[str, Any]], None],
        crash_hook: Callable[[str], None] = lambda point: None,
        prefix: str = DEFAULT_PREFIX,
        batch_size: int = 100,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._outbox = outbox
        self._link = link
        self._resend_after_s = resend_after_s
        self._on_event = on_event
        self._crash_hook = crash_hook
        self._prefix = prefix
        self._batch_size = batch_size
        self._clock = clock
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake = asyncio.Event()
        self._connected = False
        self._acks_lock = threading.Lock()
        self._acks: list[tuple[str, tuple[Any, ...]]] = []
        self._next_expiry_check = datetime.min.replace(tzinfo=clock().tzinfo)

    async def run(self, stop: asyncio.Event) -> None:
        """Publish until `stop` is set: at once on `wake()` or (re)connect, and every so often for resends."""
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()  # bound to this loop; anything due is published below anyway
        if self._link.connected and not self._connected:
            self._handle_connected()
        # Poll often enough that a resend is never much later than resend_after_s.
        poll_s = min(max(self._resend_after_s / 2, 0.05), 1.0)
        stop_watch = asyncio.create_task(self._wake_on(stop))
        try:
            while not stop.is_set():
                more = self._publish_due() if self._connected else False
                if more:
                    await asyncio.sleep(0)  # a full batch went out: let others run, then go on
                    continue
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), poll_s)
                self._wake.clear()
        finally:
            stop_watch.cancel()
            self._loop = None

    def wake(self) -> None:
        """Publish now (call after an enqueue). Loop thread only."""
        self._wake.set()

    # Entry points for MqttLink's callbacks: any thread.

    def on_link_connected(self) -> None:
        self._hop(self._handle_connected)

    def on_link_disconnected(self) -> None:
        self._hop(self._handle_disconnected)

    def on_link_puback(self, uuid: str) -> None:
        self._queue_ack(_PUBACK, uuid)

    def on_link_message(self, topic: str, payload: bytes) -> None:
        self._queue_ack(_MESSAGE, topic, payload)

    # Everything below runs on the loop thread.

    def _hop(self, handler: Callable[..., None], *args: Any) -> None:
        loop = self._loop
        if loop is None:
            log.debug("pump not running: dropped %s", handler.__name__)
            return
        with contextlib.suppress(RuntimeError):  # the loop closed under us: we are shutting down
            loop.call_soon_threadsafe(handler, *args)

    async def _wake_on(self, stop: asyncio.Event) -> None:
        await stop.wait()
        self._wake.set()

    def _publish_due(self) -> bool:
        """Publish one batch; True when the batch was full (more may be due)."""
        now = self._clock()
        if now >= self._next_expiry_check:
            self._outbox.drop_expired(now)
            self._next_expiry_check = now + EXPIRY_CHECK_EVERY
        room = self._link.room
        if room < min(self._batch_size, self._link.window // 4):
            return False  # a burst of PUBACKs wakes us; full batches keep the per-batch cost low
        limit = min(self._batch_size, room)
        due = self._outbox.due(now, self._resend_after_s, limit)
        sent: list[str] = []
        try:
            for message in due:
                self._link.publish(message.uuid, message.topic, message.payload.encode("utf-8"))
                sent.append(message.uuid)
        except LinkDown:
            log.info("link down while publishing; %d message(s) wait", self._outbox.queued_count())
            self._connected = False
        # One transaction for the whole batch: a commit per message would cap the drain rate.
        self._outbox.mark_sent_many(sent)
        for uuid in sent:
            self._emit("outbox.sent", {"uuid": uuid})
        return self._connected and len(due) == limit

    def _handle_connected(self) -> None:
        self._connected = True
        self._outbox.reset_sent()
        self._emit("sync.connected", {})
        self._wake.set()

    def _handle_disconnected(self) -> None:
        self._connected = False
        self._emit("sync.disconnected", {})

    def _queue_ack(self, kind: str, *args: Any) -> None:
        """Network thread: queue an acknowledgement; the first of a burst schedules one flush."""
        with self._acks_lock:
            self._acks.append((kind, args))
            first = len(self._acks) == 1
        if first:
            self._hop(self._flush_acks)

    def _flush_acks(self) -> None:
        """Apply every queued acknowledgement in one transaction: PUBACKs, then central's acks.

        A PUBACK never undoes a central ack, so applying a burst's PUBACKs first changes no
        outcome, and it keeps each message's events in the order sent, puback, central_ack.
        """
        with self._acks_lock:
            batch, self._acks = self._acks, []
        pubacks = [str(args[0]) for kind, args in batch if kind == _PUBACK]
        acks: list[tuple[str, str]] = []
        for kind, args in batch:
            if kind == _MESSAGE:
                acks.extend(self._parse_acks(*args))
        acked: list[str] = []
        with self._outbox.transaction():
            if pubacks:
                self._crash_hook(CRASH_BEFORE_PUBACK)
                self._outbox.mark_puback_many(pubacks)
            if acks:
                acked = self._outbox.mark_central_ack_many(acks)
        for uuid in pubacks:
            self._emit("outbox.puback", {"uuid": uuid})
        if pubacks:
            self._wake.set()  # the link has room again
        numbers = dict(acks)
        for uuid in acked:
            self._emit("outbox.central_ack", {"uuid": uuid, "registration_number": numbers[uuid]})
        if len(acked) < len(acks):
            log.info("ignored %d ack(s) for unknown or already acknowledged messages", len(acks) - len(acked))

    def _parse_acks(self, topic: str, payload: bytes) -> list[tuple[str, str]]:
        if kiosk_id_of(self._prefix, topic, "ack") is None:
            log.debug("ignored message on %s", topic)
            return []
        try:
            return [(ack.uuid, ack.registration_number) for ack in parse_acks(payload)]
        except MalformedMessage as exc:
            log.warning("ignored malformed ack on %s (%d bytes): %s", topic, len(payload), exc)
            return []

    def _emit(self, kind: str, data: dict[str, Any]) -> None:
        try:
            self._on_event(kind, data)
        except Exception:
            log.exception("event handler failed for %s", kind)
