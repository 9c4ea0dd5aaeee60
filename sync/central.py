"""The reference central service: what the RPA backend does with kiosk messages, minimally.

Workers consume through MQTT 5 shared subscriptions (`$share/cez-central/...`): the broker hands
each kiosk message to ONE worker of the group, so workers scale out (on a clustered broker, across
nodes). All workers share one SQLite database (WAL), where a UUID's primary key makes recording
idempotent whichever worker gets a redelivery: a repeat only bumps a counter, and every delivery
is acknowledged with the same registration number, so a kiosk that lost an ack gets it again.

Group commit: the network thread only queues messages; a writer thread records everything queued
in one transaction (synchronous=FULL: nothing is acknowledged before it is on disk), then sends
one batched acknowledgement per kiosk. That keeps central off the drain's critical path.

Presence (births, deaths, device state) is subscribed to without sharing: it is retained state a
new worker must see at once, and its upserts are idempotent. Heartbeats are shared.

Threading: paho's network thread queues; the writer thread owns the write connection; the public
queries may be called from any thread (they open their own short read connection).
"""

from __future__ import annotations

import json
import logging
import queue
import sqlite3
import threading
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

from sync.messages import MalformedMessage, encode, make_batch_ack, parse_envelope
from sync.mqtt_link import DEFAULT_SESSION_EXPIRY_S, QOS, TlsSettings, session_properties
from sync.presence import BIRTH, DEATH, OFFLINE, ONLINE
from sync.topics import (
    COMMAND,
    DECLARATION,
    DEFAULT_PREFIX,
    DEVICE,
    HEARTBEAT,
    PRESENCE,
    REQUEST,
    RESPONSE,
    SHARE_GROUP,
    TELEMETRY,
    ack_topic,
    all_of,
    kiosk_topic,
    shared,
    split_kiosk_topic,
)

log = logging.getLogger(__name__)

