"""sd_notify against a real datagram socket, as systemd listens for Type=notify services."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from kiosk.core.systemd_notify import notify, watchdog_interval_s


def test_notify_sends_to_the_socket_systemd_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "notify.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as listener:
        listener.bind(str(path))
        monkeypatch.setenv("NOTIFY_SOCKET", str(path))
        assert notify("READY=1") is True
        assert listener.recv(64) == b"READY=1"


def test_without_systemd_notify_does_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    assert notify("READY=1") is False


def test_watchdog_pings_twice_per_period(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WATCHDOG_USEC", "30000000")
    assert watchdog_interval_s() == 15.0
    monkeypatch.setenv("WATCHDOG_USEC", "garbage")
    assert watchdog_interval_s() is None


def test_a_vanished_systemd_is_not_fatal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "gone.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as listener:
        listener.bind(str(path))
    monkeypatch.setenv("NOTIFY_SOCKET", str(path))  # the file is there, nobody listens
    assert notify("STOPPING=1") is False
