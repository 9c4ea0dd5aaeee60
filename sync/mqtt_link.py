"""The kiosk's MQTT connection: paho-mqtt 2.x, MQTT v5, QoS 1, a persistent session.

The link is only a way out, never a store: paho queues unacknowledged messages in memory, so it
publishes only while connected and raises `LinkDown` otherwise; the caller (the outbox pump) keeps
the message and sends it again later.

Threading: every callback (`on_connected`, `on_disconnected`, `on_puback`, `on_message`) runs on
paho's network thread. Callers must hand the work to their own thread (the pump does it with
`loop.call_soon_threadsafe`). A callback that raises is logged and does not stop the network thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTErrorCode
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

log = logging.getLogger(__name__)

QOS = 1
DEFAULT_SESSION_EXPIRY_S = 7 * 24 * 3600


def session_properties(expiry_s: int) -> Properties:
    """CONNECT properties that keep an MQTT v5 session (and its queued QoS 1 messages) for `expiry_s`."""
    properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
    properties.SessionExpiryInterval = expiry_s
    return properties


@dataclass(frozen=True)
class TlsSettings:
    """A kiosk's TLS identity: the fleet CA, and this kiosk's own certificate and key."""

    ca_file: Path
    cert_file: Path
    key_file: Path


MAX_INFLIGHT_LIMIT = 20_000
"""Well below paho's 16-bit message ids, so an id is never reused while its PUBACK is awaited."""


def publish_window(max_inflight: int) -> int:
    """How many QoS 1 publishes a client that leaves flow control to paho (paho's `max_inflight` on
    the wire, the rest in its memory queue) hands over before PUBACKs return; the benchmark's raw
    paho baseline uses it. `MqttLink` has no paho queue: its window is `max_inflight` itself."""
    return min(4 * max_inflight, MAX_INFLIGHT_LIMIT)


class LinkDown(ConnectionError):
    """The broker is not connected; nothing was handed over, the caller keeps the message."""


