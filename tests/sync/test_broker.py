from __future__ import annotations

import socket

import pytest

from sync.broker import BrokerError, MosquittoBroker, find_mosquitto


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def test_started_broker_accepts_connections_until_stopped(mosquitto: MosquittoBroker) -> None:
    assert mosquitto.running
    assert _accepts(mosquitto.port)
    mosquitto.stop()
    assert not mosquitto.running
    assert not _accepts(mosquitto.port)


def test_killed_broker_restarts_on_the_same_port(mosquitto: MosquittoBroker) -> None:
    port = mosquitto.port
    mosquitto.kill()
    assert not _accepts(port)
    mosquitto.start()
    assert mosquitto.port == port
    assert _accepts(port)


def test_missing_binary_is_a_clear_error() -> None:
    broker = MosquittoBroker(binary="/nonexistent/mosquitto")
    with pytest.raises(BrokerError, match="mosquitto binary not found"):
        broker.start()
    assert not broker.running


def test_broker_that_exits_at_once_is_a_clear_error() -> None:
    binary = find_mosquitto()
    if binary is None:
        pytest.skip("no mosquitto binary")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))  # bound, not listening: mosquitto cannot bind and exits
        broker = MosquittoBroker(binary, port=taken.getsockname()[1])
        with pytest.raises(BrokerError, match="exited with code"):
            broker.start()
    assert not broker.running


def test_context_manager_stops_the_broker() -> None:
    binary = find_mosquitto()
    if binary is None:
        pytest.skip("no mosquitto binary")
    with MosquittoBroker(binary) as broker:
        port = broker.port
        assert _accepts(port)
    assert not _accepts(port)
