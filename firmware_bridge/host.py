"""The host side: one I/O thread owns the serial line and the link; callers get futures or typed results.

`McuBridge(path).connect()` syncs with the board, fetches its identify dictionary and then keeps the
link alive (heartbeats, resync after silence, reboot or failsafe). Commands are looked up by name in
the firmware's dictionary, so the host adapts to what the firmware offers. Events and link changes
arrive through callbacks, called on the I/O thread: keep them short (hand over to a queue or a bus).
"""

from __future__ import annotations

import logging
import os
import queue
import random
import select
import threading
import time
import tty
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from firmware_bridge.errors import (
    CommandTimeout,
    McuError,
    McuLost,
    McuRebooted,
    McuUnavailable,
    UnsupportedCommand,
    VersionMismatch,
    error_for,
)
from firmware_bridge.frame import Frame, FrameDecoder
from firmware_bridge.link import ReliableLink
from firmware_bridge.protocol import (
    ACK,
    BOOT,
    EVENT,
    FAILSAFE_MS,
    HEARTBEAT,
    HEARTBEAT_MS,
    IDENTIFY,
    NAK,
    PROTOCOL_VERSION,
    RESPONSE,
    SEQUENCED_BASE,
    SYNC,
    SYNCED,
    SYNCED_FAILSAFE,
    TOWER_COLORS,
    WINDOW,
    CommandSpec,
    Status,
    parse_dictionary,
)

log = logging.getLogger(__name__)

EventCallback = Callable[[str, int], None]


class LinkState(StrEnum):
    """Where the bridge stands with the board."""

    CONNECTING = "connecting"
    READY = "ready"
    LOST = "lost"
    INCOMPATIBLE = "incompatible"
    CLOSED = "closed"


LinkCallback = Callable[[LinkState, str], None]
WireCallback = Callable[[str, bytes], None]
"""("tx" or "rx", the bytes) for every write to and read from the line: the technician's wire log."""


@dataclass(frozen=True)
class Identity:
    """What the board said about itself at the last sync."""

    version: int
    boot_id: int
    firmware: str
    commands: dict[str, CommandSpec]
    events: dict[int, str]
    dictionary: dict[str, Any]
    failsafe_trips: int


@dataclass
class _Pending:
    name: str
    spec: CommandSpec
    future: Future[dict[str, int]] | None = None
    on_raw: Callable[[bytes], None] | None = None


@dataclass(frozen=True)
class _Submit:
    name: str
    args: dict[str, int]
    future: Future[dict[str, int]]


