"""Presence: who is online, which devices they have, and their key counters.

Sparkplug's ideas on our JSON topics (docs/asyncapi.yaml):
- a *birth* (retained) on `presence` at every connect, and the same topic's *death* as the MQTT
  last will, both carrying one `bd_seq`. A death whose `bd_seq` is not the current birth's is a
  stale will from an older session (it can arrive after the new birth) and central ignores it;
- each device's state on `device/{name}` (retained) as birth/data/death with a `seq` that rises
  by one per device message of the kiosk, wrapping at 256, so central notices a lost update;
- heartbeats with the counters central watches (outbox depth, evictions, device faults).

Presence is state, not records: it goes out directly on the link (retained QoS 1), never through
the outbox; after a reconnect the birth and the device births are simply published again.
The kiosk core calls `Presence`; it never imports `kiosk`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sync.messages import encode
from sync.topics import device_topic, heartbeat_topic, presence_topic

ONLINE = "online"
OFFLINE = "offline"
BIRTH = "birth"
DATA = "data"
DEATH = "death"
SEQ_MODULO = 256


def _now() -> str:
    return datetime.now(UTC).isoformat()


def new_bd_seq() -> int:
    """A birth/death sequence that rises across restarts without storage (milliseconds)."""
    return time.time_ns() // 1_000_000


def birth_message(kiosk_id: str, bd_seq: int, version: str) -> dict[str, Any]:
    return {"kiosk_id": kiosk_id, "state": ONLINE, "bd_seq": bd_seq, "version": version, "at": _now()}


def death_message(kiosk_id: str, bd_seq: int) -> dict[str, Any]:
    """The last will: set at connect time, so it carries no time of death (central stamps it)."""
    return {"kiosk_id": kiosk_id, "state": OFFLINE, "bd_seq": bd_seq}


class Presence:
    """Builds the kiosk's presence messages and hands them to `publish(topic, payload, retain)`.

    `publish` is the link's state publisher (`MqttLink.publish_state`); it raises when the link is
    down, and the caller repeats the births on the next connect (`on_connected`).
    """

    def __init__(
        self,
        prefix: str,
        kiosk_id: str,
        version: str,
        publish: Callable[[str, bytes, bool], None],
        bd_seq: int | None = None,
    ) -> None:
        self.prefix = prefix
        self.kiosk_id = kiosk_id
        self.version = version
        self.bd_seq = bd_seq if bd_seq is not None else new_bd_seq()
        self._publish = publish
        self._seq = -1
        self._heartbeat_seq = 0
        self._devices: dict[str, dict[str, Any]] = {}

    def will(self) -> tuple[str, bytes]:
        """(topic, payload) of the last will, for `MqttLink(will=...)`."""
        return presence_topic(self.prefix, self.kiosk_id), encode(death_message(self.kiosk_id, self.bd_seq))

    def on_connected(self) -> None:
        """Publish the birth, then every known device's birth (their retained state may be gone)."""
        self._publish(
            presence_topic(self.prefix, self.kiosk_id),
            encode(birth_message(self.kiosk_id, self.bd_seq, self.version)),
            True,
        )
        for name, device in list(self._devices.items()):
            self._device_message(name, BIRTH, device["kind"], device["state"], device["detail"])

    def device_state(self, name: str, kind: str, state: str, detail: str = "") -> None:
        """Report a device's state: its first report is its birth, later ones are data."""
        message_type = DATA if name in self._devices else BIRTH
        self._devices[name] = {"kind": kind, "state": state, "detail": detail}
        self._device_message(name, message_type, kind, state, detail)

    def device_gone(self, name: str) -> None:
        """The device was removed (unplugged, disabled): its death."""
        device = self._devices.pop(name, None)
        if device is not None:
            self._device_message(name, DEATH, device["kind"], "absent", "")

    def heartbeat(self, counters: dict[str, int]) -> None:
        """Publish the key counters (not retained: a stale heartbeat would lie about liveness)."""
        self._heartbeat_seq += 1
        message = {
            "kiosk_id": self.kiosk_id,
            "bd_seq": self.bd_seq,
            "seq": self._heartbeat_seq,
            "at": _now(),
            "counters": counters,
        }
        self._publish(heartbeat_topic(self.prefix, self.kiosk_id), encode(message), False)

    def _device_message(self, name: str, message_type: str, kind: str, state: str, detail: str) -> None:
        self._seq = (self._seq + 1) % SEQ_MODULO
        message = {
            "kiosk_id": self.kiosk_id,
            "device": name,
            "type": message_type,
            "kind": kind,
            "state": state,
            "detail": detail,
            "seq": self._seq,
            "bd_seq": self.bd_seq,
            "at": _now(),
        }
        self._publish(device_topic(self.prefix, self.kiosk_id, name), encode(message), True)
