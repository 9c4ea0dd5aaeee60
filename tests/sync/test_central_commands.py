"""`cez-kiosk central keygen` and `central send`: signed commands from a JSON file, through a real
broker, into a kiosk's Inbox that verifies them with the public key keygen wrote."""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from click.testing import CliRunner, Result
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from paho.mqtt.enums import CallbackAPIVersion
from sqlite_utils import Database

from kiosk.cli import main
from sync.broker import MosquittoBroker
from sync.central import connect_database
from sync.inbox import Inbox, create_schema
from sync.mqtt_link import MqttLink
from sync.topics import COMMAND, DEFAULT_PREFIX, all_of, kiosk_topic
from tests.sync.harness import HOST

TARIFFS = {"dataset": "tariffs", "version": "2026-11", "data": {"8703.23": {"duty_pct": 5.0, "vat_pct": 18.0}}}


def run(*args: str) -> Result:
    return CliRunner().invoke(main, ["central", *args])


@pytest.fixture
def key(tmp_path: Path) -> Path:
    path = tmp_path / "central-signing.pem"
    assert run("keygen", "--key", str(path)).exit_code == 0
    return path


def public_key(key: Path) -> Ed25519PublicKey:
    loaded = load_pem_public_key(Path(f"{key}.pub").read_bytes())
    assert isinstance(loaded, Ed25519PublicKey)
    return loaded


def body_file(tmp_path: Path, body: Any, name: str = "body.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(body))
    return path


class Listener:
    """A plain subscriber to every kiosk's command topic, subscribed before the test goes on."""

    def __init__(self, port: int) -> None:
        self.payloads: queue.Queue[tuple[str, bytes]] = queue.Queue()
        subscribed = threading.Event()
        self._client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="command-listener", protocol=mqtt.MQTTv5)
        self._client.on_connect = lambda c, u, f, r, p: c.subscribe(all_of(DEFAULT_PREFIX, COMMAND), qos=1)
        self._client.on_subscribe = lambda c, u, m, r, p: subscribed.set()
        self._client.on_message = lambda c, u, m: self.payloads.put((m.topic, bytes(m.payload)))
        self._client.connect(HOST, port)
        self._client.loop_start()
        assert subscribed.wait(10)

    def drain(self, wait_s: float) -> list[tuple[str, bytes]]:
        got = []
        try:
            while True:
                got.append(self.payloads.get(timeout=wait_s))
        except queue.Empty:
            return got

    def stop(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()


@pytest.fixture
def listener(mosquitto: MosquittoBroker) -> Iterator[Listener]:
    listening = Listener(mosquitto.port)
    yield listening
    listening.stop()


def test_keygen_creates_a_keypair_once_and_keeps_it(tmp_path: Path) -> None:
    path = tmp_path / "central-signing.pem"
    first = run("keygen", "--key", str(path), "--json")
    assert first.exit_code == 0, first.output
    assert json.loads(first.output) == {"key": str(path), "public_key": f"{path}.pub", "created": True}
    assert path.stat().st_mode & 0o777 == 0o600
    private_pem, public_pem = path.read_bytes(), Path(f"{path}.pub").read_bytes()
    public_key(path)
    again = run("keygen", "--key", str(path), "--json")
    assert again.exit_code == 0 and json.loads(again.output)["created"] is False
    assert (path.read_bytes(), Path(f"{path}.pub").read_bytes()) == (private_pem, public_pem)


def test_keygen_refuses_a_file_that_is_not_a_key_and_leaves_it(tmp_path: Path) -> None:
    path = tmp_path / "notes.pem"
    path.write_text("not a key\n")
    result = run("keygen", "--key", str(path))
    assert result.exit_code == 2
    assert "cannot read a PEM private key" in result.output
    assert path.read_text() == "not a key\n" and not Path(f"{path}.pub").exists()


def test_reference_data_reaches_an_offline_kiosk_and_its_inbox_verifies_it(
    mosquitto: MosquittoBroker, key: Path, tmp_path: Path
) -> None:
    received: queue.Queue[bytes] = queue.Queue()
    subscribed = threading.Event()

    def kiosk_link() -> MqttLink:
        link = MqttLink(HOST, mosquitto.port, "cez-k7", on_connected=subscribed.set, on_disconnected=lambda: None,
                        on_puback=lambda uuid: None, on_message=lambda topic, payload: received.put(payload))
        link.subscribe(kiosk_topic(DEFAULT_PREFIX, "k7", COMMAND))
        return link

    first = kiosk_link()  # its persistent session keeps the subscription while the kiosk is away
    first.start()
    assert subscribed.wait(10)
    first.stop()

    result = run("send", "reference.update", str(body_file(tmp_path, TARIFFS)), "--key", str(key),
                 "--kiosk", "k7", "--host", HOST, "--port", str(mosquitto.port), "--json")
    assert result.exit_code == 0, result.output
    sent = json.loads(result.output)
    assert sent["kiosk_id"] == "k7" and sent["type"] == "reference.update"

    applied: list[tuple[str, dict[str, Any]]] = []
    db = Database(tmp_path / "kiosk.db")
    create_schema(db)
    inbox = Inbox(db, public_key(key), "k7", lambda kind, body: applied.append((kind, body)))
    again = kiosk_link()
    again.start()
    try:
        assert inbox.receive(received.get(timeout=10)) == sent["id"]
    finally:
        again.stop()
    assert applied == [("reference.update", TARIFFS)]
    assert inbox.refused == {}


def test_all_sends_one_command_per_kiosk_of_the_fleet_each_signed_for_it(
    mosquitto: MosquittoBroker, listener: Listener, key: Path, tmp_path: Path
) -> None:
    central_db = tmp_path / "central.db"
    conn = connect_database(central_db)
    conn.executemany("INSERT INTO fleet (kiosk_id, state, bd_seq) VALUES (?, 'online', 1)", [("k1",), ("k2",)])
    conn.close()
    rates = {"dataset": "exchange_rates", "version": "2026-11-22", "data": {"EUR": 2.93, "USD": 2.71}}
    result = run("send", "reference.update", str(body_file(tmp_path, rates)), "--key", str(key), "--all",
                 "--db", str(central_db), "--host", HOST, "--port", str(mosquitto.port), "--json")
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["kiosk_id"] for line in result.output.splitlines()] == ["k1", "k2"]
    messages = dict(listener.drain(2.0))
    assert set(messages) == {kiosk_topic(DEFAULT_PREFIX, k, COMMAND) for k in ("k1", "k2")}
    db = Database(tmp_path / "kiosk.db")
    create_schema(db)
    k1 = Inbox(db, public_key(key), "k1", lambda kind, body: None)
    assert k1.receive(messages[kiosk_topic(DEFAULT_PREFIX, "k2", COMMAND)]) is None  # not k1's
    assert k1.refused == {"addressed to another kiosk": 1}
    assert k1.receive(messages[kiosk_topic(DEFAULT_PREFIX, "k1", COMMAND)]) is not None


