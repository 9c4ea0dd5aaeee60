"""Byte transports chosen by URL, so a driver works the same over TCP, a serial port, a pty or a loopback.

Drivers never open sockets or ports themselves: they ask `open_transport(url)` and get one small
interface (open, read, write, close). That lets a simulator on a pty or socket stand in for real hardware,
and lets later transports (USB, file) slot in without touching drivers.

Supported URLs:
- ``socket://HOST:PORT``  raw TCP (network printers on 9100, the scanner simulator);
- ``serial:///dev/ttyUSB0?baudrate=9600`` or a bare device path ``/dev/pts/3`` (default 9600 baud);
- ``loop://``  pyserial's loopback: what is written is read back (for tests of drivers);
- ``file:///dev/input/event3``  a character device read and written as it is (evdev, a raw byte stream);
- ``usb://VID:PID``  the USB device with those ids, found in sysfs at each open (so a replugged device
  that came back under another node is found again): a USB printer-class node (/dev/usb/lpN, as
  receipt printers enumerate) or a CDC/USB-serial tty (9600 baud unless ``?baudrate=N``);
- ``sim://NAME``  the pty of `cez-kiosk devices sim NAME`, at $CEZ_SIM_DIR/NAME (/tmp/cez-kiosk-sim).
"""

from __future__ import annotations

import os
import re
import select
import socket
import time
from abc import ABC, abstractmethod
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

import serial

from devices import wire_log

DEFAULT_BAUDRATE = 9600
BUSY_GRACE_S, BUSY_RETRY_S = 0.5, 0.02
SYSFS = Path("/sys")
USB_IDS = re.compile(r"^([0-9a-fA-F]{4}):([0-9a-fA-F]{4})$")
# Kernel device classes a USB peripheral of ours shows up as, with the /dev folder of their nodes.
USB_NODE_CLASSES = (("usbmisc", "lp*", "/dev/usb"), ("tty", "ttyACM*", "/dev"), ("tty", "ttyUSB*", "/dev"))
DEFAULT_SIM_DIR = "/tmp/cez-kiosk-sim"


def sim_dir() -> Path:
    """Where `cez-kiosk devices sim NAME` puts its pty link, so `sim://NAME` finds it."""
    return Path(os.environ.get("CEZ_SIM_DIR", DEFAULT_SIM_DIR))


class TransportError(ConnectionError):
    """The device could not be reached, or the link broke while talking to it."""


class TransportBusy(TransportError):
    """Another process holds the device (the core while a technician runs a check, ModemManager)."""


class TransportTimeout(TransportError):
    """The device was reachable but did not answer in time."""


class Transport(ABC):
    """A byte stream to one device. `read` waits at most `timeout` for at least one byte."""

    def __init__(self, url: str, timeout: float) -> None:
        self.url = url
        self.timeout = timeout

    @abstractmethod
    def open(self) -> None:
        """Connect; raises TransportError with the reason when the device is unreachable."""

    @abstractmethod
    def read(self, n: int, timeout: float | None = None) -> bytes:
        """Up to `n` bytes; b"" when nothing arrived in time; TransportError when the peer went away."""

    @abstractmethod
    def write(self, data: bytes) -> None:
        """Send all of `data` or raise TransportError."""

    @abstractmethod
    def close(self) -> None:
        """Release the connection; safe to call twice."""

    def __enter__(self) -> Transport:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class SocketTransport(Transport):
    """Raw TCP, as spoken by network receipt printers (port 9100) and the scanner simulator."""

    def __init__(self, url: str, host: str, port: int, timeout: float) -> None:
        super().__init__(url, timeout)
        self._address = (host, port)
        self._sock: socket.socket | None = None

    def open(self) -> None:
        try:
            self._sock = socket.create_connection(self._address, timeout=self.timeout)
        except OSError as exc:
            raise TransportError(f"cannot connect to {self.url}: {exc}") from exc
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _connected(self) -> socket.socket:
        if self._sock is None:
            raise TransportError(f"{self.url} is not open")
        return self._sock

    def read(self, n: int, timeout: float | None = None) -> bytes:
        sock = self._connected()
        sock.settimeout(self.timeout if timeout is None else max(timeout, 0.0))
        try:
            data = sock.recv(n)
        except TimeoutError:
            return b""
        except OSError as exc:
            raise TransportError(f"reading from {self.url} failed: {exc}") from exc
        if not data:
            raise TransportError(f"{self.url} closed the connection")
        wire_log.record(self.url, "rx", data)
        return data

    def write(self, data: bytes) -> None:
        sock = self._connected()
        sock.settimeout(self.timeout)
        wire_log.record(self.url, "tx", data)
        try:
            sock.sendall(data)
        except OSError as exc:
            raise TransportError(f"writing to {self.url} failed: {exc}") from exc

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None