ACKS_PER_MESSAGE = 500
BATCH_MAX = 2000
DELIVERY_LOG_KEPT = 100_000
"""A long-running `central serve` keeps this many recent deliveries in memory, not all of them."""

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
CREATE TABLE IF NOT EXISTS fleet (
    kiosk_id TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    bd_seq INTEGER NOT NULL,
    version TEXT,
    born_at TEXT,
    died_at TEXT,
    last_heartbeat_at TEXT,
    heartbeats INTEGER NOT NULL DEFAULT 0,
    counters TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS fleet_devices (
    kiosk_id TEXT NOT NULL,
    device TEXT NOT NULL,
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    detail TEXT NOT NULL,
    seq INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (kiosk_id, device)
);
"""


def registration_number(year: int, sequence: int) -> str:
    """The number central gives a recorded declaration, e.g. GE-EX-2025-000042."""
    return f"GE-EX-{year}-{sequence:06d}"


def connect_database(path: Path) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), WAL, shared by workers."""
    conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.executescript(_SCHEMA)
    return conn


@dataclass(frozen=True)
class KioskView:
    """One row of central's fleet table."""

    kiosk_id: str
    state: str
    bd_seq: int
    version: str | None
    last_heartbeat_at: str | None
    heartbeats: int
    counters: dict[str, int]
    devices: dict[str, str]


class CentralService:
    """One central worker: records kiosk messages once and acknowledges each delivery.

    `start()` connects in the background (the broker may come up later); `wait_subscribed()` tells
    when it is listening. Several workers with the same `db_path` and `share_group` form one
    central; `share_group=None` subscribes without sharing (one worker sees everything).
    """

    def __init__(
        self,
        host: str,
        port: int,
        db_path: str | Path,
        *,
        prefix: str = DEFAULT_PREFIX,
        client_id: str = "cez-central",
        share_group: str | None = SHARE_GROUP,
        reconnect_min_s: int = 1,
        reconnect_max_s: int = 30,
        tls: TlsSettings | None = None,
        lookups: dict[str, Callable[[dict[str, Any]], dict[str, Any] | None]] | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.db_path = Path(db_path)
        self.prefix = prefix
        self.client_id = client_id
        self.share_group = share_group
        self._reconnect = (reconnect_min_s, reconnect_max_s)
        self._tls = tls
        self._lookups = dict(lookups or {})
        """Request/response lookups by name, e.g. "certificate": query -> result or None (not found)."""
        self._lock = threading.Lock()
        self._delivered = threading.Condition(self._lock)
        self._subscribed = threading.Event()
        self._inbox: queue.Queue[tuple[str, bytes] | None] = queue.Queue()
        self._writer: threading.Thread | None = None
        self._db: sqlite3.Connection | None = None
        self._client: mqtt.Client | None = None
        self.delivery_log: deque[str] = deque(maxlen=DELIVERY_LOG_KEPT)
        """One uuid per delivery to this worker, in arrival order, the newest `DELIVERY_LOG_KEPT` (tests read
        it; the `received` table counts every delivery)."""
        self.malformed_count = 0

    def start(self) -> None:
        self._db = connect_database(self.db_path)
        self._inbox = queue.Queue()
        self._writer = threading.Thread(target=self._write_loop, name=f"{self.client_id}-writer", daemon=True)
        self._writer.start()
        client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=self.client_id, protocol=mqtt.MQTTv5)
        client.max_inflight_messages_set(1000)
        client.max_queued_messages_set(0)
        client.reconnect_delay_set(*self._reconnect)
        if self._tls is not None:
            client.tls_set(
                ca_certs=str(self._tls.ca_file), certfile=str(self._tls.cert_file), keyfile=str(self._tls.key_file)
            )
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
        """Disconnect, record and acknowledge what is already queued, close the database."""
        if self._client is not None:
            self._client.disconnect()
            self._client.loop_stop()
        self._subscribed.clear()
        if self._writer is not None:
            self._inbox.put(None)
            self._writer.join()
            self._writer = None
        self._client = None
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    def wait_subscribed(self, timeout: float) -> bool:
        """True once the broker confirmed every subscription."""
        return self._subscribed.wait(timeout)

    def publish_command(self, kiosk_id: str, command: dict[str, Any]) -> None:
        """Send a signed command (`sync.commands.CommandSigner.sign`) to one kiosk, QoS 1."""
        if self._client is None:
            raise RuntimeError("central service is not started")
        self._client.publish(kiosk_topic(self.prefix, kiosk_id, COMMAND), encode(command), qos=QOS)

    # -- queries (any thread) ----------------------------------------------------------------

    def _query(self, sql: str, params: list[Any] | None = None) -> list[Any]:
        conn = sqlite3.connect(self.db_path, timeout=30)
        try:
            return conn.execute(sql, params or []).fetchall()
        finally:
            conn.close()

    def deliveries(self, uuid: str) -> int:
        """How many times `uuid` arrived at any worker (0 if never)."""
        rows = self._query("SELECT deliveries FROM received WHERE uuid = ?", [uuid])
        return int(rows[0][0]) if rows else 0

    def registration_of(self, uuid: str) -> str | None:
        rows = self._query("SELECT registration_number FROM received WHERE uuid = ?", [uuid])
        return str(rows[0][0]) if rows else None

    def body(self, uuid: str) -> dict[str, Any] | None:
        """The recorded message body (e.g. the declaration draft), or None if never received."""
        rows = self._query("SELECT body FROM received WHERE uuid = ?", [uuid])
        return dict(json.loads(rows[0][0])) if rows else None

    def received_uuids(self) -> list[str]:
        """Every recorded uuid once, in the order first received."""
        return [str(row[0]) for row in self._query("SELECT uuid FROM received ORDER BY rowid")]

    def recorded_count(self) -> int:
        return int(self._query("SELECT count(*) FROM received")[0][0])

    def fleet(self) -> dict[str, KioskView]:
        """Central's view of every kiosk it heard of: presence, heartbeat counters, devices."""
        devices: dict[str, dict[str, str]] = defaultdict(dict)
        for kiosk_id, device, state in self._query("SELECT kiosk_id, device, state FROM fleet_devices"):
            devices[kiosk_id][device] = state
        return {
            row[0]: KioskView(
                row[0], row[1], int(row[2]), row[3], row[4], int(row[5]), json.loads(row[6]), devices[row[0]]
            )
            for row in self._query(
                "SELECT kiosk_id, state, bd_seq, version, last_heartbeat_at, heartbeats, counters FROM fleet"
            )
        }

    def wait_for(self, uuid: str, timeout: float) -> bool:
        """True once `uuid` has been recorded (by this run, another worker or an earlier run)."""
        with self._delivered:
            return self._delivered.wait_for(lambda: self.deliveries(uuid) > 0, timeout)

    # -- network thread ------------------------------------------------------------------------

    def _subscriptions(self) -> list[str]:
        def maybe_shared(topic_filter: str) -> str:
            return shared(topic_filter, self.share_group) if self.share_group else topic_filter

        return [
            maybe_shared(all_of(self.prefix, DECLARATION)),
            maybe_shared(all_of(self.prefix, TELEMETRY)),
            maybe_shared(all_of(self.prefix, HEARTBEAT)),
            maybe_shared(all_of(self.prefix, REQUEST)),
            all_of(self.prefix, PRESENCE),
            f"{self.prefix}/kiosk/+/{DEVICE}/+",
        ]

    def _handle_connect(
        self,
        client: mqtt.Client,
        userdata: Any,
        flags: mqtt.ConnectFlags,
        reason_code: ReasonCode,
        properties: Properties | None,
    ) -> None:
        if reason_code.is_failure:
            log.warning("broker refused central %s: %s", self.client_id, reason_code)
            return
        # Always (re)subscribe: a restarted broker without persistence forgot our session.
        topics = self._subscriptions()
        client.subscribe([(topic, QOS) for topic in topics])

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
        log.info("central %s disconnected: %s", self.client_id, reason_code)

    def _handle_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        properties = getattr(message, "properties", None)
        response_topic = getattr(properties, "ResponseTopic", None)
        if response_topic is not None:
            correlation = bytes(getattr(properties, "CorrelationData", b""))
            self._answer(client, message.topic, bytes(message.payload), response_topic, correlation)
            return
        self._inbox.put((message.topic, bytes(message.payload)))

    def _answer(self, client: mqtt.Client, topic: str, payload: bytes, response_topic: str, correlation: bytes) -> None:
        """Answer a lookup on its MQTT 5 response topic with the request's correlation data."""
        parts = split_kiosk_topic(self.prefix, topic)
        if parts is None or parts[1] != REQUEST or response_topic != kiosk_topic(self.prefix, parts[0], RESPONSE):
            log.warning("central ignored a request on %s with response topic outside the kiosk's own", topic)
            return
        try:
            request = json.loads(payload)
            handler = self._lookups.get(str(request.get("lookup"))) if isinstance(request, dict) else None
            if handler is None:
                answer: dict[str, Any] = {"status": "unknown_lookup"}
            else:
                result = handler(request.get("query") if isinstance(request.get("query"), dict) else {})
                answer = {"status": "found", "result": result} if result is not None else {"status": "not_found"}
        except Exception:
            log.exception("lookup failed on %s", topic)
            answer = {"status": "error"}
        properties = Properties(PacketTypes.PUBLISH)  # type: ignore[no-untyped-call]
        properties.CorrelationData = correlation
        client.publish(response_topic, encode(answer), qos=QOS, properties=properties)

    # -- writer thread -------------------------------------------------------------------------

    def _write_loop(self) -> None:
        running = True
        while running:
            batch: list[tuple[str, bytes]] = []
            item = self._inbox.get()
            while True:
                if item is None:
                    running = False
                    break
                batch.append(item)
                if len(batch) >= BATCH_MAX:
                    break
                try:
                    item = self._inbox.get_nowait()
                except queue.Empty:
                    break
            if batch:
                try:
                    self._process(batch)
                except Exception:
                    # Nothing a kiosk sends may stop central; unacknowledged messages come again.
                    log.exception("central %s failed on a batch of %d", self.client_id, len(batch))

    def _process(self, batch: list[tuple[str, bytes]]) -> None:
        records: list[tuple[str, dict[str, Any], bytes]] = []
        presence: list[tuple[str, str, dict[str, Any]]] = []
        for topic, payload in batch:
            parts = split_kiosk_topic(self.prefix, topic)
            try:
                if parts is None:
                    raise MalformedMessage("unexpected topic")
                kiosk_id, leaf = parts
                if leaf in (DECLARATION, TELEMETRY):
                    envelope = parse_envelope(payload)
                    if envelope["kiosk_id"] != kiosk_id:
                        raise MalformedMessage("envelope kiosk_id does not match the topic")
                    records.append((kiosk_id, envelope, payload))
                elif leaf in (PRESENCE, HEARTBEAT) or leaf.startswith(f"{DEVICE}/"):
                    if not payload:
                        continue  # a cleared retained message
                    doc = json.loads(payload)
                    if not isinstance(doc, dict) or doc.get("kiosk_id") != kiosk_id:
                        raise MalformedMessage("presence kiosk_id does not match the topic")
                    presence.append((kiosk_id, leaf, doc))
                else:
                    raise MalformedMessage("unexpected topic")
            except (MalformedMessage, ValueError) as exc:
                with self._lock:
                    self.malformed_count += 1
                log.warning("central ignored a malformed message on %s (%d bytes): %s", topic, len(payload), exc)
        numbers = self._record(records, presence)
        acks: dict[str, list[tuple[str, str]]] = defaultdict(list)
        recorded = [(kiosk_id, envelope["uuid"], number)
                    for (kiosk_id, envelope, _), number in zip(records, numbers, strict=True) if number is not None]
        for kiosk_id, uuid, number in recorded:
            acks[kiosk_id].append((uuid, number))
        with self._delivered:
            self.delivery_log.extend(uuid for _, uuid, _ in recorded)
            self._delivered.notify_all()
        client = self._client
        if client is None:
            return
        for kiosk_id, pairs in acks.items():
            for start in range(0, len(pairs), ACKS_PER_MESSAGE):
                chunk = pairs[start : start + ACKS_PER_MESSAGE]
                client.publish(ack_topic(self.prefix, kiosk_id), encode(make_batch_ack(chunk)), qos=QOS)
        if records:
            log.debug("central %s recorded a batch of %d", self.client_id, len(records))

    def _record(
        self, records: list[tuple[str, dict[str, Any], bytes]], presence: list[tuple[str, str, dict[str, Any]]]
    ) -> list[str | None]:
        """Record a batch in one transaction; the registration number of each record (None: not recorded).

        A UUID's first delivery's body is what central keeps: a UUID names one immutable record.
        One statement per record: the writer holds the database (BEGIN IMMEDIATE), so it can give a
        new record the next rowid and its registration number in the INSERT itself; the body is
        cut from the payload by SQLite (`-> '$.body'`) rather than re-encoded in Python.
        """
        with self._lock:
            db = self._db
        if db is None:
            raise RuntimeError("central service is not started")
        now = datetime.now(UTC)
        stamp = now.isoformat()
        numbers: list[str | None] = []
        db.execute("BEGIN IMMEDIATE")
        try:
            next_rowid = int(db.execute("SELECT coalesce(max(rowid), 0) + 1 FROM received").fetchone()[0])
            for kiosk_id, envelope, payload in records:
                proposed = registration_number(now.year, next_rowid)
                try:
                    (number,) = db.execute(
                        "INSERT INTO received (rowid, uuid, kiosk_id, kind, first_received_at, registration_number,"
                        " body) VALUES (?, ?, ?, ?, ?, ?, ? -> '$.body') ON CONFLICT (uuid)"
                        " DO UPDATE SET deliveries = deliveries + 1 RETURNING registration_number",
                        [next_rowid, envelope["uuid"], kiosk_id, envelope["kind"], stamp, proposed,
                         payload.decode("utf-8")],
                    ).fetchone()
                except (sqlite3.DataError, sqlite3.OperationalError, UnicodeEncodeError):
                    # Only this statement failed (text SQLite will not take, e.g. a lone UTF-16
                    # surrogate from a JSON escape): the rest of the batch is recorded; this one is
                    # not acknowledged and counted as malformed.
                    with self._lock:
                        self.malformed_count += 1
                    log.warning("central could not record %s from %s", envelope["uuid"], kiosk_id)
                    numbers.append(None)
                    continue
                if number == proposed:  # a new record took the rowid; a repeat kept its own number
                    next_rowid += 1
                numbers.append(str(number))
            for kiosk_id, leaf, doc in presence:
                self._apply_presence(db, kiosk_id, leaf, doc, stamp)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return numbers

    @staticmethod
    def _apply_presence(db: sqlite3.Connection, kiosk_id: str, leaf: str, doc: dict[str, Any], stamp: str) -> None:
        bd_seq = int(doc.get("bd_seq", 0))
        if leaf == PRESENCE and doc.get("state") == ONLINE:
            # A birth wins over anything older; a replayed older birth changes nothing.
            db.execute(
                "INSERT INTO fleet (kiosk_id, state, bd_seq, version, born_at) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (kiosk_id) DO UPDATE SET state = excluded.state, bd_seq = excluded.bd_seq,"
                " version = excluded.version, born_at = excluded.born_at WHERE excluded.bd_seq >= fleet.bd_seq",
                [kiosk_id, ONLINE, bd_seq, doc.get("version"), stamp],
            )
        elif leaf == PRESENCE and doc.get("state") == OFFLINE:
            # Only the death of the current session counts (a stale will may follow a new birth).
            db.execute(
                "INSERT INTO fleet (kiosk_id, state, bd_seq, died_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (kiosk_id) DO UPDATE SET state = excluded.state, died_at = excluded.died_at"
                " WHERE fleet.bd_seq = excluded.bd_seq",
                [kiosk_id, OFFLINE, bd_seq, stamp],
            )
        elif leaf == HEARTBEAT:
            db.execute(
                "INSERT INTO fleet (kiosk_id, state, bd_seq, last_heartbeat_at, heartbeats, counters)"
                " VALUES (?, ?, ?, ?, 1, ?) ON CONFLICT (kiosk_id) DO UPDATE SET"
                " last_heartbeat_at = excluded.last_heartbeat_at, heartbeats = fleet.heartbeats + 1,"
                " counters = excluded.counters",
                [kiosk_id, ONLINE, bd_seq, stamp, json.dumps(doc.get("counters", {}))],
            )
        elif leaf.startswith(f"{DEVICE}/"):
            state = "absent" if doc.get("type") == DEATH else str(doc.get("state", ""))
            if doc.get("type") not in (BIRTH, DEATH, "data"):
                raise MalformedMessage("unknown device message type")
            db.execute(
                "INSERT INTO fleet_devices (kiosk_id, device, kind, state, detail, seq, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (kiosk_id, device) DO UPDATE SET"
                " kind = excluded.kind, state = excluded.state, detail = excluded.detail,"
                " seq = excluded.seq, updated_at = excluded.updated_at",
                [kiosk_id, leaf.split("/", 1)[1], str(doc.get("kind", "")), state,
                 str(doc.get("detail", "")), int(doc.get("seq", 0)), stamp],
            )
