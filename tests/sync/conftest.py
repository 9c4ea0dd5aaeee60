"""The reference central service against the test's broker, and the contract check on all traffic."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sync.broker import MosquittoBroker
from sync.central import CentralService
from tests.fixtures.broker import ContractWatcher


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "contract_violations(n): the test sends exactly n messages that break docs/asyncapi.yaml on purpose",
    )
    config.addinivalue_line(
        "markers", "transport_topics(*topics): link-level test topics outside the contract, not checked"
    )


@pytest.fixture(autouse=True)
def contract_check(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every message on the test's `mosquitto` broker must keep docs/asyncapi.yaml."""
    if "mosquitto" not in request.fixturenames:
        yield
        return
    broker: MosquittoBroker = request.getfixturevalue("mosquitto")
    transport = request.node.get_closest_marker("transport_topics")
    watcher = ContractWatcher(broker.port, ignored_topics=set(transport.args) if transport else set())
    watcher.start()
    yield
    watcher.stop()
    marker = request.node.get_closest_marker("contract_violations")
    expected = marker.args[0] if marker is not None else 0
    assert len(watcher.violations) == expected, watcher.violations


@pytest.fixture
def central(mosquitto: MosquittoBroker, tmp_path: Path) -> Iterator[CentralService]:
    service = CentralService(
        mosquitto.host, mosquitto.port, tmp_path / "central.db", reconnect_min_s=1, reconnect_max_s=1
    )
    service.start()
    assert service.wait_subscribed(10), "central never subscribed"
    try:
        yield service
    finally:
        service.stop()
