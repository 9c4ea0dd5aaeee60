from __future__ import annotations

import queue
import threading
from collections.abc import Iterator

import pytest

from sync.broker import MosquittoBroker
from sync.mqtt_link import LinkDown, MqttLink
from tests.sync.harness import HOST, wait_until


class Recorder:
    """Collects a link's callbacks, which arrive on paho's network thread."""

    def __init__(self) -> None:
        self.connected = threading.Event()
        self.pubacks: queue.Queue[str] = queue.Queue()
        self.messages: queue.Queue[tuple[str, bytes]] = queue.Queue()
        self.connects = 0

    def on_connected(self) -> None:
        self.connects += 1
        self.connected.set()

    def on_disconnected(self) -> None:
        self.connected.clear()


def make_link(port: int, recorder: Recorder, client_id: str) -> MqttLink:
    return MqttLink(
        HOST,
        port,
        client_id,
        on_connected=recorder.on_connected,
        on_disconnected=recorder.on_disconnected,
        on_puback=recorder.pubacks.put,
        on_message=lambda topic, payload: recorder.messages.put((topic, payload)),
        reconnect_min_s=1,
        reconnect_max_s=1,
    )


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def link(mosquitto: MosquittoBroker, recorder: Recorder) -> Iterator[MqttLink]:
    link = make_link(mosquitto.port, recorder, "link-under-test")
    link.subscribe("t/in")
    link.start()
    assert recorder.connected.wait(10)
    yield link
    link.stop()


def test_start_with_broker_down_does_not_fail_and_publish_raises() -> None:
    broker = MosquittoBroker()  # never started: nothing listens on its port
    recorder = Recorder()
    link = make_link(broker.port, recorder, "lonely")
    link.start()
    try:
        assert not link.connected
        with pytest.raises(LinkDown):
            link.publish("u-1", "t/out", b"{}")
    finally:
        link.stop()
    assert recorder.connects == 0


@pytest.mark.transport_topics("t/out")
def test_puback_is_reported_with_our_uuid(link: MqttLink, recorder: Recorder) -> None:
    for n in range(30):
        link.publish(f"u-{n}", "t/out", b"{}")
    reported = {recorder.pubacks.get(timeout=10) for _ in range(30)}
    assert reported == {f"u-{n}" for n in range(30)}


@pytest.mark.transport_topics("t/in")
def test_subscription_is_renewed_after_broker_restart(
    mosquitto: MosquittoBroker, link: MqttLink, recorder: Recorder
) -> None:
    mosquitto.kill()
    wait_until(lambda: not link.connected, "the link to notice the broker is gone")
    mosquitto.start()
    wait_until(lambda: recorder.connects >= 2, "the link to reconnect")

    sender_recorder = Recorder()
    sender = make_link(mosquitto.port, sender_recorder, "sender")
    sender.start()
    try:
        assert sender_recorder.connected.wait(10)
        # The renewed subscription may still be in flight: send until the message comes through.
        wait_until(
            lambda: _send_and_receive(sender, recorder),
            "a message on the subscribed topic after the broker restart",
        )
    finally:
        sender.stop()


def _send_and_receive(sender: MqttLink, recorder: Recorder) -> bool:
    sender.publish("u-x", "t/in", b"hello")
    try:
        topic, payload = recorder.messages.get(timeout=0.5)
    except queue.Empty:
        return False
    return (topic, payload) == ("t/in", b"hello")


@pytest.mark.parametrize("max_inflight", [0, -1, 20_001])
def test_max_inflight_outside_the_links_window_is_refused(max_inflight: int) -> None:
    with pytest.raises(ValueError, match=r"max_inflight must be 1\.\.20000"):
        make_link_with_inflight(max_inflight)


def test_the_links_window_is_max_inflight() -> None:
    link = make_link_with_inflight(7)
    assert (link.window, link.room) == (7, 7)  # nothing awaits a PUBACK yet


def make_link_with_inflight(max_inflight: int) -> MqttLink:
    recorder = Recorder()
    return MqttLink(HOST, 1, "never-started", on_connected=recorder.on_connected,
                    on_disconnected=recorder.on_disconnected, on_puback=recorder.pubacks.put,
                    on_message=lambda topic, payload: None, max_inflight=max_inflight)
