"""TLS with a client certificate per kiosk, and an ACL that keeps each kiosk to its own topics."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from sync.broker import BrokerTls, MosquittoBroker, find_mosquitto
from sync.central import CentralService
from sync.messages import encode, make_envelope
from sync.mqtt_link import MqttLink
from sync.outbox import CENTRAL_ACKED
from sync.topics import DEFAULT_PREFIX, declaration_topic
from tests.sync.harness import HOST, KIOSK_ID, KioskSide, eventually, wait_until
from tests.sync.pki import TestPki

ACL = f"""user central
topic readwrite {DEFAULT_PREFIX}/#

pattern readwrite {DEFAULT_PREFIX}/kiosk/%u/#
"""


@pytest.fixture
def pki(tmp_path: Path) -> TestPki:
    folder = tmp_path / "pki"
    folder.mkdir()
    return TestPki(folder)


@pytest.fixture
def tls_broker(pki: TestPki) -> Iterator[MosquittoBroker]:
    if find_mosquitto() is None:
        pytest.skip("no mosquitto binary")
    server = pki.server
    broker = MosquittoBroker(tls=BrokerTls(server.ca_file, server.cert_file, server.key_file, ACL))
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()


def test_kiosk_with_its_certificate_delivers_and_cannot_touch_another_kiosk(
    tls_broker: MosquittoBroker, pki: TestPki, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="sync.mqtt_link")
    central = CentralService(HOST, tls_broker.port, tmp_path / "central.db", tls=pki.identity("central"),
                             reconnect_min_s=1, reconnect_max_s=1)
    central.start()
    try:
        assert central.wait_subscribed(10)

        async def scenario() -> str:
            async with KioskSide(tmp_path / "kiosk.db", tls_broker.port, tls=pki.identity(KIOSK_ID)) as kiosk:
                uuid = kiosk.enqueue()
                await eventually(lambda: kiosk.state(uuid) == CENTRAL_ACKED, "central's ack over TLS")
                intruder = make_envelope("declaration_draft", "k2", {})
                kiosk.link.publish(intruder["uuid"], declaration_topic(DEFAULT_PREFIX, "k2"), encode(intruder))
                await eventually(lambda: any("refused" in r.getMessage() for r in caplog.records), "the refusal")
                return str(intruder["uuid"])

        intruder_uuid = asyncio.run(scenario())
        assert not central.wait_for(intruder_uuid, 0.5)
        assert len(central.received_uuids()) == 1
    finally:
        central.stop()


def test_client_without_a_certificate_cannot_connect(tls_broker: MosquittoBroker, pki: TestPki) -> None:
    link = MqttLink(HOST, tls_broker.port, "no-cert", on_connected=lambda: None, on_disconnected=lambda: None,
                    on_puback=lambda uuid: None, on_message=lambda topic, payload: None)
    link.start()
    try:
        with pytest.raises(AssertionError):
            wait_until(lambda: link.connected, "a connection that must not happen", timeout_s=1.5)
    finally:
        link.stop()
