"""The MCU board driver against the board simulator on a real pty (firmware_bridge.simulator)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest

from devices.mcu_board import BoardEvent, McuBoard, device_path
from devices.state import DeviceState
from firmware_bridge.errors import FeederJammed, McuUnavailable
from firmware_bridge.peers import PeerProcess, peer_command
from firmware_bridge.protocol import PROTOCOL_VERSION


@pytest.fixture
def board_sim() -> Iterator[PeerProcess]:
    with PeerProcess(peer_command("python", None)) as sim:
        yield sim


def _until(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)


def test_ready_board_drives_actuators_and_reports_events(board_sim: PeerProcess) -> None:
    events: list[BoardEvent] = []
    board = McuBoard(f"serial://{board_sim.path}", on_event=events.append)
    status = board.start()
    try:
        assert (status.kind, status.state) == ("mcu_board", DeviceState.READY)
        assert "cez-kiosk-board" in status.detail
        board.set_light(120)
        board.set_tower("yellow")
        board.unlock_door(10)
        board.feed()
        board_sim.wait_state(
            lambda s: (s["light"], s["tower"], s["door"], s["feeds"]) == (120, "yellow", "unlocked", 1)
        )
        board_sim.control("presence 1")
        _until(lambda: BoardEvent("presence", 1) in events)
        assert board.read_sensors()["presence"] is True
        board_sim.control("jam 1")
        _until(lambda: _jams(board))
    finally:
        board.stop()
    assert board.status().state == DeviceState.ABSENT


def _jams(board: McuBoard) -> bool:
    try:
        board.feed()
    except FeederJammed:
        return True
    return False


def test_board_that_goes_silent_is_degraded(board_sim: PeerProcess) -> None:
    board = McuBoard(board_sim.path)
    assert board.start().state == DeviceState.READY
    try:
        board_sim.close()
        _until(lambda: board.status().state == DeviceState.DEGRADED)
    finally:
        board.stop()


def test_missing_or_incompatible_board_is_reported_not_raised() -> None:
    absent = McuBoard("/dev/does-not-exist", connect_timeout=0.5).start()
    assert absent.state == DeviceState.ABSENT
    with PeerProcess(peer_command("python", None, version=PROTOCOL_VERSION + 1)) as newer:
        status = McuBoard(newer.path, connect_timeout=2).start()
    assert status.state == DeviceState.ERROR
    assert "incompatible" in status.detail
    with pytest.raises(McuUnavailable):
        McuBoard("/dev/does-not-exist").feed()


def test_only_serial_urls_are_accepted() -> None:
    assert device_path("serial:///dev/ttyACM0") == "/dev/ttyACM0"
    with pytest.raises(ValueError, match="serial device"):
        device_path("socket://127.0.0.1:9100")


def test_the_wire_log_records_the_boards_frames_both_ways(board_sim: PeerProcess) -> None:
    from devices import wire_log

    url = f"serial://{board_sim.path}"
    wire_log.enable(url)
    board = McuBoard(url)
    try:
        assert board.start().state == DeviceState.READY
        board.set_light(42)
        _until(lambda: {record.direction for record in wire_log.records(url)} == {"tx", "rx"})
    finally:
        board.stop()
        wire_log.disable(url)
    assert wire_log.records(url) == []  # switched off: nothing kept
