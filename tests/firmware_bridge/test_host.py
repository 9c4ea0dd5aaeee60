"""Host behaviour that neither peer triggers on its own: messages from a newer firmware."""

from __future__ import annotations

import os
import queue
import select
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from firmware_bridge.errors import McuUnavailable, UnsupportedCommand
from firmware_bridge.host import LinkState, McuBridge
from firmware_bridge.mcu import SimulatedMcu
from firmware_bridge.protocol import EVENT


class ThreadedMcu:
    """SimulatedMcu served on the master side of a pty by a thread; `inject` runs code on that thread."""

    def __init__(self, master_fd: int) -> None:
        self._fd = master_fd
        os.set_blocking(master_fd, False)
        self._jobs: queue.SimpleQueue[Callable[[SimulatedMcu], None]] = queue.SimpleQueue()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def inject(self, job: Callable[[SimulatedMcu], None]) -> None:
        self._jobs.put(job)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _serve(self) -> None:
        mcu = SimulatedMcu(0x1234, time.monotonic())
        while not self._stop.is_set():
            while not self._jobs.empty():
                self._jobs.get()(mcu)
            mcu.poll(time.monotonic())
            data = mcu.drain()
            if data:
                os.write(self._fd, data)
            if select.select([self._fd], [], [], 0.005)[0]:
                mcu.feed(os.read(self._fd, 4096), time.monotonic())


@pytest.fixture
def threaded_mcu(pty_pair: tuple[int, str]) -> Iterator[tuple[ThreadedMcu, str]]:
    master, slave_path = pty_pair
    mcu = ThreadedMcu(master)
    yield mcu, slave_path
    mcu.close()


def test_unknown_messages_and_events_from_newer_firmware_are_counted_and_ignored(
    threaded_mcu: tuple[ThreadedMcu, str],
) -> None:
    mcu, path = threaded_mcu
    events: list[tuple[str, int]] = []
    with McuBridge(path, on_event=lambda name, value: events.append((name, value))) as bridge:
        bridge.connect()
        mcu.inject(lambda m: m.link.send(0x55, b"future"))  # unknown sequenced message: acked, ignored
        mcu.inject(lambda m: m.link.send_link(0x0E, b"?"))  # unknown link message: ignored
        mcu.inject(lambda m: m.link.send(EVENT, bytes((9, 1))))  # event id not in the dictionary
        mcu.inject(lambda m: m.set_sensor("presence", 1))
        deadline = time.monotonic() + 5
        while bridge.unknown_messages < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert bridge.unknown_messages == 3
        assert bridge.state == LinkState.READY
        assert bridge.echo(5)["token"] == 5
        assert events == [("presence", 1)]


def test_commands_missing_from_the_dictionary_or_before_connect_are_not_sent(
    threaded_mcu: tuple[ThreadedMcu, str],
) -> None:
    _, path = threaded_mcu
    bridge = McuBridge(path)
    with pytest.raises(McuUnavailable):
        bridge.call("light.set", level=1)
    with bridge:
        bridge.connect()
        with pytest.raises(UnsupportedCommand):
            bridge.call("printer.cut")
        with pytest.raises(ValueError):
            bridge.light.set(300)
