"""Barcode readers: a serial one (prefix/suffix framing, AIM symbology identifiers, trigger commands)
and a HID keyboard wedge (the kernel's input_event records from /dev/input/event*, or any byte stream).

Both deliver `BarcodeScan`s through a callback; a code read again inside `repeat_window_s` is reported
once, because a driver holding a CMR under the reader produces a burst of identical reads. Scan
payloads are personal data at times (a plate, a passport line): they are never logged.
"""

from __future__ import annotations

import fcntl
import logging
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from devices.state import DeviceState, DeviceStatus
from devices.transport import FileTransport, Transport, TransportBusy, TransportError, make_transport

log = logging.getLogger(__name__)

KIND = "barcode_reader"
MAX_FRAME = 4096  # longest barcode payload; longer runs without a suffix are line noise
# AIM identifier "]" + code character + modifier -> symbology name (ISO/IEC 15424).
AIM_CODES = {"A": "code39", "C": "code128", "E": "ean_upc", "F": "codabar", "G": "code93", "I": "itf",
             "L": "pdf417", "Q": "qr", "d": "datamatrix", "z": "aztec", "e": "gs1_databar"}
# Honeywell/Zebra-style serial trigger commands (SYN T CR / SYN U CR); configurable per reader.
TRIGGER_ON, TRIGGER_OFF = b"\x16T\r", b"\x16U\r"
READ_CHUNK = 4096
# struct input_event on 64-bit Linux: struct timeval (two longs), u16 type, u16 code, s32 value.
INPUT_EVENT = struct.Struct("@qqHHi")
EV_KEY, KEY_RELEASE, KEY_PRESS, KEY_REPEAT = 0x01, 0, 1, 2
OTHER_EVENT_TYPES = {0x00, 0x04, 0x11, 0x14}  # EV_SYN, EV_MSC (scancodes), EV_LED, EV_REP
KEY_MAX = 0x2FF
KEY_ENTER, KEY_KPENTER, KEY_TAB = 28, 96, 15
SHIFT_KEYS = {42, 54}
EVIOCGRAB = 0x40044590  # take the device so scans do not also type into the touchscreen UI
# US keyboard layout, evdev key code -> (plain, shifted): what keyboard-wedge readers emit.
_ROWS = [
    (2, "1234567890-=", "!@#$%^&*()_+"), (16, "qwertyuiop[]", "QWERTYUIOP{}"),
    (30, "asdfghjkl;'`", 'ASDFGHJKL:"~'), (43, "\\zxcvbnm,./", "|ZXCVBNM<>?"),
]
KEYMAP: dict[int, tuple[str, str]] = {57: (" ", " ")}
for _start, _plain, _shifted in _ROWS:
    for _offset, (_p, _s) in enumerate(zip(_plain, _shifted, strict=True)):
        KEYMAP[_start + _offset] = (_p, _s)


@dataclass(frozen=True)
class BarcodeScan:
    """One code read: its text, the symbology when the reader says (AIM id), the reader's name."""

    data: str
    symbology: str | None
    reader: str
    at: float = field(default_factory=time.monotonic)


ScanCallback = Callable[[BarcodeScan], None]


class RepeatFilter:
    """Drops a code seen again within `window_s` seconds of its last sighting."""

    def __init__(self, window_s: float) -> None:
        self.window_s = window_s
        self._last: dict[str, float] = {}

    def accept(self, data: str, now: float) -> bool:
        last = self._last.get(data)
        self._last = {code: at for code, at in self._last.items() if now - at < self.window_s}
        self._last[data] = now
        return last is None or now - last >= self.window_s


def split_aim(payload: str) -> tuple[str, str | None]:
    """(data, symbology) from a payload that may start with an AIM identifier like ]C0 or ]Q1."""
    if len(payload) >= 3 and payload[0] == "]":
        return payload[3:], AIM_CODES.get(payload[1], f"aim:{payload[1]}")
    return payload, None