@pytest.mark.parametrize(
    ("body", "extra", "message"),
    [
        ("{not json", [], "not UTF-8 JSON"),
        ('{"dataset": "rates", "version": "1", "data": {"EUR": NaN}}', [], "NaN is not JSON"),
        (json.dumps({"dataset": "tariffs", "version": "1"}), [], "'data' is missing"),
        (json.dumps({"dataset": "Tariffs!", "version": "1", "data": []}), [], "lower-case name"),
        (json.dumps(TARIFFS), ["--all"], "not both"),
        (json.dumps(TARIFFS), ["--kiosk", "k1/+"], "is not a kiosk id"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_sent(
    mosquitto: MosquittoBroker, listener: Listener, key: Path, tmp_path: Path, body: str, extra: list[str],
    message: str,
) -> None:
    path = tmp_path / "body.json"
    path.write_text(body)
    result = run("send", "reference.update", str(path), "--key", str(key), "--kiosk", "k1", *extra,
                 "--host", HOST, "--port", str(mosquitto.port))
    assert result.exit_code == 2
    assert message in result.output and result.output.count("\n") == 1
    assert listener.drain(0.5) == []


def test_send_with_a_missing_key_or_an_unknown_type_is_bad_usage(tmp_path: Path) -> None:
    body = str(body_file(tmp_path, TARIFFS))
    missing = run("send", "reference.update", body, "--key", str(tmp_path / "none.pem"), "--kiosk", "k1")
    assert missing.exit_code == 2 and "cannot read a PEM private key" in missing.output
    unknown = run("send", "firmware.flash", body, "--key", str(tmp_path / "none.pem"), "--kiosk", "k1")
    assert unknown.exit_code == 2


def test_send_without_a_broker_exits_1(key: Path, tmp_path: Path) -> None:
    nobody = MosquittoBroker()  # never started: nothing listens on its port
    result = run("send", "model.activate", str(body_file(tmp_path, {"model": "doc-classifier", "version": "3"})),
                 "--key", str(key), "--kiosk", "k1", "--host", HOST, "--port", str(nobody.port), "--timeout", "0.5")
    assert result.exit_code == 1
    assert "not reachable" in result.output


def test_config_set_with_a_bad_setting_name_is_refused(key: Path, tmp_path: Path) -> None:
    result = run("send", "config.set", str(body_file(tmp_path, {"resend": 3})), "--key", str(key), "--kiosk", "k1")
    assert result.exit_code == 2 and "is not a setting name" in result.output
