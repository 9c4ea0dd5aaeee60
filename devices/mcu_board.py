"""Driver for the kiosk's mechanics board (feeder, lights, light tower, door lock, sensors) over firmware_bridge.

The bridge keeps the link alive by itself (heartbeats, resync after a reboot or a failsafe); this
driver maps its state onto the kiosk's device vocabulary and forwards board events to one callback,
which the core bridges to its bus. Commands raise firmware_bridge's typed errors (FeederJammed,
EstopActive, McuLost, ...), so callers can tell "refused" from "may not have run".
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from devices import wire_log
from devices.state import DeviceState, DeviceStatus
from firmware_bridge.errors import McuUnavailable, VersionMismatch
from firmware_bridge.host import LinkState, McuBridge

log = logging.getLogger(__name__)

KIND = "mcu_board"

LINK_STATES = {
    LinkState.CLOSED: DeviceState.ABSENT,
    LinkState.CONNECTING: DeviceState.CONNECTING,
    LinkState.READY: DeviceState.READY,
    LinkState.LOST: DeviceState.DEGRADED,
    LinkState.INCOMPATIBLE: DeviceState.ERROR,
}


@dataclass(frozen=True)
class BoardEvent:
    """A sensor change (presence, tamper, paper_low, estop) or a link fact (failsafe, rebooted)."""

    name: str
    value: int


def device_path(url: str) -> str:
    """`serial:///dev/ttyACM0` or a bare path -> the path; ValueError for other schemes."""
    if url.startswith("/"):
        return url
    parts = urlsplit(url)
    if parts.scheme == "serial" and parts.path.startswith("/"):
        return parts.path
    raise ValueError(f"the MCU board needs a serial device, like serial:///dev/ttyACM0: {url!r}")


class McuBoard:
    """The board at `url`; `start()` connects, then the bridge keeps the link up until `stop()`."""

    def __init__(
        self,
        url: str,
        name: str = "mcu",
        on_event: Callable[[BoardEvent], None] | None = None,
        connect_timeout: float = 3.0,
    ) -> None:
        self.url = url
        self.name = name
        self.on_event = on_event
        self.connect_timeout = connect_timeout
        self._bridge: McuBridge | None = None
        self._failure: DeviceStatus | None = None

    def start(self) -> DeviceStatus:
        """Connect and identify; the status says why when the board is not ready (never raises)."""
        self.stop()
        bridge = McuBridge(device_path(self.url), on_event=self._event, on_wire=self._wire)
        try:
            identity = bridge.connect(self.connect_timeout)
        except VersionMismatch as exc:
            self._failure = self._status(DeviceState.ERROR, f"incompatible firmware: {exc}")
        except McuUnavailable as exc:
            self._failure = self._status(DeviceState.ABSENT, str(exc))
        else:
            log.info("MCU board %s ready: %s", self.name, identity.firmware)
            self._bridge, self._failure = bridge, None
        return self.status()

    def stop(self) -> None:
        if self._bridge is not None:
            self._bridge.close()
            self._bridge = None

    def status(self) -> DeviceStatus:
        """Link state as the kiosk's device state, with a detail free of personal data."""
        if self._bridge is None:
            return self._failure or self._status(DeviceState.ABSENT, "not started")
        return self._status(LINK_STATES[self._bridge.state], self._bridge.detail)

    def feed(self) -> None:
        """Pull one document into the feeder."""
        self._connected().feeder.feed()

    def eject(self) -> None:
        self._connected().feeder.eject()

    def set_light(self, level: int) -> None:
        """Camera light ring, 0..255."""
        self._connected().light.set(level)

    def set_tower(self, color: str) -> None:
        """Status light tower: off, green, yellow or red."""
        self._connected().tower.set(color)

    def unlock_door(self, seconds: float) -> None:
        """Unlock the service door; the board relocks it after `seconds` by itself."""
        self._connected().door.unlock(seconds)

    def read_sensors(self) -> dict[str, bool]:
        return self._connected().sensors.read()

    def _connected(self) -> McuBridge:
        if self._bridge is None:
            raise McuUnavailable(f"MCU board {self.name} is not started")
        return self._bridge

    def _event(self, name: str, value: int) -> None:
        if self.on_event is not None:
            self.on_event(BoardEvent(name, value))

    def _wire(self, direction: str, data: bytes) -> None:
        """The bridge opens the line itself, not through `devices.transport`, so it reports its bytes here."""
        wire_log.record(self.url, direction, data)

    def _status(self, state: DeviceState, detail: str) -> DeviceStatus:
        return DeviceStatus(self.name, KIND, state, detail)
