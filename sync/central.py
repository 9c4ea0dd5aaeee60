"""The reference central service: what the RPA backend does with kiosk messages, minimally.

It subscribes to every kiosk's declaration topic, records each UUID once in its own SQLite
(idempotent: a redelivery only bumps a counter) and acknowledges every delivery on that kiosk's
ack topic with the same registration number, so a kiosk that lost an ack gets it again by
resending. Used by the demo and the tests; the real backend follows the same contract.

Threading: paho's network thread handles messages; the public queries may be called from any
thread (one lock guards the database connection).
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode
from sqlite_utils import Database

from sync.messages import MalformedMessage, encode, make_ack, parse_envelope
from sync.mqtt_link import DEFAULT_SESSION_EXPIRY_S, QOS, session_properties
from sync.topics import DEFAULT_PREFIX, ack_topic, all_declarations, kiosk_id_of

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS received (
    uuid TEXT PRIMARY KEY,
    kiosk_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    first_received_at TEXT NOT NULL,
    deliveries INTEGER NOT NULL DEFAULT 1,
    registration_number TEXT,
    body TEXT NOT NULL
);
"""


def registration_number(year: int, sequence: int) -> str:
    """The number central gives a recorded declaration, e.g. GE-EX-2025-000042."""
    return f"GE-EX-{year}-{sequence:06d}"


