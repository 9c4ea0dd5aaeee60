"""Request/response lookups over MQTT 5 response topic + correlation data, with timeouts."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from sync.broker import MosquittoBroker
from sync.central import CentralService
from sync.lookups import Lookups, LookupTimeout
from sync.mqtt_link import MqttLink
from sync.topics import DEFAULT_PREFIX
from tests.sync.harness import HOST, KIOSK_ID, eventually


def certificate(query: dict[str, Any]) -> dict[str, Any] | None:
    if query.get("application_number") == "CO-2025-0001":
        return {"application_number": "CO-2025-0001", "state": "issued"}
    return None


def test_lookups_are_answered_matched_and_time_out(mosquitto: MosquittoBroker, tmp_path: Path) -> None:
    central = CentralService(HOST, mosquitto.port, tmp_path / "central.db", lookups={"certificate": certificate})
    central.start()
    assert central.wait_subscribed(10)

    async def scenario() -> None:
        link: MqttLink
        lookups = Lookups(DEFAULT_PREFIX, KIOSK_ID, lambda *args: link.request(*args))
        link = MqttLink(HOST, mosquitto.port, "kiosk-lookups", on_connected=lambda: None,
                        on_disconnected=lambda: None, on_puback=lambda uuid: None,
                        on_message=lambda topic, payload: None, on_response=lookups.on_response)
        link.subscribe(lookups.response_topic)
        link.start()
        try:
            await eventually(lambda: link.connected, "the link")
            # The response subscription may still be in flight on the first try.
            for _ in range(20):
                try:
                    found = await lookups.ask("certificate", {"application_number": "CO-2025-0001"}, 0.5)
                    break
                except LookupTimeout:
                    continue
            assert found == {"status": "found", "result": {"application_number": "CO-2025-0001", "state": "issued"}}
            answers = await asyncio.gather(
                lookups.ask("certificate", {"application_number": "nope"}, 5),
                lookups.ask("tariff", {}, 5),
                lookups.ask("certificate", {"application_number": "CO-2025-0001"}, 5),
            )
            assert [a["status"] for a in answers] == ["not_found", "unknown_lookup", "found"]
            central.stop()
            with pytest.raises(LookupTimeout, match=r"no answer within 0\.3 s"):
                await lookups.ask("certificate", {"application_number": "CO-2025-0001"}, 0.3)
        finally:
            link.stop()

    try:
        asyncio.run(scenario())
    finally:
        central.stop()
