"""The reference central service against the test's broker."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sync.broker import MosquittoBroker
from sync.central import CentralService


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
