from __future__ import annotations

import queue
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from sync.broker import MosquittoBroker
from sync.central import CentralService
from sync.messages import Ack, encode, make_envelope, parse_acks
from sync.mqtt_link import MqttLink
from sync.topics import DEFAULT_PREFIX, ack_topic, declaration_topic
from tests.sync.harness import HOST, KIOSK_ID, wait_until

DECLARATIONS = declaration_topic(DEFAULT_PREFIX, KIOSK_ID)


class RawKiosk:
    """A bare link that publishes whatever the test says and collects central's acks."""

    def __init__(self, port: int) -> None:
        self.acks: queue.Queue[Ack] = queue.Queue()
        self.link = MqttLink(
            HOST,
            port,
            "raw-kiosk",
            on_connected=lambda: None,
            on_disconnected=lambda: None,
            on_puback=lambda uuid: None,
            on_message=self._collect,
        )
        self.link.subscribe(ack_topic(DEFAULT_PREFIX, KIOSK_ID))

    def _collect(self, topic: str, payload: bytes) -> None:
        for ack in parse_acks(payload):
            self.acks.put(ack)

    def publish(self, payload: bytes, topic: str = DECLARATIONS) -> None:
        self.link.publish("raw", topic, payload)

    def next_ack(self) -> Ack:
        return self.acks.get(timeout=10)


@pytest.fixture
def kiosk(mosquitto: MosquittoBroker, central: CentralService) -> Iterator[RawKiosk]:
    raw = RawKiosk(mosquitto.port)
    raw.link.start()
    wait_until(lambda: raw.link.connected, "the raw kiosk's connection")
    # The ack subscription is in flight until an ack comes back: probe with a throwaway record.
    probe = make_envelope("probe", KIOSK_ID, {})
    raw.publish(encode(probe))
    assert raw.next_ack().uuid == probe["uuid"]
    yield raw
    raw.link.stop()


def test_redeliveries_are_recorded_once_and_acked_each_time(central: CentralService, kiosk: RawKiosk) -> None:
    envelope = make_envelope("declaration_draft", KIOSK_ID, {"doc_type": "cmr"})
    for _ in range(3):
        kiosk.publish(encode(envelope))
    acks = [kiosk.next_ack() for _ in range(3)]
    assert {ack.uuid for ack in acks} == {envelope["uuid"]}
    numbers = {ack.registration_number for ack in acks}
    assert len(numbers) == 1
    assert re.fullmatch(r"GE-EX-\d{4}-\d{6}", numbers.pop())
    assert central.deliveries(envelope["uuid"]) == 3
    assert central.received_uuids().count(envelope["uuid"]) == 1
    assert central.delivery_log.count(envelope["uuid"]) == 3


def test_distinct_records_get_distinct_registration_numbers(kiosk: RawKiosk) -> None:
    first = make_envelope("declaration_draft", KIOSK_ID, {})
    second = make_envelope("declaration_draft", KIOSK_ID, {})
    kiosk.publish(encode(first))
    kiosk.publish(encode(second))
    assert kiosk.next_ack().registration_number != kiosk.next_ack().registration_number


def test_restarted_central_recognises_what_it_recorded(central: CentralService, kiosk: RawKiosk) -> None:
    envelope = make_envelope("declaration_draft", KIOSK_ID, {})
    kiosk.publish(encode(envelope))
    first = kiosk.next_ack()
    central.stop()
    central.start()
    assert central.wait_subscribed(10)
    kiosk.publish(encode(envelope))
    again = kiosk.next_ack()
    assert again == first
    assert central.deliveries(envelope["uuid"]) == 2
    assert central.received_uuids().count(envelope["uuid"]) == 1


@pytest.mark.contract_violations(2)  # the third (kiosk id != topic) keeps the schema, central refuses it
def test_malformed_payloads_are_counted_and_do_not_stop_central(
    central: CentralService, kiosk: RawKiosk
) -> None:
    recorded_before = len(central.received_uuids())
    kiosk.publish(b"\x00\x01 garbage")
    kiosk.publish(b'{"uuid": "u-1"}')
    kiosk.publish(encode(make_envelope("declaration_draft", "someone-else", {})))  # kiosk id != topic
    nan = encode(make_envelope("declaration_draft", KIOSK_ID, {"weight": 1})).replace(b'"weight":1', b'"weight":NaN')
    kiosk.publish(nan)  # Python's json would take it, SQLite's (and the contract's JSON) would not
    # A lone surrogate: valid JSON that SQLite cannot store. It must not cost the rest of its batch.
    surrogate = make_envelope("declaration_draft", KIOSK_ID, {})
    kiosk.publish(encode(surrogate).replace(surrogate["uuid"].encode(), b"\\ud800"))
    good = make_envelope("declaration_draft", KIOSK_ID, {})
    kiosk.publish(encode(good))
    assert kiosk.next_ack().uuid == good["uuid"]  # in order: the bad ones were handled before it
    assert central.malformed_count == 5
    assert len(central.received_uuids()) == recorded_before + 1


def test_wait_for_reports_unrecorded_uuid(central: CentralService) -> None:
    assert not central.wait_for("never-sent", 0.1)


def test_the_delivery_log_keeps_only_the_newest_deliveries(
    mosquitto: MosquittoBroker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A central serving for months must not grow without bound; the `received` table keeps every record."""
    monkeypatch.setattr("sync.central.DELIVERY_LOG_KEPT", 3)
    central = CentralService(mosquitto.host, mosquitto.port, tmp_path / "central.db")
    central.start()
    raw = RawKiosk(mosquitto.port)
    try:
        assert central.wait_subscribed(10)
        raw.link.start()
        wait_until(lambda: raw.link.connected, "the raw kiosk's connection")
        envelopes = [make_envelope("declaration_draft", KIOSK_ID, {"n": n}) for n in range(5)]
        for envelope in envelopes:
            raw.publish(encode(envelope))
            wait_until(lambda envelope=envelope: central.deliveries(envelope["uuid"]) == 1, "the delivery")
        assert list(central.delivery_log) == [envelope["uuid"] for envelope in envelopes[-3:]]
        assert sorted(central.received_uuids()) == sorted(envelope["uuid"] for envelope in envelopes)
    finally:
        raw.link.stop()
        central.stop()