class SerialFramer:
    """Cuts a serial reader's byte stream into payloads between `prefix` and `suffix`; bytes outside a
    frame (noise on the line) and frames longer than MAX_FRAME are dropped."""

    def __init__(self, prefix: bytes, suffix: bytes) -> None:
        if not suffix:
            raise ValueError("a serial barcode reader needs a suffix (like CR) to end each code")
        self.prefix, self.suffix = prefix, suffix
        self._buffer = bytearray()
        self.dropped = 0

    def feed(self, data: bytes) -> list[bytes]:
        self._buffer += data
        frames: list[bytes] = []
        while (end := self._buffer.find(self.suffix)) >= 0:
            frame = bytes(self._buffer[:end])
            del self._buffer[: end + len(self.suffix)]
            if self.prefix:
                start = frame.rfind(self.prefix)
                if start < 0:
                    self.dropped += 1
                    continue
                frame = frame[start + len(self.prefix) :]
            if frame and len(frame) <= MAX_FRAME:
                frames.append(frame)
            else:
                self.dropped += 1
        if len(self._buffer) > MAX_FRAME + len(self.prefix):
            self._buffer.clear()
            self.dropped += 1
        return frames


class KeyEventDecoder:
    """Turns input_event records into lines of text, the way a keyboard wedge types a code + Enter."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._shift: set[int] = set()
        self._line: list[str] = []
        self.resyncs = 0

    def feed(self, data: bytes) -> list[str]:
        self._buffer += data
        lines: list[str] = []
        size = INPUT_EVENT.size
        while len(self._buffer) >= size:
            seconds, micros, kind, code, value = INPUT_EVENT.unpack_from(self._buffer)
            if not _plausible(seconds, micros, kind, code, value):
                del self._buffer[:1]  # out of step (noise on a byte stream): slide until records line up
                self.resyncs += 1
                continue
            del self._buffer[:size]
            if kind != EV_KEY:
                continue  # EV_SYN, EV_MSC scancodes
            if code in SHIFT_KEYS:
                (self._shift.add if value != KEY_RELEASE else self._shift.discard)(code)
            elif value == KEY_PRESS:
                if code in (KEY_ENTER, KEY_KPENTER, KEY_TAB):
                    if self._line:
                        lines.append("".join(self._line))
                    self._line.clear()
                elif code in KEYMAP:
                    self._line.append(KEYMAP[code][1 if self._shift else 0])
        return lines


def _plausible(seconds: int, micros: int, kind: int, code: int, value: int) -> bool:
    """Whether 24 bytes can be one input_event of a keyboard: the kernel's records always are."""
    if not (0 <= micros < 1_000_000 and 0 <= seconds < 1 << 40):
        return False
    if kind == EV_KEY:
        return code < KEY_MAX and value in (KEY_RELEASE, KEY_PRESS, KEY_REPEAT)
    return kind in OTHER_EVENT_TYPES and code < KEY_MAX


class _StreamReader:
    """What both reader kinds share: a held transport, a read loop, repeat filtering, counters."""

    def __init__(self, url: str, name: str, on_scan: ScanCallback | None, repeat_window_s: float,
                 timeout: float) -> None:
        self.url = url
        self.name = name
        self.kind = KIND
        self.on_scan = on_scan
        self.timeout = timeout
        self.repeats = RepeatFilter(repeat_window_s)
        self.counters = {"frames": 0, "scans": 0, "repeats_dropped": 0, "noise_dropped": 0, "link_errors": 0}
        self._transport: Transport | None = None
        self._lock = threading.Lock()
        self._state = DeviceState.ABSENT
        self._detail = "not opened"

    def open(self) -> None:
        """Connect; TransportError when the reader is not there."""
        self.close()
        self._state, self._detail = DeviceState.CONNECTING, "opening"
        transport = make_transport(self.url, self.timeout)
        try:
            transport.open()
        except TransportError as exc:
            busy = isinstance(exc, TransportBusy)
            self._state, self._detail = DeviceState.BUSY if busy else DeviceState.ABSENT, str(exc)
            raise
        self._transport = transport
        self._after_open(transport)
        self._state, self._detail = DeviceState.READY, "listening"

    def close(self) -> None:
        transport, self._transport = self._transport, None
        if transport is not None:
            transport.close()

    @property
    def is_open(self) -> bool:
        return self._transport is not None

    def status(self) -> DeviceStatus:
        return DeviceStatus(self.name, KIND, self._state, self._detail)

    def poll(self, timeout: float) -> list[BarcodeScan]:
        """Scans that arrived within `timeout`; TransportError (and state absent) when the link broke."""
        transport = self._transport
        if transport is None:
            raise TransportError(f"{self.name} is not open")
        try:
            data = transport.read(READ_CHUNK, timeout)
        except TransportError as exc:
            self.counters["link_errors"] += 1
            self.close()
            self._state, self._detail = DeviceState.ABSENT, str(exc)
            raise
        scans: list[BarcodeScan] = []
        for payload in self._payloads(data) if data else []:
            self.counters["frames"] += 1
            text, symbology = split_aim(payload)
            if not self.repeats.accept(text, time.monotonic()):
                self.counters["repeats_dropped"] += 1
                continue
            self.counters["scans"] += 1
            scan = BarcodeScan(text, symbology, self.name)
            scans.append(scan)
            if self.on_scan is not None:
                self.on_scan(scan)
        return scans

    def _after_open(self, transport: Transport) -> None:
        """Reader-specific setup once the link is up."""

    def _payloads(self, data: bytes) -> list[str]:
        raise NotImplementedError


