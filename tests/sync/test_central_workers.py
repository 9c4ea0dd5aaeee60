"""Central as a group of workers on MQTT 5 shared subscriptions, and its fleet table."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from sync.broker import MosquittoBroker
from sync.central import CentralService
from sync.messages import encode
from sync.mqtt_link import MqttLink
from sync.outbox import CENTRAL_ACKED
from sync.presence import OFFLINE, ONLINE, birth_message, death_message
from sync.topics import DEFAULT_PREFIX, heartbeat_topic, presence_topic
from tests.sync.harness import HOST, KioskSide, eventually, wait_until

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def workers(mosquitto: MosquittoBroker, tmp_path: Path) -> Iterator[list[CentralService]]:
    group = [
        CentralService(mosquitto.host, mosquitto.port, tmp_path / "central.db", client_id=f"central-{n}",
                       reconnect_min_s=1, reconnect_max_s=1)
        for n in range(3)
    ]
    for worker in group:
        worker.start()
    assert all(worker.wait_subscribed(10) for worker in group)
    try:
        yield group
    finally:
        for worker in group:
            worker.stop()


def test_three_workers_record_each_uuid_once_and_ack_all(
    mosquitto: MosquittoBroker, workers: list[CentralService], tmp_path: Path
) -> None:
    async def scenario() -> list[str]:
        async with KioskSide(tmp_path / "kiosk.db", mosquitto.port, resend_after_s=2) as kiosk:
            uuids = [kiosk.enqueue() for _ in range(600)]
            await eventually(lambda: kiosk.outbox.queued_count() == 0, "every message acknowledged", 60)
            assert all(kiosk.state(u) == CENTRAL_ACKED for u in uuids)
            return uuids

    uuids = asyncio.run(scenario())
    central = workers[0]
    assert sorted(central.received_uuids()) == sorted(uuids)
    per_worker = [len(worker.delivery_log) for worker in workers]
    assert sum(1 for count in per_worker if count > 0) >= 2, per_worker  # the broker spread them
    assert sum(per_worker) >= len(uuids)


def test_fleet_table_follows_birth_devices_heartbeat_and_death(
    mosquitto: MosquittoBroker, workers: list[CentralService]
) -> None:
    central = workers[0]
    kiosk = subprocess.Popen(
        [sys.executable, "-m", "tests.sync.presence_kiosk", str(mosquitto.port), "k7", "41"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    try:
        assert kiosk.stdout is not None and kiosk.stdout.readline().strip() == "ready"
        wait_until(lambda: "k7" in central.fleet() and central.fleet()["k7"].heartbeats == 1, "birth + heartbeat")
        view = central.fleet()["k7"]
        assert (view.state, view.bd_seq, view.counters) == (ONLINE, 41, {"outbox_queued": 3})
        wait_until(lambda: central.fleet()["k7"].devices == {"scanner": "ready"}, "the device birth")
    finally:
        kiosk.kill()
        kiosk.wait()
    wait_until(lambda: central.fleet()["k7"].state == OFFLINE, "the last will")


def test_stale_death_after_a_new_birth_is_ignored(
    mosquitto: MosquittoBroker, workers: list[CentralService]
) -> None:
    central = workers[0]
    link = MqttLink(HOST, mosquitto.port, "k8", on_connected=lambda: None, on_disconnected=lambda: None,
                    on_puback=lambda uuid: None, on_message=lambda topic, payload: None)
    link.start()
    try:
        wait_until(lambda: link.connected, "the link")
        topic = presence_topic(DEFAULT_PREFIX, "k8")
        link.publish_state(topic, encode(birth_message("k8", 2, "test")), True)
        link.publish_state(topic, encode(death_message("k8", 1)), True)  # an old session's will
        link.publish_state(heartbeat_topic(DEFAULT_PREFIX, "k8"), encode({"kiosk_id": "k8", "counters": {}}), False)
        wait_until(lambda: "k8" in central.fleet() and central.fleet()["k8"].heartbeats == 1, "the heartbeat")
        assert central.fleet()["k8"].state == ONLINE
        link.publish_state(topic, encode(death_message("k8", 2)), True)
        wait_until(lambda: central.fleet()["k8"].state == OFFLINE, "the current session's death")
    finally:
        link.stop()
