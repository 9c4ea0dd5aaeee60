"""The kiosk board's firmware logic in Python, I/O-free: the simulator's core, mirroring firmware_bridge/c.

It keeps a simulated mechanism (feeder with jams and an empty tray, light ring, light tower, door
lock with a relock timer, presence/tamper/paper/e-stop sensors) and speaks the protocol through
`ReliableLink`. Callers feed bytes and the time, and write what `drain()` returns.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from firmware_bridge.frame import Frame, FrameDecoder
from firmware_bridge.link import ReliableLink
from firmware_bridge.protocol import (
    ACK,
    BOOT,
    DOOR_MAX_MS,
    EVENT,
    FAILSAFE_MS,
    HEARTBEAT,
    HEARTBEAT_MS,
    IDENTIFY,
    IDENTIFY_CHUNK,
    MCU_TX_QUEUE,
    NAK,
    PROTOCOL_VERSION,
    RESPONSE,
    SAFE_TOWER,
    SEQUENCED_BASE,
    SYNC,
    SYNCED,
    SYNCED_FAILSAFE,
    TOWER_COLORS,
    TYPE_SIZES,
    WINDOW,
    Status,
    dictionary_bytes,
    parse_dictionary,
)

log = logging.getLogger(__name__)

SENSORS = ("presence", "tamper", "paper_low", "estop")


@dataclass
class Mechanism:
    """What the board drives and senses; `jam` and `empty` are the simulator's fault knobs."""

    light: int = 0
    tower: int = 0
    door_unlocked_until: float | None = None
    feeds: int = 0
    ejects: int = 0
    jam: bool = False
    empty: bool = False
    sensors: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SENSORS, 0))

    def make_safe(self) -> None:
        self.light = 0
        self.tower = SAFE_TOWER
        self.door_unlocked_until = None


