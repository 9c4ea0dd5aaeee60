"""Both MCU peers as processes, the fault relay, a connected host bridge, and a raw frame port."""

from __future__ import annotations

import os
import time
import tty
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from firmware_bridge.frame import Frame, FrameDecoder, encode_frame
from firmware_bridge.host import McuBridge
from firmware_bridge.peers import PEERS, PeerProcess, build_c_peer, peer_command
from firmware_bridge.protocol import HEARTBEAT, PROTOCOL_VERSION, SYNC, SYNCED
from firmware_bridge.relay import FaultRelay


@pytest.fixture(scope="session")
def c_binary(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The C reference firmware, compiled once per session with -std=c99 -Wall -Wextra -Werror -pedantic."""
    return build_c_peer(tmp_path_factory.mktemp("fb-c"))


@pytest.fixture(params=PEERS)
def peer_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def peer(peer_name: str, c_binary: Path) -> Iterator[PeerProcess]:
    with PeerProcess(peer_command(peer_name, c_binary)) as process:
        yield process


@pytest.fixture
def relay(peer: PeerProcess) -> Iterator[FaultRelay]:
    with FaultRelay(peer.path, seed=7) as fault_relay:
        yield fault_relay


@pytest.fixture
def events() -> list[tuple[str, int]]:
    return []


@pytest.fixture
def bridge(relay: FaultRelay, events: list[tuple[str, int]]) -> Iterator[McuBridge]:
    """A host bridge connected to the peer through the (initially fault-free) relay."""
    with McuBridge(relay.path, on_event=lambda name, value: events.append((name, value))) as host:
        host.connect(timeout=5)
        yield host


def wait_for(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    """Poll `predicate` until true; AssertionError after `timeout` (a bound, not a timing assertion)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.01)


class RawPort:
    """The host end of the line without the host's rules: frames in and out as the test writes them."""

    def __init__(self, path: str) -> None:
        self.fd = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        tty.setraw(self.fd)
        self.decoder = FrameDecoder()
        self.heartbeats = 0

    def close(self) -> None:
        os.close(self.fd)

    def write(self, data: bytes) -> None:
        os.write(self.fd, data)

    def send(self, seq: int, msg: int, payload: bytes = b"") -> None:
        self.write(encode_frame(Frame(seq, msg, payload)))

    def read(self, duration: float) -> list[Frame]:
        """Every frame (heartbeats counted, not returned) arriving within `duration` seconds."""
        frames: list[Frame] = []
        deadline = time.monotonic() + duration
        while time.monotonic() < deadline:
            frames += self._poll(0.005)
        return frames

    def expect(self, predicate: Callable[[Frame], bool], timeout: float = 2.0) -> tuple[Frame, list[Frame]]:
        """The first frame matching `predicate`, and the others seen before it."""
        seen: list[Frame] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for frame in self._poll(0.005):
                if predicate(frame):
                    return frame, seen
                seen.append(frame)
        raise AssertionError(f"no matching frame within {timeout} s; saw {seen}")

    def sync(self, nonce: int = 0x1234) -> Frame:
        self.send(0, SYNC, bytes((PROTOCOL_VERSION,)) + nonce.to_bytes(2, "big"))
        synced, _ = self.expect(lambda f: f.msg == SYNCED)
        return synced

    def _poll(self, wait: float) -> list[Frame]:
        time.sleep(wait)
        try:
            data = os.read(self.fd, 4096)
        except BlockingIOError:
            return []
        frames = self.decoder.feed(data)
        self.heartbeats += sum(f.msg == HEARTBEAT for f in frames)
        return [f for f in frames if f.msg != HEARTBEAT]


@pytest.fixture
def raw(peer: PeerProcess) -> Iterator[RawPort]:
    port = RawPort(peer.path)
    yield port
    port.close()