class SerialTransport(Transport):
    """A serial device (USB-serial adapter, pty) or pyserial's loop://, through pyserial."""

    def __init__(self, url: str, port: str, baudrate: int, timeout: float) -> None:
        super().__init__(url, timeout)
        # exclusive: an advisory lock, so two processes never interleave bytes on one port.
        options = {"exclusive": True} if port.startswith("/") else {}
        self._port: Any = serial.serial_for_url(
            port, baudrate=baudrate, timeout=timeout, write_timeout=timeout, do_not_open=True, **options
        )

    def open(self) -> None:
        # A subprocess forked by another thread holds a copy of our last descriptor (and its lock)
        # until it execs: a lock that is still taken after BUSY_GRACE_S is really someone else's.
        deadline = time.monotonic() + BUSY_GRACE_S
        while True:
            try:
                self._port.open()
                return
            except (OSError, serial.SerialException) as exc:
                if "exclusively lock" not in str(exc):
                    raise TransportError(f"cannot open {self.url}: {exc}") from exc
                if time.monotonic() > deadline:
                    raise TransportBusy(f"{self.url} is in use by another process") from exc
                time.sleep(BUSY_RETRY_S)

    def read(self, n: int, timeout: float | None = None) -> bytes:
        try:
            self._port.timeout = self.timeout if timeout is None else max(timeout, 0.0)
            data: bytes = self._port.read(1)
            waiting = int(self._port.in_waiting) if data else 0
            if waiting and n > 1:
                data += self._port.read(min(n - 1, waiting))
        except (OSError, serial.SerialException) as exc:
            raise TransportError(f"reading from {self.url} failed: {exc}") from exc
        wire_log.record(self.url, "rx", data)
        return data

    def write(self, data: bytes) -> None:
        wire_log.record(self.url, "tx", data)
        try:
            self._port.write(data)
            self._port.flush()
        except (OSError, serial.SerialException) as exc:
            raise TransportError(f"writing to {self.url} failed: {exc}") from exc

    def close(self) -> None:
        self._port.close()


class FileTransport(Transport):
    """A character device or FIFO opened as it is: /dev/input/event* for a keyboard-wedge reader."""

    def __init__(self, url: str, path: str, timeout: float) -> None:
        super().__init__(url, timeout)
        self.path = path
        self._fd = -1

    def open(self) -> None:
        try:
            self._fd = os.open(self.path, os.O_RDWR | os.O_NONBLOCK | os.O_NOCTTY)
        except PermissionError:
            try:
                self._fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
            except OSError as exc:
                raise TransportError(f"cannot open {self.url}: {exc}") from exc
        except OSError as exc:
            raise TransportError(f"cannot open {self.url}: {exc}") from exc

    @property
    def fd(self) -> int:
        if self._fd < 0:
            raise TransportError(f"{self.url} is not open")
        return self._fd

    def read(self, n: int, timeout: float | None = None) -> bytes:
        fd = self.fd
        try:
            ready, _, _ = select.select([fd], [], [], self.timeout if timeout is None else max(timeout, 0.0))
            if not ready:
                return b""
            data = os.read(fd, n)
        except BlockingIOError:
            return b""
        except OSError as exc:
            raise TransportError(f"reading from {self.url} failed: {exc}") from exc
        if not data:
            raise TransportError(f"{self.url} reached its end")
        wire_log.record(self.url, "rx", data)
        return data

    def write(self, data: bytes) -> None:
        fd = self.fd
        wire_log.record(self.url, "tx", data)
        try:
            while data:
                select.select([], [fd], [], self.timeout)
                data = data[os.write(fd, data) :]
        except OSError as exc:
            raise TransportError(f"writing to {self.url} failed: {exc}") from exc

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


def find_usb_node(vendor: str, product: str, sysfs: Path = SYSFS) -> str | None:
    """The /dev node of the USB device `vendor:product` (hex ids), or None when none is plugged in."""
    wanted = (vendor.lower(), product.lower())
    for device_class, pattern, dev_dir in USB_NODE_CLASSES:
        for node in sorted((sysfs / "class" / device_class).glob(pattern)):
            device = (node / "device").resolve()
            for parent in (device, *device.parents):
                vid, pid = parent / "idVendor", parent / "idProduct"
                if vid.exists() and pid.exists():
                    if (vid.read_text().strip(), pid.read_text().strip()) == wanted:
                        return f"{dev_dir}/{node.name}"
                    break
    return None