class SimulatedMcu:
    """One power cycle of the board: create a new instance to simulate a reboot."""

    def __init__(self, boot_id: int, now: float, version: int = PROTOCOL_VERSION, window: int = WINDOW) -> None:
        self.boot_id = boot_id
        self.version = version
        self.mechanism = Mechanism()
        self.link = ReliableLink(window)
        self.decoder = FrameDecoder()
        self.synced = False
        self.failsafe = False
        self.failsafe_trips = 0
        self.executed = 0
        self._nonce: int | None = None
        self._last_rx = now
        self._last_heartbeat = now
        self._dictionary = dictionary_bytes()
        self._commands = {spec.id: spec for spec in parse_dictionary(self._dictionary)[0].values()}
        self.link.send_link(BOOT, boot_id.to_bytes(4, "big"))

    def feed(self, data: bytes, now: float) -> None:
        """Bytes from the line."""
        rejected = self.decoder.rejected
        frames = self.decoder.feed(data)
        if self.decoder.rejected != rejected and self.synced:
            self.link.nak(now)
        for frame in frames:
            self._frame(frame, now)
        self.poll(now)

    def poll(self, now: float) -> None:
        """Timers: failsafe, heartbeat, door relock, retransmissions."""
        if self.synced and now - self._last_rx >= FAILSAFE_MS / 1000:
            log.warning("no heartbeat from the host for %d ms: failsafe", FAILSAFE_MS)
            self.mechanism.make_safe()
            self.failsafe = True
            self.failsafe_trips += 1
            self.synced = False
            self._nonce = None
            self.link.reset()
        until = self.mechanism.door_unlocked_until
        if until is not None and now >= until:
            self.mechanism.door_unlocked_until = None
        if self.synced and now - self._last_heartbeat >= HEARTBEAT_MS / 1000:
            self._last_heartbeat = now
            self.link.send_link(HEARTBEAT)
        self.link.poll(now)

    def deadline(self, now: float) -> float:
        """The next time `poll` has work, at the latest one heartbeat from now."""
        times = [now + HEARTBEAT_MS / 1000]
        if self.synced:
            times += [self._last_heartbeat + HEARTBEAT_MS / 1000, self._last_rx + FAILSAFE_MS / 1000]
        if self.mechanism.door_unlocked_until is not None:
            times.append(self.mechanism.door_unlocked_until)
        if (retransmit := self.link.deadline()) is not None:
            times.append(retransmit)
        return min(times)

    def drain(self) -> bytes:
        return self.link.drain()

    def set_sensor(self, name: str, value: int) -> None:
        """A sensor changed: report it as an event when a host is synced."""
        if name not in SENSORS:
            raise ValueError(f"unknown sensor {name!r}")
        if self.mechanism.sensors[name] == value:
            return
        self.mechanism.sensors[name] = value
        if self.synced:
            self.link.send(EVENT, bytes((SENSORS.index(name) + 1, value)))

    def state(self, now: float) -> dict[str, Any]:
        """Actuator states, the shape both peers print as JSON lines."""
        m = self.mechanism
        return {
            "light": m.light,
            "tower": TOWER_COLORS[m.tower],
            "door": "unlocked" if m.door_unlocked_until is not None and now < m.door_unlocked_until else "locked",
            "feeds": m.feeds,
            "ejects": m.ejects,
            "failsafe": self.failsafe,
            "boot_id": self.boot_id,
        }

    def _frame(self, frame: Frame, now: float) -> None:
        if frame.msg == SYNC:
            self._sync(frame.payload, now)
            return
        if not self.synced:
            if frame.msg >= SEQUENCED_BASE:
                self.link.send_link(BOOT, self.boot_id.to_bytes(4, "big"))
            return
        self._last_rx = now
        if frame.msg < SEQUENCED_BASE and frame.msg not in (ACK, NAK):
            return
        # A command is accepted only when its response, and those of the frames kept behind it, fit in
        # the fixed tx queue the C firmware has; otherwise it stays unacked and comes again.
        full = self.link.pending + self.link.kept >= MCU_TX_QUEUE
        if frame.msg >= SEQUENCED_BASE and self.link.is_next(frame) and full:
            return
        for delivered in self.link.receive(frame, now):
            self._command(delivered, now)

    def _sync(self, payload: bytes, now: float) -> None:
        if len(payload) != 3:
            return
        version, nonce = payload[0], int.from_bytes(payload[1:3], "big")
        if version == self.version and nonce != self._nonce:
            self._nonce = nonce
            self.link.reset()
            self.synced = True
            self._last_rx = self._last_heartbeat = now
        flags = SYNCED_FAILSAFE if self.failsafe else 0
        self.link.send_link(
            SYNCED,
            bytes((self.version,))
            + nonce.to_bytes(2, "big")
            + self.boot_id.to_bytes(4, "big")
            + bytes((flags,))
            + self.failsafe_trips.to_bytes(2, "big"),
        )
        if self.synced:
            self.failsafe = False

    def _command(self, frame: Frame, now: float) -> None:
        self.executed += 1
        tag, args = frame.payload[:2], frame.payload[2:]
        status, result = self._execute(frame.msg, args, now) if len(tag) == 2 else (Status.BAD_ARGS, b"")
        self.link.send(RESPONSE, tag.rjust(2, b"\x00") + bytes((status,)) + result)

    def _execute(self, cid: int, args: bytes, now: float) -> tuple[Status, bytes]:
        spec = self._commands.get(cid)
        if spec is None:
            return Status.UNKNOWN_COMMAND, b""
        if spec.id == IDENTIFY:
            return self._identify(args)
        if len(args) != sum(TYPE_SIZES[kind] for _, kind in spec.args):
            return Status.BAD_ARGS, b""
        m = self.mechanism
        value = int.from_bytes(args, "big") if args else 0
        if spec.name in ("feeder.feed", "feeder.eject"):
            if m.sensors["estop"]:
                return Status.ESTOP, b""
            if m.jam:
                return Status.JAMMED, b""
            if spec.name == "feeder.eject":
                m.ejects += 1
                return Status.OK, b""
            if m.empty:
                return Status.EMPTY, b""
            m.feeds += 1
        elif spec.name == "light.set":
            m.light = value
        elif spec.name == "tower.set":
            if value >= len(TOWER_COLORS):
                return Status.BAD_ARGS, b""
            m.tower = value
        elif spec.name == "door.unlock":
            if not 0 < value <= DOOR_MAX_MS:
                return Status.BAD_ARGS, b""
            m.door_unlocked_until = now + value / 1000
        elif spec.name == "sensors.read":
            return Status.OK, bytes(m.sensors[name] for name in SENSORS)
        elif spec.name == "diag.echo":
            return Status.OK, args + self.executed.to_bytes(4, "big")
        return Status.OK, b""

    def _identify(self, args: bytes) -> tuple[Status, bytes]:
        total = len(self._dictionary)
        if len(args) != 2 or int.from_bytes(args, "big") > total:
            return Status.BAD_ARGS, b""
        offset = int.from_bytes(args, "big")
        return Status.OK, total.to_bytes(2, "big") + self._dictionary[offset : offset + IDENTIFY_CHUNK]
