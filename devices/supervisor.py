"""The device supervisor: keeps every configured device connected and its state known, so the kiosk
survives a reader that rebooted, a printer whose cable was pulled, or a port that was busy.

- Stream devices (barcode readers, the MCU board) are held open in a thread each and reopened with
  exponential backoff, within a restart budget (so a dead device does not spin forever).
- Request devices (printers, scanners, cameras) are asked their status every `check_interval_s`.
- Configured device paths are watched: a path that vanishes marks its device absent at once; a path
  that appears (the replug, which also refills the budget) reconnects at once. pyudev, when installed,
  makes that immediate in production; plain polling of the paths does it everywhere else.
- Events go to a callback, never to the kiosk directly (`devices` does not import `kiosk`).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from devices import wire_log
from devices.state import DeviceState, DeviceStatus

log = logging.getLogger(__name__)

WATCH_POLL_S = 0.1
STREAM_POLL_S = 0.2


class Device(Protocol):
    """What every driver offers the supervisor (the MCU board driver too)."""

    name: str

    def status(self) -> DeviceStatus: ...

    def self_test(self) -> DeviceStatus: ...


@runtime_checkable
class StreamDevice(Protocol):
    """A device the supervisor holds open and reads (barcode readers, the MCU board)."""

    name: str

    def open(self) -> None: ...

    def close(self) -> None: ...

    def poll(self, timeout: float) -> list[Any]: ...

    def status(self) -> DeviceStatus: ...


@dataclass(frozen=True)
class DeviceEvent:
    """`type`: "state" (data: the DeviceStatus dict) or "data" (what a stream device delivered)."""

    type: str
    name: str
    data: Any


EventCallback = Callable[[DeviceEvent], None]


@dataclass
class Backoff:
    """Delays between reconnects (initial, doubling to `maximum`) and a budget of `budget` restarts per
    `window_s`; `exhausted` when the budget is spent, `reset` on a replug or a good connection."""

    initial: float = 0.1
    maximum: float = 5.0
    budget: int = 10
    window_s: float = 60.0
    _delay: float = 0.0
    _restarts: deque[float] = field(default_factory=deque)

    def next_delay(self, now: float) -> float | None:
        while self._restarts and now - self._restarts[0] > self.window_s:
            self._restarts.popleft()
        if len(self._restarts) >= self.budget:
            return None
        self._restarts.append(now)
        self._delay = min(self.maximum, self._delay * 2 if self._delay else self.initial)
        return self._delay

    @property
    def attempts(self) -> int:
        """Restarts spent in the current window."""
        return len(self._restarts)

    def reset(self) -> None:
        self._delay = 0.0
        self._restarts.clear()


@dataclass
class _Entry:
    device: Device
    kind: str
    path: str | None
    required: bool
    url: str | None
    backoff: Backoff
    status: DeviceStatus
    wake: threading.Event = field(default_factory=threading.Event)
    present: bool = True


class Supervisor:
    """Add devices, `start`, read `statuses()` or listen to `on_event`; `stop` closes everything."""

    def __init__(self, on_event: EventCallback | None = None, check_interval_s: float = 5.0,
                 backoff: Callable[[], Backoff] = Backoff) -> None:
        self.on_event = on_event
        self.check_interval_s = check_interval_s
        self._make_backoff = backoff
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._udev: Any = None

    def add(self, device: Device, kind: str, *, path: str | None = None, required: bool = True) -> None:
        """Supervise `device`; `path` is the device node whose presence is watched (None: not watched)."""
        url = getattr(device, "url", None)
        initial = DeviceStatus(device.name, kind, DeviceState.CONNECTING, "starting")
        self._entries[device.name] = _Entry(device, kind, path, required, url if isinstance(url, str) else None,
                                            self._make_backoff(), initial)

    @property
    def required(self) -> list[str]:
        return [name for name, entry in self._entries.items() if entry.required]

    def statuses(self) -> list[DeviceStatus]:
        with self._lock:
            return [entry.status for entry in self._entries.values()]

    def status(self, name: str) -> DeviceStatus:
        with self._lock:
            return self._entries[name].status

    def device(self, name: str) -> Device:
        return self._entries[name].device

    def counters(self, name: str) -> dict[str, int]:
        """The driver's counters (jobs, scans, link errors, ...), for health reports."""
        counters = getattr(self._entries[name].device, "counters", {})
        return dict(counters) if isinstance(counters, dict) else {}

    def set_wire_log(self, name: str, on: bool) -> None:
        """Switch recording of the device's traffic (see `devices.wire_log`) at runtime."""
        url = self._entries[name].url
        if url is None:
            raise ValueError(f"{name} has no transport URL to record")
        (wire_log.enable if on else wire_log.disable)(url)

    def wire_records(self, name: str) -> list[wire_log.WireRecord]:
        url = self._entries[name].url
        return wire_log.records(url) if url else []

    def start(self) -> None:
        self._stopping.clear()
        for entry in self._entries.values():
            entry.present = entry.path is None or os.path.exists(entry.path)
            target = self._run_stream if isinstance(entry.device, StreamDevice) else self._run_checks
            self._spawn(target, entry, f"supervise-{entry.device.name}")
        if any(entry.path for entry in self._entries.values()):
            self._spawn(self._watch_paths, None, "supervise-paths")
            self._start_udev()

    def stop(self) -> None:
        self._stopping.set()
        for entry in self._entries.values():
            entry.wake.set()
        if self._udev is not None:
            self._udev.stop()
            self._udev = None
        for thread in self._threads:
            thread.join(timeout=10)
        self._threads.clear()

    def _spawn(self, target: Callable[[Any], None], arg: Any, name: str) -> None:
        thread = threading.Thread(target=target, args=(arg,), name=name, daemon=True)
        self._threads.append(thread)
        thread.start()

    # --- the loops ---

    def _run_checks(self, entry: _Entry) -> None:
        while not self._stopping.is_set():
            if entry.present:
                self._set(entry, self._safe_status(entry))
            else:
                self._set(entry, self._absent(entry))
            entry.wake.wait(self.check_interval_s)
            entry.wake.clear()

    def _run_stream(self, entry: _Entry) -> None:
        device = entry.device
        assert isinstance(device, StreamDevice)
        while not self._stopping.is_set():
            if not entry.present:
                self._set(entry, self._absent(entry))
                entry.wake.wait(self.check_interval_s)
                entry.wake.clear()
                continue
            try:
                device.open()
            except Exception as exc:  # any driver's failure to connect: retry within the budget
                self._wait_backoff(entry, f"cannot open: {exc}")
                continue
            entry.backoff.reset()
            self._set(entry, device.status())
            while not self._stopping.is_set() and entry.present:
                try:
                    delivered = device.poll(STREAM_POLL_S)
                except Exception as exc:  # a broken link: close, report, reconnect
                    log.info("%s: link lost (%s)", device.name, type(exc).__name__)
                    self._set(entry, DeviceStatus(device.name, entry.kind, DeviceState.CONNECTING, "link lost"))
                    break
                for item in delivered:
                    self._emit(DeviceEvent("data", device.name, item))
            device.close()

    def _wait_backoff(self, entry: _Entry, detail: str) -> None:
        delay = entry.backoff.next_delay(time.monotonic())
        if delay is None:
            self._set(entry, DeviceStatus(entry.device.name, entry.kind, DeviceState.ERROR,
                                          f"restart budget exhausted ({detail})"))
            entry.wake.wait(entry.backoff.window_s)  # a replug wakes us and refills the budget
        else:
            attempt = f"{entry.backoff.attempts}/{entry.backoff.budget}"
            self._set(entry, DeviceStatus(entry.device.name, entry.kind, DeviceState.CONNECTING,
                                          f"retry {attempt} in {delay:.2f} s ({detail})"))
            entry.wake.wait(delay)
        entry.wake.clear()

    def _watch_paths(self, _: None) -> None:
        while not self._stopping.wait(WATCH_POLL_S):
            self.rescan()

    def rescan(self) -> None:
        """Compare watched paths with what exists now (called by the poller and by udev events)."""
        for entry in self._entries.values():
            if entry.path is None:
                continue
            present = os.path.exists(entry.path)
            if present == entry.present:
                continue
            entry.present = present
            log.info("%s: device path %s", entry.device.name, "appeared" if present else "vanished")
            if present:
                entry.backoff.reset()
            entry.wake.set()

    def _start_udev(self) -> None:
        try:
            import pyudev  # optional: hot-plug events in production
        except ImportError:
            return
        try:
            monitor = pyudev.Monitor.from_netlink(pyudev.Context())
            self._udev = pyudev.MonitorObserver(monitor, callback=lambda _device: self.rescan())
            self._udev.start()
        except OSError as exc:  # no netlink in a container: path polling still works
            log.info("udev monitor unavailable: %s", exc)

    # --- state ---

    def _safe_status(self, entry: _Entry) -> DeviceStatus:
        try:
            return entry.device.status()
        except Exception as exc:  # a driver bug must not stop supervision of the others
            log.exception("%s: status check failed", entry.device.name)
            return DeviceStatus(entry.device.name, entry.kind, DeviceState.ERROR, type(exc).__name__)

    def _absent(self, entry: _Entry) -> DeviceStatus:
        return DeviceStatus(entry.device.name, entry.kind, DeviceState.ABSENT, f"{entry.path} is not present")

    def _set(self, entry: _Entry, status: DeviceStatus) -> None:
        status = DeviceStatus(status.name, entry.kind, status.state, status.detail)
        with self._lock:
            changed = status != entry.status
            entry.status = status
        if changed:
            log.info("%s: %s (%s)", status.name, status.state.value, status.detail)
            self._emit(DeviceEvent("state", status.name, status.to_dict()))

    def _emit(self, event: DeviceEvent) -> None:
        if self.on_event is None:
            return
        try:
            self.on_event(event)
        except Exception:
            log.exception("device event callback failed")