class MqttLink:
    """One MQTT v5 client with a persistent session and automatic reconnect.

    `clean_start=False` with a `SessionExpiryInterval` makes the broker keep our subscriptions (the
    ack topic) and the QoS 1 messages for them while we are away; without the interval an MQTT v5
    session ends with the connection. Subscriptions are also renewed on every connect, because a
    restarted broker without persistence has forgotten the session.
    """

    def __init__(
        self,
        host: str,
        port: int,
        client_id: str,
        *,
        on_connected: Callable[[], None],
        on_disconnected: Callable[[], None],
        on_puback: Callable[[str], None],
        on_message: Callable[[str, bytes], None],
        keepalive_s: int = 30,
        session_expiry_s: int = DEFAULT_SESSION_EXPIRY_S,
        reconnect_min_s: int = 1,
        reconnect_max_s: int = 30,
        will: tuple[str, bytes] | None = None,
        tls: TlsSettings | None = None,
        max_inflight: int = 100,
        on_response: Callable[[bytes, bytes], None] | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.client_id = client_id
        self._on_connected = on_connected
        self._on_disconnected = on_disconnected
        self._on_puback = on_puback
        self._on_message = on_message
        self._on_response = on_response
        self._keepalive_s = keepalive_s
        self._session_expiry_s = session_expiry_s
        self._lock = threading.Lock()
        self._subscriptions: list[str] = []
        # mid -> uuid of our publishes awaiting PUBACK, and PUBACKs that overtook the recording of
        # their mid (paho may read the PUBACK before publish() has returned the mid to us).
        self._awaiting: dict[int, str | None] = {}  # None: a state message, nobody waits for it
        self._early_pubacks: dict[int, bool] = {}  # mid -> accepted
        if not 1 <= max_inflight <= MAX_INFLIGHT_LIMIT:
            raise ValueError(f"max_inflight must be 1..{MAX_INFLIGHT_LIMIT}, got {max_inflight}")

        self._client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
        self._client.reconnect_delay_set(reconnect_min_s, reconnect_max_s)
        # The link itself keeps at most `max_inflight` QoS 1 publishes awaiting a PUBACK (`room`),
        # so paho's own bound is off (0): paho's scans every unacknowledged message on each PUBACK,
        # O(max_inflight) per message, which was most of the drain's network-thread time. With
        # nothing queued inside paho, its 16-bit message ids are never reused while still in use.
        self._client.max_inflight_messages_set(0)
        self.max_inflight = max_inflight
        self.window = max_inflight
        self._client.on_connect = self._handle_connect
        self._client.on_disconnect = self._handle_disconnect
        self._client.on_publish = self._handle_publish
        self._client.on_message = self._handle_message
        if will is not None:
            # Retained, so that whoever subscribes later learns the kiosk is gone.
            self._client.will_set(will[0], will[1], qos=QOS, retain=True)
        if tls is not None:
            self._client.tls_set(ca_certs=str(tls.ca_file), certfile=str(tls.cert_file), keyfile=str(tls.key_file))

    @property
    def connected(self) -> bool:
        return self._client.is_connected()

    @property
    def room(self) -> int:
        """How many more publishes fit in the window now (0: wait for `on_puback`)."""
        with self._lock:
            return max(self.window - len(self._awaiting), 0)

    def start(self) -> None:
        """Connect in the background; never fails when the broker is down (it keeps retrying)."""
        self._client.connect_async(
            self.host,
            self.port,
            self._keepalive_s,
            clean_start=False,
            properties=session_properties(self._session_expiry_s),
        )
        self._client.loop_start()

    def stop(self) -> None:
        """Disconnect (the broker keeps the session until it expires) and stop the network thread."""
        self._client.disconnect()
        self._client.loop_stop()

    def subscribe(self, topic: str) -> None:
        """Subscribe at QoS 1 now if connected, and again on every later connect."""
        with self._lock:
            if topic not in self._subscriptions:
                self._subscriptions.append(topic)
        if self.connected:
            self._client.subscribe(topic, qos=QOS)

    def publish(self, uuid: str, topic: str, payload: bytes) -> None:
        """Publish at QoS 1; the broker's PUBACK is reported later as `on_puback(uuid)`.

        Raises LinkDown when not connected, so that nothing waits in paho's memory-only queue.
        """
        if not self.connected:
            raise LinkDown(f"not connected to {self.host}:{self.port}")
        info = self._client.publish(topic, payload, qos=QOS)
        with self._lock:
            accepted = self._early_pubacks.pop(info.mid, None)
            if accepted is None:
                # Recorded even when paho kept it after a disconnect: paho resends it on reconnect.
                self._awaiting[info.mid] = uuid
        if accepted is not None:
            self._acked(uuid, accepted)
        if info.rc != MQTTErrorCode.MQTT_ERR_SUCCESS:
            raise LinkDown(f"publish failed: {mqtt.error_string(info.rc)}")

    def publish_state(self, topic: str, payload: bytes, retain: bool) -> None:
        """Publish state (presence, device state, heartbeats) at QoS 1 without outbox tracking.

        Raises LinkDown when not connected: state is published again on the next connect.
        """
        if not self.connected:
            raise LinkDown(f"not connected to {self.host}:{self.port}")
        info = self._client.publish(topic, payload, qos=QOS, retain=retain)
        with self._lock:
            if self._early_pubacks.pop(info.mid, None) is None:
                self._awaiting[info.mid] = None
        if info.rc != MQTTErrorCode.MQTT_ERR_SUCCESS:
            raise LinkDown(f"publish failed: {mqtt.error_string(info.rc)}")

    def _handle_connect(
        self,
        client: mqtt.Client,
        userdata: Any,
        flags: mqtt.ConnectFlags,
        reason_code: ReasonCode,
        properties: Properties | None,
    ) -> None:
        if reason_code.is_failure:
            log.warning("broker %s:%s refused connection: %s", self.host, self.port, reason_code)
            return
        log.info("connected to %s:%s (session present: %s)", self.host, self.port, flags.session_present)
        with self._lock:
            topics = list(self._subscriptions)
        for topic in topics:
            client.subscribe(topic, qos=QOS)
        self._report(self._on_connected)

    def _handle_disconnect(
        self,
        client: mqtt.Client,
        userdata: Any,
        flags: mqtt.DisconnectFlags,
        reason_code: ReasonCode,
        properties: Properties | None,
    ) -> None:
        log.info("disconnected from %s:%s: %s", self.host, self.port, reason_code)
        self._report(self._on_disconnected)

    def _handle_publish(
        self,
        client: mqtt.Client,
        userdata: Any,
        mid: int,
        reason_code: ReasonCode,
        properties: Properties,
    ) -> None:
        accepted = not reason_code.is_failure
        with self._lock:
            if mid not in self._awaiting:
                self._early_pubacks[mid] = accepted
                return
            uuid = self._awaiting.pop(mid)
        if uuid is not None:
            self._acked(uuid, accepted)

    def _acked(self, uuid: str, accepted: bool) -> None:
        if accepted:
            self._report(self._on_puback, uuid)
        else:
            # The broker refused the message; the outbox sends it again later.
            log.warning("broker refused message %s", uuid)

    def request(self, topic: str, payload: bytes, response_topic: str, correlation: bytes) -> None:
        """Publish a request with MQTT 5 ResponseTopic and CorrelationData; the answer comes to
        `on_response(correlation, payload)`. Raises LinkDown when not connected."""
        if not self.connected:
            raise LinkDown(f"not connected to {self.host}:{self.port}")
        properties = Properties(PacketTypes.PUBLISH)  # type: ignore[no-untyped-call]
        properties.ResponseTopic = response_topic
        properties.CorrelationData = correlation
        info = self._client.publish(topic, payload, qos=QOS, properties=properties)
        with self._lock:
            if self._early_pubacks.pop(info.mid, None) is None:
                self._awaiting[info.mid] = None
        if info.rc != MQTTErrorCode.MQTT_ERR_SUCCESS:
            raise LinkDown(f"publish failed: {mqtt.error_string(info.rc)}")

    def _handle_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        correlation = getattr(getattr(message, "properties", None), "CorrelationData", None)
        if correlation is not None and self._on_response is not None:
            self._report(self._on_response, bytes(correlation), bytes(message.payload))
            return
        self._report(self._on_message, message.topic, bytes(message.payload))

    @staticmethod
    def _report(callback: Callable[..., None], *args: Any) -> None:
        try:
            callback(*args)
        except Exception:
            log.exception("sync callback %s failed", getattr(callback, "__name__", callback))