class SerialBarcodeReader(_StreamReader):
    """A reader on a serial port (or socket) sending `prefix` + [AIM id] + code + `suffix`."""

    def __init__(self, url: str, name: str = "barcode_reader", *, prefix: bytes = b"", suffix: bytes = b"\r",
                 trigger_on: bytes = TRIGGER_ON, trigger_off: bytes = TRIGGER_OFF,
                 on_scan: ScanCallback | None = None, repeat_window_s: float = 2.0, timeout: float = 1.0) -> None:
        super().__init__(url, name, on_scan, repeat_window_s, timeout)
        self.trigger_on, self.trigger_off = trigger_on, trigger_off
        self._framer = SerialFramer(prefix, suffix)

    def trigger(self, on: bool = True) -> None:
        """Start (or stop) a read, for readers in host-triggered mode."""
        if self._transport is None:
            raise TransportError(f"{self.name} is not open")
        self._transport.write(self.trigger_on if on else self.trigger_off)

    def self_test(self) -> DeviceStatus:
        """Trigger one read and wait for any code: proves the link both ways and the engine."""
        try:
            if not self.is_open:
                self.open()
            frames = self.counters["frames"]
            self.trigger()
            deadline = time.monotonic() + self.timeout * 3
            while time.monotonic() < deadline and self.counters["frames"] == frames:
                self.poll(0.1)
            self.trigger(False)
            if self.counters["frames"] > frames:  # any code, even a repeat the filter drops
                return DeviceStatus(self.name, KIND, DeviceState.READY, "test read ok")
        except TransportError as exc:
            if self._state is DeviceState.READY:  # the trigger could not be written
                self._state, self._detail = DeviceState.ERROR, str(exc)
            return self.status()
        return DeviceStatus(self.name, KIND, DeviceState.ERROR, "no read after trigger")

    def _after_open(self, transport: Transport) -> None:
        while transport.read(READ_CHUNK, 0.01):
            pass  # a half-sent code from before we connected would be framed wrongly

    def _payloads(self, data: bytes) -> list[str]:
        before = self._framer.dropped
        frames = self._framer.feed(data)
        self.counters["noise_dropped"] += self._framer.dropped - before
        return [frame.decode("latin-1") for frame in frames]


class HidBarcodeReader(_StreamReader):
    """A keyboard-wedge reader: `file:///dev/input/eventN` in production (grabbed, so its keystrokes do
    not reach the UI), any transport URL carrying input_event records in tests."""

    def __init__(self, url: str, name: str = "barcode_reader", *, on_scan: ScanCallback | None = None,
                 repeat_window_s: float = 2.0, timeout: float = 1.0) -> None:
        super().__init__(url, name, on_scan, repeat_window_s, timeout)
        self._decoder = KeyEventDecoder()

    def self_test(self) -> DeviceStatus:
        """A keyboard wedge cannot be asked anything: ready when its event device opens."""
        try:
            if not self.is_open:
                self.open()
        except TransportError:
            pass  # open() has set the state: absent, or busy
        return self.status()

    def _after_open(self, transport: Transport) -> None:
        self._decoder = KeyEventDecoder()
        if isinstance(transport, FileTransport) and transport.path.startswith("/dev/input/"):
            try:
                fcntl.ioctl(transport.fd, EVIOCGRAB, 1)
            except OSError as exc:
                log.warning("%s: cannot grab the input device (%s); scans also reach the UI", self.name, exc)

    def _payloads(self, data: bytes) -> list[str]:
        return self._decoder.feed(data)