class UsbTransport(Transport):
    """A USB device by its ids: looks up its node at every `open`, then talks to it as a file (usblp)
    or a serial port (CDC-ACM, USB-serial adapters)."""

    def __init__(self, url: str, vendor: str, product: str, baudrate: int, timeout: float,
                 sysfs: Path = SYSFS) -> None:
        super().__init__(url, timeout)
        self.vendor, self.product, self.baudrate, self.sysfs = vendor, product, baudrate, sysfs
        self._inner: Transport | None = None

    def open(self) -> None:
        node = find_usb_node(self.vendor, self.product, self.sysfs)
        if node is None:
            raise TransportError(f"cannot open {self.url}: no USB device {self.vendor}:{self.product} is plugged in")
        inner: Transport
        if node.startswith("/dev/usb/"):
            inner = FileTransport(self.url, node, self.timeout)
        else:
            inner = SerialTransport(self.url, node, self.baudrate, self.timeout)
        inner.open()
        self._inner = inner

    def _open_inner(self) -> Transport:
        if self._inner is None:
            raise TransportError(f"{self.url} is not open")
        return self._inner

    def read(self, n: int, timeout: float | None = None) -> bytes:
        return self._open_inner().read(n, timeout)

    def write(self, data: bytes) -> None:
        self._open_inner().write(data)

    def close(self) -> None:
        if self._inner is not None:
            self._inner.close()
            self._inner = None


def make_transport(url: str, timeout: float = 2.0) -> Transport:
    """The transport for `url`, not yet opened; ValueError for URLs no transport understands."""
    if url.startswith("/"):
        return SerialTransport(url, url, DEFAULT_BAUDRATE, timeout)
    parts = urlsplit(url)
    if parts.scheme == "socket":
        if not parts.hostname or parts.port is None:
            raise ValueError(f"socket URL needs host and port, like socket://127.0.0.1:9100: {url!r}")
        return SocketTransport(url, parts.hostname, parts.port, timeout)
    if parts.scheme == "serial":
        if not parts.path.startswith("/"):
            raise ValueError(f"serial URL needs a device path, like serial:///dev/ttyUSB0: {url!r}")
        return SerialTransport(url, parts.path, _baudrate(url, parts.query), timeout)
    if parts.scheme == "loop":
        return SerialTransport(url, "loop://", DEFAULT_BAUDRATE, timeout)
    if parts.scheme == "usb":
        ids = USB_IDS.match(parts.netloc)
        if ids is None:
            raise ValueError(f"usb URL needs vendor and product ids, like usb://04b8:0e28: {url!r}")
        return UsbTransport(url, ids[1], ids[2], _baudrate(url, parts.query), timeout)
    if parts.scheme == "sim":
        if not parts.netloc or parts.path:  # a path after the name (sim://a/b) would be silently dropped
            raise ValueError(f"sim URL needs a simulator name, like sim://receipt_printer: {url!r}")
        return SerialTransport(url, str(sim_dir() / parts.netloc), DEFAULT_BAUDRATE, timeout)
    if parts.scheme == "file":
        if not parts.path.startswith("/"):
            raise ValueError(f"file URL needs an absolute path, like file:///dev/input/event3: {url!r}")
        return FileTransport(url, parts.path, timeout)
    raise ValueError(
        f"unsupported device URL scheme {parts.scheme!r} in {url!r}; "
        "use socket://HOST:PORT, serial:///dev/PATH?baudrate=N, usb://VID:PID, file:///PATH, sim://NAME, "
        "loop:// or a device path"
    )


def _baudrate(url: str, query: str) -> int:
    options = parse_qs(query, strict_parsing=False)
    unknown = set(options) - {"baudrate"}
    if unknown:
        raise ValueError(f"unknown serial option(s) {sorted(unknown)} in {url!r}; only baudrate is supported")
    values = options.get("baudrate", [str(DEFAULT_BAUDRATE)])
    if len(values) != 1 or not values[0].isdigit() or int(values[0]) == 0:
        raise ValueError(f"baudrate must be one positive integer in {url!r}")
    return int(values[0])


def open_transport(url: str, timeout: float = 2.0) -> Transport:
    """An open transport for `url`: ValueError for a bad URL, TransportError when unreachable."""
    transport = make_transport(url, timeout)
    transport.open()
    return transport


class StreamReader:
    """Line and fixed-length reads over a transport, for line protocols that carry binary payloads."""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport
        self._buffer = bytearray()

    def read_line(self, limit: int, timeout: float) -> bytes:
        """One line without its newline; TransportError if it is longer than `limit` bytes."""
        deadline = time.monotonic() + timeout
        while (end := self._buffer.find(b"\n")) < 0:
            if len(self._buffer) > limit:
                raise TransportError(f"{self._transport.url} sent a line longer than {limit} bytes")
            self._fill(deadline, 4096)
        line = bytes(self._buffer[:end])
        del self._buffer[: end + 1]
        return line.rstrip(b"\r")

    def read_exactly(self, n: int, timeout: float) -> bytes:
        """Exactly `n` bytes, or TransportTimeout when they do not all arrive in time."""
        deadline = time.monotonic() + timeout
        while len(self._buffer) < n:
            self._fill(deadline, min(n - len(self._buffer), 1 << 16))
        data = bytes(self._buffer[:n])
        del self._buffer[:n]
        return data

    def _fill(self, deadline: float, size: int) -> None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TransportTimeout(f"{self._transport.url} did not answer in time")
        self._buffer += self._transport.read(size, remaining)