class McuBridge:
    """The kiosk board over a serial line (a /dev/tty path, or a pty path in tests)."""

    def __init__(
        self,
        path: str,
        *,
        version: int = PROTOCOL_VERSION,
        window: int = WINDOW,
        heartbeat: float = HEARTBEAT_MS / 1000,
        link_timeout: float = FAILSAFE_MS / 1000,
        sync_retry: float = 0.3,
        on_event: EventCallback | None = None,
        on_link: LinkCallback | None = None,
        on_wire: WireCallback | None = None,
    ) -> None:
        self.path = path
        self.version = version
        self.heartbeat = heartbeat
        self.link_timeout = link_timeout
        self.sync_retry = sync_retry
        self.on_event = on_event
        self.on_link = on_link
        self.on_wire = on_wire
        self.link = ReliableLink(window)
        self.decoder = FrameDecoder()
        self.state = LinkState.CLOSED
        self.detail = ""
        self.identity: Identity | None = None
        self.unknown_messages = 0
        self.stale_responses = 0
        self.feeder = Feeder(self)
        self.light = Light(self)
        self.tower = Tower(self)
        self.door = Door(self)
        self.sensors = Sensors(self)
        self._fd = -1
        self._wake_r, self._wake_w = -1, -1
        self._inbox: queue.SimpleQueue[_Submit] = queue.SimpleQueue()
        self._pending: dict[int, _Pending] = {}
        self._tag = 0
        self._nonce = 0
        self._synced = False
        self._last_rx = 0.0
        self._last_heartbeat = 0.0
        self._last_sync = 0.0
        self._line_rest_until = 0.0
        self._dictionary = bytearray()
        self._firmware_version = 0
        self._boot_id = 0
        self._trips = 0
        self._settled = threading.Event()
        self._closing = False
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------------

    def connect(self, timeout: float = 3.0) -> Identity:
        """Open the line, sync and identify; VersionMismatch or McuUnavailable (and closed) otherwise."""
        try:
            self._fd = os.open(self.path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        except OSError as exc:
            raise McuUnavailable(f"cannot open {self.path}: {exc.strerror}") from exc
        if os.isatty(self._fd):
            tty.setraw(self._fd)
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        self._set_state(LinkState.CONNECTING, "syncing")
        self._closing = False
        self._thread = threading.Thread(target=self._run, name="mcu-bridge", daemon=True)
        self._thread.start()
        settled = self._settled.wait(timeout)
        identity = self.identity
        if settled and self.state == LinkState.READY and identity is not None:
            return identity
        state, detail = self.state, self.detail
        firmware_version = self._firmware_version
        self.close()
        if state == LinkState.INCOMPATIBLE and firmware_version:
            raise VersionMismatch(self.version, firmware_version)
        if state == LinkState.INCOMPATIBLE:
            raise McuUnavailable(f"the MCU on {self.path} is unusable: {detail}")
        raise McuUnavailable(f"no answer from the MCU on {self.path} within {timeout} s ({detail})")

    def close(self) -> None:
        """Stop the I/O thread, fail what is in flight and release the line; safe to call twice."""
        self._closing = True
        if self._thread is not None:
            os.write(self._wake_w, b"x")
            self._thread.join(timeout=5)
            self._thread = None
        for fd in (self._fd, self._wake_r, self._wake_w):
            if fd >= 0:
                os.close(fd)
        self._fd = self._wake_r = self._wake_w = -1
        if self.state != LinkState.INCOMPATIBLE:
            self._set_state(LinkState.CLOSED, "closed")

    def __enter__(self) -> McuBridge:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- commands --------------------------------------------------------------------------------

    def submit(self, name: str, **args: int) -> Future[dict[str, int]]:
        """Queue a command by its dictionary name; the future holds its result fields or a typed error."""
        future: Future[dict[str, int]] = Future()
        if self._thread is None:
            future.set_exception(McuUnavailable("the bridge is not connected"))
            return future
        self._inbox.put(_Submit(name, args, future))
        os.write(self._wake_w, b"c")
        return future

    def call(self, name: str, timeout: float = 5.0, **args: int) -> dict[str, int]:
        """Run one command and wait for its result; raises the typed error otherwise."""
        future = self.submit(name, **args)
        try:
            return future.result(timeout)
        except TimeoutError as exc:
            raise CommandTimeout(f"{name}: no answer within {timeout} s") from exc

    def echo(self, token: int) -> dict[str, int]:
        """diag.echo: the token back and the number of commands the MCU executed since boot."""
        return self.call("diag.echo", token=token)

    def stats(self) -> dict[str, Any]:
        """Link counters and the current timing estimate (for benchmarks and device detail)."""
        s = self.link.stats
        return {
            "sent": s.sent,
            "retransmits": s.retransmits,
            "duplicates_received": s.duplicates,
            "naks_sent": s.naks_sent,
            "naks_received": s.naks_received,
            "max_in_flight": s.max_in_flight,
            "rto_ms": round(self.link.rto.rto * 1000, 3),
            "rto_max_ms": round(s.rto_max_seen * 1000, 3),
            "srtt_ms": None if self.link.rto.srtt is None else round(self.link.rto.srtt * 1000, 3),
            "frames_rejected": self.decoder.rejected,
            "unknown_messages": self.unknown_messages,
            "stale_responses": self.stale_responses,
        }

    # -- the I/O thread --------------------------------------------------------------------------

    def _run(self) -> None:
        out = b""
        while not self._closing:
            now = time.monotonic()
            self._tick(now)
            out += self.link.drain()
            line = [] if now < self._line_rest_until else [self._fd]
            readable, writable, _ = select.select(
                [*line, self._wake_r], line if out else [], [], self._timeout(now)
            )
            if writable:
                try:
                    written = os.write(self._fd, out)
                    if self.on_wire is not None:
                        self.on_wire("tx", out[:written])
                    out = out[written:]
                except BlockingIOError:
                    pass
                except OSError as exc:
                    self._line_broken(exc)
                    out = b""
            if self._wake_r in readable:
                os.read(self._wake_r, 4096)
                self._take_submissions()
            if self._fd in readable:
                try:
                    data = os.read(self._fd, 4096)
                    if self.on_wire is not None:
                        self.on_wire("rx", data)
                    self._bytes(data, time.monotonic())
                except BlockingIOError:
                    pass
                except OSError as exc:
                    self._line_broken(exc)
        self._fail_all(McuUnavailable("the bridge closed"))

    def _line_broken(self, error: OSError) -> None:
        """The device reports an error (unplugged, far end closed): rest, then try again; never spin."""
        self._line_rest_until = time.monotonic() + self.sync_retry
        if self._synced:
            self._lose(McuLost(f"serial line error: {error.strerror}"))

    def _timeout(self, now: float) -> float:
        times = [now + 0.05]
        if (retransmit := self.link.deadline()) is not None:
            times.append(retransmit)
        return max(0.0, min(times) - now)

    def _tick(self, now: float) -> None:
        if self.state == LinkState.INCOMPATIBLE:
            return
        if self._synced:
            if now - self._last_rx >= self.link_timeout:
                self._lose(McuLost(f"no frame from the MCU for {self.link_timeout} s"))
            elif now - self._last_heartbeat >= self.heartbeat:
                self._last_heartbeat = now
                self.link.send_link(HEARTBEAT)
        if not self._synced and now - self._last_sync >= self.sync_retry:
            self._send_sync(now)
        self.link.poll(now)

    def _send_sync(self, now: float) -> None:
        self._last_sync = now
        self.link.send_link(SYNC, bytes((self.version,)) + self._nonce.to_bytes(2, "big"))

    def _take_submissions(self) -> None:
        while True:
            try:
                submit = self._inbox.get_nowait()
            except queue.Empty:
                return
            identity = self.identity
            if self.state != LinkState.READY or identity is None:
                submit.future.set_exception(McuUnavailable(f"MCU link is {self.state.value}: {self.detail}"))
                continue
            spec = identity.commands.get(submit.name)
            if spec is None:
                submit.future.set_exception(UnsupportedCommand(f"firmware has no command {submit.name!r}"))
                continue
            try:
                args = spec.encode_args(submit.args)
            except (ValueError, OverflowError) as exc:
                submit.future.set_exception(McuError(f"{submit.name}: {exc}"))
                continue
            self._send_command(_Pending(submit.name, spec, future=submit.future), args)

    def _send_command(self, pending: _Pending, args: bytes) -> None:
        self._tag = (self._tag + 1) & 0xFFFF
        self._pending[self._tag] = pending
        self.link.send(pending.spec.id, self._tag.to_bytes(2, "big") + args)

    def _bytes(self, data: bytes, now: float) -> None:
        rejected = self.decoder.rejected
        frames = self.decoder.feed(data)
        if self.decoder.rejected != rejected and self._synced:
            self.link.nak(now)
        for frame in frames:
            self._frame(frame, now)

    def _frame(self, frame: Frame, now: float) -> None:
        if frame.msg == SYNCED:
            self._synced_frame(frame.payload, now)
            return
        if frame.msg == BOOT:
            self._boot(frame.payload, now)
            return
        if not self._synced:
            return
        self._last_rx = now
        if frame.msg == HEARTBEAT:
            return
        if frame.msg < SEQUENCED_BASE and frame.msg not in (ACK, NAK):
            self.unknown_messages += 1
            return
        for delivered in self.link.receive(frame, now):
            if delivered.msg == RESPONSE:
                self._response(delivered.payload)
            elif delivered.msg == EVENT:
                self._event(delivered.payload)
            else:
                self.unknown_messages += 1
                log.info("ignoring unknown message 0x%02x from the MCU", delivered.msg)

    def _boot(self, payload: bytes, now: float) -> None:
        boot_id = int.from_bytes(payload[:4], "big")
        identity = self.identity
        if self._synced:
            if identity is not None and boot_id != identity.boot_id:
                self._lose(McuRebooted(f"the MCU rebooted (boot {boot_id:08x})"))
            else:
                self._lose(McuLost("the MCU reset the link"))
        self._send_sync(now)

    def _synced_frame(self, payload: bytes, now: float) -> None:
        if self._synced or len(payload) != 10 or int.from_bytes(payload[1:3], "big") != self._nonce:
            return
        version = payload[0]
        if version != self.version:
            self._firmware_version = version
            self._set_state(LinkState.INCOMPATIBLE, f"firmware protocol {version}, host {self.version}")
            self._settled.set()
            return
        boot_id = int.from_bytes(payload[3:7], "big")
        flags, trips = payload[7], int.from_bytes(payload[8:10], "big")
        previous = self.identity
        self.link.reset()
        self._synced = True
        self._last_rx = self._last_heartbeat = now
        self._boot_id, self._trips = boot_id, trips
        if previous is not None and previous.boot_id != boot_id:
            self._notify_event("rebooted", 1)
        if flags & SYNCED_FAILSAFE:
            log.warning("the MCU reports its failsafe tripped (%d times since boot)", trips)
            self._notify_event("failsafe", trips)
        self._dictionary.clear()
        self._request_dictionary()

    def _request_dictionary(self, offset: int = 0) -> None:
        spec = CommandSpec("identify", IDENTIFY, (("offset", "u16"),), ())
        self._send_command(_Pending("identify", spec, on_raw=self._dictionary_chunk), offset.to_bytes(2, "big"))

    def _dictionary_chunk(self, result: bytes) -> None:
        """Chunks arrive in order (the link delivers in order); after the first, ask for the rest at once."""
        total = int.from_bytes(result[:2], "big")
        first = not self._dictionary
        self._dictionary += result[2:]
        if first and len(result) > 2:
            for offset in range(len(self._dictionary), total, len(result) - 2):
                self._request_dictionary(offset)
        if len(self._dictionary) < total:
            return
        try:
            commands, events, document = parse_dictionary(bytes(self._dictionary))
        except ValueError as exc:
            self._set_state(LinkState.INCOMPATIBLE, str(exc))
            self._settled.set()
            return
        if document.get("protocol") != self.version:
            self._firmware_version = int(document.get("protocol", 0))
            self._set_state(LinkState.INCOMPATIBLE, f"dictionary protocol {document.get('protocol')}")
            self._settled.set()
            return
        self.identity = Identity(
            self.version, self._boot_id, str(document.get("firmware", "")), commands, events, document, self._trips
        )
        self._set_state(LinkState.READY, f"firmware {self.identity.firmware}, boot {self._boot_id:08x}")
        self._settled.set()

    def _response(self, payload: bytes) -> None:
        pending = self._pending.pop(int.from_bytes(payload[:2], "big"), None) if len(payload) >= 3 else None
        if pending is None:
            self.stale_responses += 1
            return
        status, result = payload[2], payload[3:]
        if pending.on_raw is not None:
            if status == Status.OK:
                pending.on_raw(result)
            else:
                self._lose(McuLost(f"identify failed with status {status}"))
            return
        assert pending.future is not None
        if status != Status.OK:
            pending.future.set_exception(error_for(pending.name, status))
            return
        try:
            pending.future.set_result(pending.spec.decode_result(result))
        except ValueError as exc:
            pending.future.set_exception(McuError(str(exc)))

    def _event(self, payload: bytes) -> None:
        identity = self.identity
        name = identity.events.get(payload[0]) if identity is not None and len(payload) == 2 else None
        if name is None:
            self.unknown_messages += 1
            return
        self._notify_event(name, payload[1])

    def _notify_event(self, name: str, value: int) -> None:
        if self.on_event is not None:
            try:
                self.on_event(name, value)
            except Exception:
                log.exception("event callback failed for %s", name)

    def _lose(self, error: McuLost) -> None:
        log.warning("MCU link lost: %s", error)
        self._synced = False
        self._nonce = random.getrandbits(16)
        self._last_sync = 0.0
        self.link.reset()
        self._fail_all(error)
        self._set_state(LinkState.LOST, str(error))

    def _fail_all(self, error: McuError) -> None:
        pending, self._pending = self._pending, {}
        for call in pending.values():
            if call.future is not None and not call.future.done():
                call.future.set_exception(error)

    def _set_state(self, state: LinkState, detail: str) -> None:
        changed = state != self.state
        self.state, self.detail = state, detail
        if changed and self.on_link is not None:
            try:
                self.on_link(state, detail)
            except Exception:
                log.exception("link callback failed")


class _Part:
    def __init__(self, bridge: McuBridge) -> None:
        self._bridge = bridge


class Feeder(_Part):
    """The document feeder: FeederJammed, FeederEmpty or EstopActive when it cannot move."""

    def feed(self, timeout: float = 10.0) -> None:
        self._bridge.call("feeder.feed", timeout)

    def eject(self, timeout: float = 10.0) -> None:
        self._bridge.call("feeder.eject", timeout)


class Light(_Part):
    """The camera's light ring, 0 (off) to 255."""

    def set(self, level: int) -> None:
        if not 0 <= level <= 255:
            raise ValueError("light level must be 0..255")
        self._bridge.call("light.set", level=level)


class Tower(_Part):
    """The status light tower: off, green, yellow or red."""

    def set(self, color: str) -> None:
        if color not in TOWER_COLORS:
            raise ValueError(f"tower color must be one of {TOWER_COLORS}")
        self._bridge.call("tower.set", color=TOWER_COLORS.index(color))


class Door(_Part):
    """The service door lock: unlocks for `duration` seconds, then the MCU relocks it by itself."""

    def unlock(self, duration: float) -> None:
        duration_ms = round(duration * 1000)
        if not 0 < duration_ms <= 60000:
            raise ValueError("door unlock duration must be in (0, 60] seconds")
        self._bridge.call("door.unlock", duration_ms=duration_ms)


class Sensors(_Part):
    """Presence, tamper, paper_low and estop, read now (changes also arrive as events)."""

    def read(self) -> dict[str, bool]:
        return {name: bool(value) for name, value in self._bridge.call("sensors.read").items()}
