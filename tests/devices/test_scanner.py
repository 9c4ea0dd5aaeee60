import socket
import struct
import threading
import zlib
from collections.abc import Iterator

import pytest

from devices.scanner import FeederEmpty, NetworkScanner, ScannerUnavailable
from devices.sim.scanner import ScannerSimulator
from devices.state import DeviceState


def png(seed: int) -> bytes:
    """A tiny valid PNG, different per seed (the scanner must hand back exactly these bytes)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    raw = b"".join(b"\x00" + bytes([(seed + x + y) % 256 for x in range(64)]) for y in range(48))
    header = struct.pack(">IIBBBBB", 64, 48, 8, 0, 0, 0, 0)
    body = chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + body


@pytest.fixture
def pages() -> list[bytes]:
    return [png(1), png(2)]


@pytest.fixture
def scanner_sim(pages: list[bytes]) -> Iterator[ScannerSimulator]:
    source = iter(pages)
    sim = ScannerSimulator(lambda: next(source, None), sheets=len(pages))
    sim.start()
    yield sim
    sim.stop()


def test_scan_returns_the_exact_page_bytes(scanner_sim: ScannerSimulator, pages: list[bytes]) -> None:
    scanner = NetworkScanner(scanner_sim.url)
    assert scanner.status().detail == "2 page(s) in feeder"
    assert scanner.scan(timeout=5) == pages[0]
    assert scanner.scan(timeout=5) == pages[1]


def test_empty_feeder_raises_and_degrades(scanner_sim: ScannerSimulator) -> None:
    scanner = NetworkScanner(scanner_sim.url)
    scanner.scan(timeout=5)
    scanner.scan(timeout=5)
    with pytest.raises(FeederEmpty):
        scanner.scan(timeout=5)
    status = scanner.status()
    assert (status.state, status.detail) == (DeviceState.DEGRADED, "feeder empty")


def test_source_running_dry_empties_the_feeder() -> None:
    sim = ScannerSimulator(lambda: None, sheets=3)
    scanner = NetworkScanner(sim.start())
    try:
        assert scanner.status().state is DeviceState.READY
        with pytest.raises(FeederEmpty):
            scanner.scan(timeout=5)
        assert scanner.status().state is DeviceState.DEGRADED
        sim.load(1)
        assert scanner.status().detail == "1 page(s) in feeder"
    finally:
        sim.stop()


def test_failing_source_is_a_scanner_fault() -> None:
    def broken() -> bytes:
        raise RuntimeError("renderer crashed")

    sim = ScannerSimulator(broken, sheets=1)
    scanner = NetworkScanner(sim.start())
    try:
        with pytest.raises(ScannerUnavailable, match="fault INTERNAL"):
            scanner.scan(timeout=5)
    finally:
        sim.stop()


def test_unreachable_scanner_is_absent(dead_url: str) -> None:
    scanner = NetworkScanner(dead_url, timeout=0.5)
    status = scanner.status()
    assert status.state is DeviceState.ABSENT
    assert "cannot connect" in status.detail and dead_url in status.detail
    with pytest.raises(ScannerUnavailable, match="cannot connect"):
        scanner.scan(timeout=1)


def test_malformed_commands_keep_the_connection_usable(
    scanner_sim: ScannerSimulator, pages: list[bytes]
) -> None:
    port = int(scanner_sim.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn, conn.makefile("rb") as replies:
        conn.sendall(b"HELLO\n" + b"X" * 5000 + b"\n" + b"\xff\xfe\n" + b"\n" + b"scan\n")
        assert [replies.readline() for _ in range(5)] == [b"ERR BAD_COMMAND\n"] * 5
        conn.sendall(b"STATUS\r\n")
        assert replies.readline() == b"READY 2\n"
        conn.sendall(b"SCAN\n")
        header = replies.readline().split()
        assert header[0] == b"PAGE" and header[2] == b"image/png"
        assert replies.read(int(header[1])) == pages[0]
        conn.sendall(b"STATUS\n")
        assert replies.readline() == b"READY 1\n"


def test_a_protocol_violation_is_unavailable_not_a_crash() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        scanner = NetworkScanner(f"socket://127.0.0.1:{server.getsockname()[1]}", timeout=1)
        replier = threading.Thread(target=reply_once, args=(server, b"PAGE 10 image/jpeg\n0123456789"))
        replier.start()
        with pytest.raises(ScannerUnavailable, match="unexpected reply to SCAN"):
            scanner.scan(timeout=2)
        replier.join()


def test_a_page_that_is_not_png_is_refused() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        scanner = NetworkScanner(f"socket://127.0.0.1:{server.getsockname()[1]}", timeout=1)
        replier = threading.Thread(target=reply_once, args=(server, b"PAGE 10 image/png\n0123456789"))
        replier.start()
        with pytest.raises(ScannerUnavailable, match="not a PNG"):
            scanner.scan(timeout=2)
        replier.join()


def test_silent_scanner_is_an_error() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:  # accepts, never answers
        status = NetworkScanner(f"socket://127.0.0.1:{server.getsockname()[1]}", timeout=0.2).status()
    assert (status.state, status.detail) == (DeviceState.ERROR, "no reply to STATUS")


def reply_once(server: socket.socket, reply: bytes) -> None:
    """A peer that answers the first command with `reply`: it speaks, but not this protocol."""
    conn, _ = server.accept()
    with conn:
        conn.recv(64)
        conn.sendall(reply)


def test_unloaded_feeder_reports_empty(scanner_sim: ScannerSimulator) -> None:
    scanner_sim.unload()
    assert scanner_sim.sheets == 0
    assert scanner_sim.answer(b"STATUS") == b"EMPTY\n"
