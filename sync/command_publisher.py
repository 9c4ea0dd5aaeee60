"""Central's way of sending signed commands (config, model activation, reference data) to kiosks.

A short-lived MQTT client, separate from the workers: a worker's shared subscriptions would take a
share of the kiosks' messages away from the running central. Each command is signed for one kiosk
(its id is inside the signature, so a command cannot be redirected) and published at QoS 1 on that
kiosk's `command` topic; `send` returns once the broker has acknowledged every one.

Not retained: a kiosk that is offline gets it from its persistent session when it reconnects, but
only within the freshness window (`sync.commands.DEFAULT_MAX_AGE`); after that the kiosk refuses it
as stale and central must send it again (the fleet table shows which kiosks are online).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.reasoncodes import ReasonCode

from sync.commands import CommandSigner, check_body
from sync.messages import encode
from sync.mqtt_link import QOS, TlsSettings
from sync.topics import COMMAND, DEFAULT_PREFIX, KIOSK_ID, kiosk_topic


class PublishFailed(ConnectionError):
    """The broker was not reached, or did not acknowledge every command in time."""


@dataclass(frozen=True)
class SentCommand:
    kiosk_id: str
    id: str
    type: str
    topic: str


class CommandPublisher:
    """Signs and publishes commands; `send` blocks until the broker's PUBACKs (or raises)."""

    def __init__(
        self,
        host: str,
        port: int,
        signer: CommandSigner,
        *,
        prefix: str = DEFAULT_PREFIX,
        client_id: str = "cez-central-commands",
        tls: TlsSettings | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self._signer = signer
        self._prefix = prefix
        self._client_id = client_id
        self._tls = tls

    def send(
        self, kiosk_ids: list[str], command_type: str, body: dict[str, Any], timeout_s: float
    ) -> list[SentCommand]:
        """Sign `body` as `command_type` for each kiosk and publish it; ValueError before anything is
        sent when the body has the wrong shape, PublishFailed when the broker does not confirm."""
        check_body(command_type, body)
        if not kiosk_ids:
            raise ValueError("no kiosk to send to")
        for kiosk_id in kiosk_ids:
            if not KIOSK_ID.match(kiosk_id):
                raise ValueError(f"{kiosk_id!r} is not a kiosk id (letters, digits, '-', '_')")
        commands = [(kiosk_id, self._signer.sign(kiosk_id, command_type, body)) for kiosk_id in kiosk_ids]
        connected = threading.Event()
        acked = threading.Condition()
        answers: dict[int, bool] = {}  # mid -> accepted; a PUBACK may come before publish() returns

        def on_connect(client: mqtt.Client, userdata: Any, flags: Any, reason: ReasonCode, properties: Any) -> None:
            if not reason.is_failure:
                connected.set()

        def on_publish(client: mqtt.Client, userdata: Any, mid: int, reason: ReasonCode, properties: Any) -> None:
            with acked:
                answers[mid] = not reason.is_failure
                acked.notify_all()

        client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=self._client_id, protocol=mqtt.MQTTv5)
        client.on_connect = on_connect
        client.on_publish = on_publish
        if self._tls is not None:
            client.tls_set(
                ca_certs=str(self._tls.ca_file), certfile=str(self._tls.cert_file), keyfile=str(self._tls.key_file)
            )
        client.connect_async(self.host, self.port)
        client.loop_start()
        try:
            if not connected.wait(timeout_s):
                raise PublishFailed(f"broker {self.host}:{self.port} not reachable within {timeout_s:g} s")
            sent, mids = [], []
            for kiosk_id, command in commands:
                topic = kiosk_topic(self._prefix, kiosk_id, COMMAND)
                mids.append(client.publish(topic, encode(command), qos=QOS).mid)
                sent.append(SentCommand(kiosk_id, command["id"], command_type, topic))
            with acked:
                if not acked.wait_for(lambda: all(mid in answers for mid in mids), timeout_s):
                    missing = sum(mid not in answers for mid in mids)
                    raise PublishFailed(f"broker did not acknowledge {missing} command(s) in {timeout_s:g} s")
                refused = sum(not answers[mid] for mid in mids)
            if refused:
                raise PublishFailed(f"broker refused {refused} command(s) (not authorised?)")
            return sent
        finally:
            client.disconnect()
            client.loop_stop()
