from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
from pathlib import Path

import pytest

from sync.broker import MosquittoBroker
from sync.central import CentralService
from sync.messages import encode, make_ack
from sync.mqtt_link import MqttLink
from sync.outbox import BROKER_ACKED, CENTRAL_ACKED, PRIORITY_TELEMETRY, QUEUED
from sync.pump import CRASH_BEFORE_PUBACK
from sync.topics import DEFAULT_PREFIX, ack_topic
from tests.sync.crashing_kiosk import CRASH_EXIT
from tests.sync.harness import HOST, KIOSK_ID, KioskSide, enqueue_declaration, eventually, open_outbox

REPO = Path(__file__).resolve().parents[2]


def test_declaration_reaches_central_and_is_acknowledged(
    mosquitto: MosquittoBroker, central: CentralService, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with KioskSide(tmp_path / "kiosk.db", mosquitto.port) as kiosk:
            uuid = kiosk.enqueue()
            await eventually(lambda: kiosk.state(uuid) == CENTRAL_ACKED, "central's ack")
            message = kiosk.outbox.get(uuid)
            assert message is not None
            assert message.registration_number == central.registration_of(uuid)
            assert message.puback_at is not None
            assert [kind for kind, data in kiosk.events if data.get("uuid") == uuid] == [
                "outbox.sent",
                "outbox.puback",
                "outbox.central_ack",
            ]
            assert ("sync.connected", {}) in kiosk.events
            assert kiosk.outbox.queued_count() == 0
            assert central.deliveries(uuid) == 1

    asyncio.run(scenario())


def test_broker_down_at_start_keeps_message_queued_until_it_comes_up(tmp_path: Path) -> None:
    broker = MosquittoBroker()
    central = CentralService(broker.host, broker.port, tmp_path / "central.db", reconnect_min_s=1)

    async def scenario() -> None:
        async with KioskSide(tmp_path / "kiosk.db", broker.port, resend_after_s=1) as kiosk:
            uuid = kiosk.enqueue()
            await asyncio.sleep(0.3)  # give the pump its chance to (wrongly) send
            message = kiosk.outbox.get(uuid)
            assert message is not None
            assert (message.state, message.attempts) == (QUEUED, 0)
            assert kiosk.event_uuids("outbox.sent") == []

            broker.start()
            central.start()
            await eventually(lambda: kiosk.state(uuid) == CENTRAL_ACKED, "delivery once the broker is up")
            assert central.received_uuids() == [uuid]

    try:
        asyncio.run(scenario())
    finally:
        central.stop()
        broker.stop()


def test_broker_killed_mid_run_loses_nothing(
    mosquitto: MosquittoBroker, central: CentralService, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with KioskSide(tmp_path / "kiosk.db", mosquitto.port, resend_after_s=1) as kiosk:
            before = [kiosk.enqueue() for _ in range(200)]  # enough that some are in flight at the kill
            await eventually(lambda: any(kiosk.state(u) == CENTRAL_ACKED for u in before), "a first ack")
            mosquitto.kill()
            during = [kiosk.enqueue() for _ in range(10)]
            await eventually(lambda: ("sync.disconnected", {}) in kiosk.events, "the disconnect")
            assert all(kiosk.state(u) != CENTRAL_ACKED for u in during)

            mosquitto.start()
            everything = before + during
            await eventually(
                lambda: all(kiosk.state(u) == CENTRAL_ACKED for u in everything), "every message acked"
            )
            assert kiosk.pump_alive
            assert sorted(central.received_uuids()) == sorted(everything)
            for uuid in everything:
                message = kiosk.outbox.get(uuid)
                assert message is not None
                assert message.registration_number == central.registration_of(uuid)

    asyncio.run(scenario())


def test_declarations_go_out_before_telemetry(
    mosquitto: MosquittoBroker, central: CentralService, tmp_path: Path
) -> None:
    db, outbox = open_outbox(tmp_path / "kiosk.db")
    telemetry = [enqueue_declaration(outbox, priority=PRIORITY_TELEMETRY, kind="telemetry") for _ in range(3)]
    declarations = [enqueue_declaration(outbox) for _ in range(3)]
    db.close()

    async def scenario() -> None:
        async with KioskSide(tmp_path / "kiosk.db", mosquitto.port) as kiosk:
            everything = declarations + telemetry
            await eventually(
                lambda: all(kiosk.state(u) == CENTRAL_ACKED for u in everything), "every message acked"
            )
            assert kiosk.event_uuids("outbox.sent") == everything

    asyncio.run(scenario())
    assert list(central.delivery_log) == declarations + telemetry


@pytest.mark.contract_violations(3)
def test_malformed_and_unknown_acks_are_ignored(
    mosquitto: MosquittoBroker, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="sync.pump")
    topic = ack_topic(DEFAULT_PREFIX, KIOSK_ID)

    async def scenario() -> None:
        fake_central = MqttLink(
            HOST,
            mosquitto.port,
            "fake-central",
            on_connected=lambda: None,
            on_disconnected=lambda: None,
            on_puback=lambda uuid: None,
            on_message=lambda topic, payload: None,
        )
        fake_central.start()
        try:
            async with KioskSide(tmp_path / "kiosk.db", mosquitto.port) as kiosk:
                uuid = kiosk.enqueue()
                await eventually(lambda: kiosk.state(uuid) == BROKER_ACKED, "the PUBACK")
                await eventually(lambda: fake_central.connected, "the fake central's connection")
                for n, payload in enumerate(
                    [
                        b"not json",
                        b'{"uuid": "' + uuid.encode() + b'", "status": "recorded"}',
                        b'{"uuid": "' + uuid.encode() + b'", "status": "lost", "registration_number": "X"}',
                        encode(make_ack("no-such-uuid", "GE-EX-2025-000099")),
                        encode(make_ack(uuid, "GE-EX-2025-000001")),
                    ]
                ):
                    fake_central.publish(f"fake-{n}", topic, payload)
                # Acks arrive in order: once the good one is applied, the bad ones were handled.
                await eventually(lambda: kiosk.state(uuid) == CENTRAL_ACKED, "the well-formed ack")
                message = kiosk.outbox.get(uuid)
                assert message is not None and message.registration_number == "GE-EX-2025-000001"
                assert kiosk.event_uuids("outbox.central_ack") == [uuid]
                assert kiosk.pump_alive
        finally:
            fake_central.stop()

    asyncio.run(scenario())
    warnings = [r for r in caplog.records if r.name == "sync.pump" and r.levelno == logging.WARNING]
    assert len(warnings) == 3


def test_crash_hook_runs_before_the_puback_is_recorded(
    mosquitto: MosquittoBroker, central: CentralService, tmp_path: Path
) -> None:
    seen: list[tuple[str, str]] = []

    async def scenario() -> None:
        kiosk: KioskSide

        def hook(point: str) -> None:
            seen.append((point, kiosk.state(uuid)))

        kiosk = KioskSide(tmp_path / "kiosk.db", mosquitto.port, crash_hook=hook)
        async with kiosk:
            uuid = kiosk.enqueue()
            await eventually(lambda: kiosk.state(uuid) == CENTRAL_ACKED, "central's ack")

    asyncio.run(scenario())
    assert seen == [(CRASH_BEFORE_PUBACK, QUEUED)]


def test_process_killed_at_before_puback_resends_after_restart(
    mosquitto: MosquittoBroker, central: CentralService, tmp_path: Path
) -> None:
    db_path = tmp_path / "kiosk.db"
    db, outbox = open_outbox(db_path)
    uuid = enqueue_declaration(outbox)
    db.close()

    crashed = subprocess.run(
        [sys.executable, "-m", "tests.sync.crashing_kiosk", str(db_path), str(mosquitto.port)],
        cwd=REPO,
        capture_output=True,
        timeout=60,
    )
    assert crashed.returncode == CRASH_EXIT, crashed.stderr.decode(errors="replace")[-2000:]
    db, outbox = open_outbox(db_path)
    message = outbox.get(uuid)
    assert message is not None
    assert (message.state, message.attempts, message.puback_at) == (QUEUED, 1, None)
    db.close()
    assert central.wait_for(uuid, 10)

    async def scenario() -> None:
        async with KioskSide(db_path, mosquitto.port) as kiosk:
            await eventually(lambda: kiosk.state(uuid) == CENTRAL_ACKED, "the ack after the restart")
            message = kiosk.outbox.get(uuid)
            assert message is not None
            assert message.registration_number == central.registration_of(uuid)

    asyncio.run(scenario())
    assert central.received_uuids() == [uuid]
