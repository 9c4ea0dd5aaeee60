"""The core's MQTT side: one link carrying the outbox, presence, heartbeats, central's signed
commands and lookups.

paho calls back on its network thread; everything here that touches the store or presence state
hops onto the core's loop first (the pump does the same for acknowledgements). Presence is state,
not records: when the link is down it is simply published again, whole, on the next connect.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from sqlite_utils import Database

from kiosk import __version__
from kiosk.core.command_key import load_command_key
from kiosk.core.config import SyncSection
from sync.inbox import Inbox
from sync.lookups import Lookups
from sync.mqtt_link import MqttLink
from sync.outbox import Outbox
from sync.presence import Presence
from sync.pump import OutboxPump
from sync.topics import COMMAND, ack_topic, kiosk_topic

log = logging.getLogger(__name__)

NO_KEY = "no command key configured"


class Uplink:
    """Link, pump, presence, heartbeats, inbox and lookups of one kiosk; `run` on the core's loop."""

    def __init__(
        self,
        config: SyncSection,
        kiosk_id: str,
        outbox: Outbox,
        db: Database,
        *,
        on_event: Callable[[str, dict[str, Any]], None],
        apply_command: Callable[[str, dict[str, Any]], None],
        counters: Callable[[], dict[str, int]],
        crash_hook: Callable[[str], None],
    ) -> None:
        self.config = config
        self._counters = counters
        self._loop: asyncio.AbstractEventLoop | None = None
        prefix = config.topic_prefix
        self.presence = Presence(prefix, kiosk_id, __version__, publish=lambda *args: self.link.publish_state(*args))
        self.lookups = Lookups(prefix, kiosk_id, publish=lambda *args: self.link.request(*args))
        self.command_topic = kiosk_topic(prefix, kiosk_id, COMMAND)
        self.ack_topic = ack_topic(prefix, kiosk_id)
        key = config.command_public_key
        self.inbox = Inbox(db, load_command_key(key), kiosk_id, apply_command) if key is not None else None
        self.unverifiable_commands = 0
        self.link = MqttLink(
            config.broker_host,
            config.broker_port,
            client_id=f"cez-{kiosk_id}",
            on_connected=self._on_connected,
            on_disconnected=lambda: self.pump.on_link_disconnected(),
            on_puback=lambda message_id: self.pump.on_link_puback(message_id),
            on_message=self._on_message,
            on_response=self.lookups.on_response,
            will=self.presence.will(),
        )
        self.pump = OutboxPump(
            outbox, self.link, resend_after_s=config.resend_after_s, prefix=prefix, on_event=on_event,
            crash_hook=crash_hook,
        )

    async def run(self, stop: asyncio.Event) -> None:
        """Resume commands a crash cut short, then pump and beat until `stop` is set."""
        self._loop = asyncio.get_running_loop()
        if self.inbox is not None:
            self.inbox.resume()
        for topic in (self.ack_topic, self.command_topic, self.lookups.response_topic):
            self.link.subscribe(topic)
        pump = asyncio.create_task(self.pump.run(stop), name="outbox-pump")
        await asyncio.sleep(0)  # let the pump take its loop before the link's first callback
        self.link.start()
        try:
            await self._beat(stop)
        finally:
            await pump
            self._loop = None

    def stop(self) -> None:
        self.link.stop()

    # -- presence (loop thread) -------------------------------------------------------------------

    def device_state(self, name: str, kind: str, state: str, detail: str) -> None:
        """A device's state for central; kept and sent again on the next connect if the link is down."""
        with contextlib.suppress(ConnectionError):
            self.presence.device_state(name, kind, state, detail)

    def heartbeat(self) -> None:
        if self.link.connected:
            with contextlib.suppress(ConnectionError):
                self.presence.heartbeat(self._counters())

    async def _beat(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            self.heartbeat()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.config.heartbeat_interval_s)

    def _announce(self) -> None:
        """Birth, device births, and a heartbeat at once, so central's view is current after a connect."""
        with contextlib.suppress(ConnectionError):
            self.presence.on_connected()
        self.heartbeat()

    # -- lookups ----------------------------------------------------------------------------------

    async def lookup(self, name: str, query: dict[str, Any]) -> dict[str, Any]:
        """Central's answer; `sync.lookups.LookupTimeout` when it does not come in time."""
        return await self.lookups.ask(name, query, self.config.lookup_timeout_s)

    # -- paho's thread ----------------------------------------------------------------------------

    def _on_connected(self) -> None:
        self.pump.on_link_connected()
        self._hop(self._announce)

    def _on_message(self, topic: str, payload: bytes) -> None:
        if topic == self.command_topic:
            self._hop(self._receive_command, payload)
        else:
            self.pump.on_link_message(topic, payload)

    def _hop(self, handler: Callable[..., None], *args: Any) -> None:
        loop = self._loop
        if loop is None:
            return
        with contextlib.suppress(RuntimeError):  # the loop closed under us: shutting down
            loop.call_soon_threadsafe(handler, *args)

    def _receive_command(self, payload: bytes) -> None:
        if self.inbox is None:
            self.unverifiable_commands += 1
            log.warning("command refused (%d bytes): %s", len(payload), NO_KEY)
            return
        try:
            self.inbox.receive(payload)
        except Exception:  # a failed application stays pending in the inbox; resumed at the next start
            log.exception("command could not be applied; it is retried at the next start")

    @property
    def commands_refused(self) -> dict[str, int]:
        """Refusals before application, by reason (unsigned, forged, replayed, stale, unknown type...)."""
        refused = dict(self.inbox.refused) if self.inbox is not None else {}
        if self.unverifiable_commands:
            refused[NO_KEY] = self.unverifiable_commands
        return refused
