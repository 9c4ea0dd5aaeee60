"""The fault relay between two ptys: faithful when clean, and each fault does what it says."""

from __future__ import annotations

import os
import time
import tty
from collections.abc import Iterator

import pytest

from firmware_bridge.relay import FaultRelay, Faults
from tests.firmware_bridge.conftest import wait_for


@pytest.fixture
def line(pty_pair: tuple[int, str]) -> Iterator[tuple[int, int, FaultRelay]]:
    """(far end fd, host end fd, relay): bytes written on one end come out of the other."""
    master, slave_path = pty_pair
    os.set_blocking(master, False)
    with FaultRelay(slave_path, seed=3) as relay:
        host = os.open(relay.path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        tty.setraw(host)
        yield master, host, relay
        os.close(host)


def _read(fd: int, want: int, timeout: float = 3.0) -> bytes:
    data = b""
    deadline = time.monotonic() + timeout
    while len(data) < want and time.monotonic() < deadline:
        try:
            data += os.read(fd, 4096)
        except BlockingIOError:
            time.sleep(0.005)
    return data


def test_clean_relay_forwards_both_ways_unchanged(line: tuple[int, int, FaultRelay]) -> None:
    far, host, _ = line
    payload = bytes(range(256)) * 4
    os.write(host, payload)
    assert _read(far, len(payload)) == payload
    os.write(far, b"\x00back\x00")
    assert _read(host, 6) == b"\x00back\x00"


def test_cut_line_discards_and_counts(line: tuple[int, int, FaultRelay]) -> None:
    far, host, relay = line
    relay.faults.cut = True
    os.write(host, b"lost")
    wait_for(lambda: relay.stats.cut == 4)
    relay.faults.cut = False
    os.write(host, b"kept")
    assert _read(far, 4) == b"kept"


def test_corruption_and_drops_are_counted(line: tuple[int, int, FaultRelay]) -> None:
    far, host, relay = line
    relay.faults = Faults(corrupt=1.0)
    os.write(host, b"\x01" * 100)
    received = _read(far, 100)
    assert len(received) == 100 and b"\x01" not in received
    assert relay.stats.corrupted == 100
    relay.faults = Faults(drop=1.0)
    os.write(host, b"x" * 50)
    wait_for(lambda: relay.stats.dropped == 50)


def test_delay_keeps_byte_order(line: tuple[int, int, FaultRelay]) -> None:
    far, host, relay = line
    relay.faults.delay = 0.5
    for chunk in (b"one,", b"two,", b"three"):
        os.write(host, chunk)
    wait_for(lambda: relay.stats.forwarded == 13)  # queued under the delay before it is lifted
    relay.faults.delay = 0.0
    os.write(host, b",four")
    assert _read(far, 18) == b"one,two,three,four"


def test_peer_hangup_is_noticed_and_later_bytes_are_discarded() -> None:
    """A board that vanishes (its pty master closed) must not wedge or crash the relay."""
    from devices.pty_pair import open_pty_pair

    with open_pty_pair() as pair, FaultRelay(pair.slave_path, seed=3) as relay:
        host = os.open(relay.path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        try:
            tty.setraw(host)
            os.close(pair.master_fd)
            pair.master_fd = -1
            wait_for(lambda: relay.peer_gone)
            os.write(host, b"to nobody")
            wait_for(lambda: relay.stats.discarded_after_hangup == 9)
            assert relay.stats.forwarded == 9
        finally:
            os.close(host)