class CentralService:
    """Records kiosk messages once and acknowledges each delivery.

    `start()` connects in the background (the broker may come up later); `wait_subscribed()` tells
    when it is listening. The database is open between `start()` and `stop()`; it persists, so a
    restarted service still recognises the UUIDs it recorded.
    """

    def __init__(
        self,
        host: str,
        port: int,
        db_path: str | Path,
        *,
        prefix: str = DEFAULT_PREFIX,
        client_id: str = "cez-central",
        reconnect_min_s: int = 1,
        reconnect_max_s: int = 30,
    ) -> None:
        self.host = host
        self.port = port
        self.db_path = Path(db_path)
        self.prefix = prefix
        self.client_id = client_id
        self._reconnect = (reconnect_min_s, reconnect_max_s)
        self._lock = threading.Lock()
        self._delivered = threading.Condition(self._lock)
        self._subscribed = threading.Event()
        self._db: Database | None = None
        self._client: mqtt.Client | None = None
        self.delivery_log: list[str] = []
        """One uuid per delivery, in arrival order (tests read it)."""
        self.malformed_count = 0

    def start(self) -> None:
        conn = sqlite3.connect(self.db_path, check_same_thread=False)
        self._db = Database(conn)
        self._db.executescript(_SCHEMA)
        client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=self.client_id, protocol=mqtt.MQTTv5)
        client.reconnect_delay_set(*self._reconnect)
        client.on_connect = self._handle_connect
        client.on_subscribe = self._handle_subscribe
        client.on_disconnect = self._handle_disconnect
        client.on_message = self._handle_message
        client.connect_async(
            self.host,
            self.port,
            clean_start=False,
            properties=session_properties(DEFAULT_SESSION_EXPIRY_S),
        )
        client.loop_start()
        self._client = client

    def stop(self) -> None:
        if self._client is not None:
            self._client.disconnect()
            self._client.loop_stop()
            self._client = None
        self._subscribed.clear()
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    def wait_subscribed(self, timeout: float) -> bool:
        """True once the broker confirmed the subscription to all declaration topics."""
        return self._subscribed.wait(timeout)

    def deliveries(self, uuid: str) -> int:
        """How many times `uuid` arrived (0 if never)."""
        with self._lock:
            row = self._database().execute(
                "SELECT deliveries FROM received WHERE uuid = ?", [uuid]
            ).fetchone()
        return int(row[0]) if row is not None else 0

    def registration_of(self, uuid: str) -> str | None:
        with self._lock:
            row = self._database().execute(
                "SELECT registration_number FROM received WHERE uuid = ?", [uuid]
            ).fetchone()
        return str(row[0]) if row is not None else None

    def body(self, uuid: str) -> dict[str, Any] | None:
        """The recorded message body (e.g. the declaration draft), or None if never received."""
        with self._lock:
            row = self._database().execute("SELECT body FROM received WHERE uuid = ?", [uuid]).fetchone()
        return dict(json.loads(row[0])) if row is not None else None

    def received_uuids(self) -> list[str]:
        """Every recorded uuid once, in the order first received."""
        with self._lock:
            rows = self._database().execute("SELECT uuid FROM received ORDER BY rowid").fetchall()
        return [str(row[0]) for row in rows]

    def wait_for(self, uuid: str, timeout: float) -> bool:
        """True once `uuid` has been recorded (by this run or an earlier one)."""
        with self._delivered:
            return self._delivered.wait_for(lambda: self._recorded(uuid), timeout)

    def _database(self) -> Database:
        if self._db is None:
            raise RuntimeError("central service is not started")
        return self._db

    def _recorded(self, uuid: str) -> bool:
        db = self._database()
        return db.execute("SELECT 1 FROM received WHERE uuid = ?", [uuid]).fetchone() is not None

    def _handle_connect(
        self,
        client: mqtt.Client,
        userdata: Any,
        flags: mqtt.ConnectFlags,
        reason_code: ReasonCode,
        properties: Properties | None,
    ) -> None:
        if reason_code.is_failure:
            log.warning("broker refused central: %s", reason_code)
            return
        # Always (re)subscribe: a restarted broker without persistence forgot our session.
        client.subscribe(all_declarations(self.prefix), qos=QOS)

    def _handle_subscribe(
        self,
        client: mqtt.Client,
        userdata: Any,
        mid: int,
        reason_codes: list[ReasonCode],
        properties: Properties | None,
    ) -> None:
        if any(code.is_failure for code in reason_codes):
            log.warning("subscription refused: %s", reason_codes)
            return
        self._subscribed.set()

    def _handle_disconnect(
        self,
        client: mqtt.Client,
        userdata: Any,
        flags: mqtt.DisconnectFlags,
        reason_code: ReasonCode,
        properties: Properties | None,
    ) -> None:
        self._subscribed.clear()
        log.info("central disconnected: %s", reason_code)

    def _handle_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        try:
            self._receive(client, message.topic, bytes(message.payload))
        except Exception:
            # Nothing a kiosk sends may stop central; the kiosk resends what was not acknowledged.
            log.exception("central failed on a message on %s", message.topic)

    def _receive(self, client: mqtt.Client, topic: str, payload: bytes) -> None:
        kiosk_id = kiosk_id_of(self.prefix, topic, "declaration")
        try:
            if kiosk_id is None:
                raise MalformedMessage("unexpected topic")
            envelope = parse_envelope(payload)
            if envelope["kiosk_id"] != kiosk_id:
                raise MalformedMessage("envelope kiosk_id does not match the topic")
        except MalformedMessage as exc:
            with self._lock:
                self.malformed_count += 1
            log.warning("central ignored a malformed message on %s (%d bytes): %s", topic, len(payload), exc)
            return
        uuid = envelope["uuid"]
        with self._delivered:
            number = self._record(uuid, kiosk_id, envelope["kind"], envelope["body"])
            self.delivery_log.append(uuid)
            self._delivered.notify_all()
        client.publish(ack_topic(self.prefix, kiosk_id), encode(make_ack(uuid, number)), qos=QOS)
        log.info("central recorded %s from kiosk %s as %s", uuid, kiosk_id, number)

    def _record(self, uuid: str, kiosk_id: str, kind: str, body: dict[str, Any]) -> str:
        """Insert or count the delivery; the registration number of the first delivery. Lock held.

        The first delivery's body is what central keeps: a UUID names one immutable record.
        """
        db = self._database()
        now = datetime.now(UTC)
        with db.atomic():
            db.execute(
                "INSERT INTO received (uuid, kiosk_id, kind, first_received_at, body) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (uuid) DO UPDATE SET deliveries = deliveries + 1",
                [uuid, kiosk_id, kind, now.isoformat(), json.dumps(body, ensure_ascii=False)],
            )
            row = db.execute(
                "SELECT rowid, registration_number FROM received WHERE uuid = ?", [uuid]
            ).fetchone()
            if row[1] is not None:
                return str(row[1])
            number = registration_number(now.year, int(row[0]))
            db.execute("UPDATE received SET registration_number = ? WHERE uuid = ?", [number, uuid])
        return number
