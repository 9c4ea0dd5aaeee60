"""Device health as every driver reports it, so the API and the supervisor speak one vocabulary."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class DeviceState(StrEnum):
    """Lifecycle of a device as seen from the kiosk (the names are part of the local API)."""

    ABSENT = "absent"
    CONNECTING = "connecting"
    READY = "ready"
    BUSY = "busy"
    DEGRADED = "degraded"
    ERROR = "error"


@dataclass(frozen=True)
class DeviceStatus:
    """One device's state with a human-readable detail (never personal data)."""

    name: str
    kind: str
    state: DeviceState
    detail: str = ""

    def to_dict(self) -> dict[str, str]:
        """The JSON shape of `/devices` entries."""
        return {"name": self.name, "kind": self.kind, "state": self.state.value, "detail": self.detail}
