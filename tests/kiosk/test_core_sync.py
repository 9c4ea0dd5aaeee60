"""Sync in the running core: presence and heartbeats in central's fleet table, signed commands
through the inbox, and lookups through the local API, against real mosquitto and the reference
central; every message on the broker is checked against docs/asyncapi.yaml."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from edge_models.registry import Registry
from kiosk.api.client import ApiError
from sync.commands import CommandSigner
from tests.edge_models.tiny import write_bundle
from tests.fixtures.broker import ContractWatcher
from tests.fixtures.core import KIOSK_ID, KioskRig, audited, wait_until

WAIT_S = 20.0
HS_UPDATE = {"dataset": "hs_nomenclature", "version": "2026.1", "data": {"0101": "Live horses, asses, mules"}}


@pytest.fixture
def contract(kiosk_rig: KioskRig) -> Iterator[ContractWatcher]:
    watcher = ContractWatcher(kiosk_rig.broker.port)
    watcher.start()
    yield watcher
    watcher.stop()
    assert watcher.violations == []



def _refused(rig: KioskRig) -> dict[str, int]:
    refused: dict[str, int] = rig.core.api.health()["commands_refused"]
    return refused


def test_birth_device_states_and_heartbeats_reach_centrals_fleet(kiosk_rig: KioskRig,
                                                                  contract: ContractWatcher) -> None:
    kiosk_rig.core.start()
    central = kiosk_rig.central
    wait_until(lambda: KIOSK_ID in central.fleet() and central.fleet()[KIOSK_ID].state == "online", "the birth")
    wait_until(lambda: central.fleet()[KIOSK_ID].devices.get("receipt_printer") == "ready", "device births")
    view = central.fleet()[KIOSK_ID]
    assert view.devices == {"scanner": "ready", "receipt_printer": "ready", "barcode_reader": "ready"}
    first = view.heartbeats
    wait_until(lambda: central.fleet()[KIOSK_ID].heartbeats >= first + 2, "heartbeats every 0.5 s")
    counters = central.fleet()[KIOSK_ID].counters
    assert counters["outbox_depth"] == 0 and counters["evicted_quota"] == 0 and counters["device_faults"] == 0

    kiosk_rig.printer.set_fault("paper_out")  # a device state change goes out as device data
    wait_until(lambda: central.fleet()[KIOSK_ID].devices["receipt_printer"] == "degraded", "the printer's state")
    wait_until(lambda: central.fleet()[KIOSK_ID].counters["device_faults"] == 1, "the fault in a heartbeat")
    assert contract.seen > 0


def test_a_killed_core_is_reported_dead_by_its_last_will(kiosk_rig: KioskRig) -> None:
    kiosk_rig.core.start()
    central = kiosk_rig.central
    wait_until(lambda: KIOSK_ID in central.fleet() and central.fleet()[KIOSK_ID].state == "online", "the birth")
    assert kiosk_rig.core.process is not None
    kiosk_rig.core.process.kill()
    wait_until(lambda: central.fleet()[KIOSK_ID].state == "offline", "the last will")


def test_a_signed_command_is_applied_once_and_a_replay_refused_even_after_restart(
    kiosk_rig: KioskRig, contract: ContractWatcher
) -> None:
    kiosk_rig.core.start()
    api = kiosk_rig.core.api
    central = kiosk_rig.central
    wait_until(lambda: KIOSK_ID in central.fleet(), "the birth")
    command = kiosk_rig.signer.sign(KIOSK_ID, "reference.update", HS_UPDATE)
    central.publish_command(KIOSK_ID, command)
    wait_until(lambda: audited(kiosk_rig, "command.applied") == [command["id"]], "the command applied")
    stored = api.reference("hs_nomenclature")
    assert stored["version"] == "2026.1" and stored["data"] == HS_UPDATE["data"]

    central.publish_command(KIOSK_ID, command)  # the same message again
    wait_until(lambda: _refused(kiosk_rig).get("replayed: message id already received") == 1, "the replay refused")
    kiosk_rig.core.stop()
    kiosk_rig.core.start()
    central.publish_command(KIOSK_ID, command)  # and again after a restart: the nonces were persisted
    wait_until(lambda: _refused(kiosk_rig).get("replayed: message id already received") == 1, "refused again")
    assert audited(kiosk_rig, "command.applied") == [command["id"]]


def test_the_same_version_again_changes_nothing_and_an_older_command_is_refused(kiosk_rig: KioskRig) -> None:
    kiosk_rig.core.start()
    central = kiosk_rig.central
    wait_until(lambda: KIOSK_ID in central.fleet(), "the birth")
    older = kiosk_rig.signer.sign(KIOSK_ID, "reference.update", {**HS_UPDATE, "version": "2025.9"},
                                  issued_at=datetime.now(UTC) - timedelta(minutes=1))
    newer = kiosk_rig.signer.sign(KIOSK_ID, "reference.update", HS_UPDATE)
    again = kiosk_rig.signer.sign(KIOSK_ID, "reference.update", HS_UPDATE)
    for command in (newer, again, older):
        central.publish_command(KIOSK_ID, command)
    wait_until(lambda: len(audited(kiosk_rig, "command.refused")) == 1, "the older command refused")
    assert audited(kiosk_rig, "command.applied") == [newer["id"]]
    assert audited(kiosk_rig, "command.unchanged") == [again["id"]]
    assert kiosk_rig.core.api.reference("hs_nomenclature")["version"] == "2026.1"
    assert "stale: hs_nomenclature version 2026.1 was issued later" in kiosk_rig.log_path.read_text()


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda signer: signer.sign(KIOSK_ID, "model.activate", {"model": "hs", "version": "2"}),
         "model not activated: no model named 'hs'"),
        (lambda signer: signer.sign(KIOSK_ID, "config.set", {"log.level": "DEBUG"}),
         "config changes are made in the kiosk's config file"),
        (lambda signer: signer.sign(KIOSK_ID, "reference.update", {"dataset": "Bad Name!", "version": "1", "data": 1}),
         "malformed: reference.update: 'dataset' must be a lower-case name"),
        (lambda signer: signer.sign(KIOSK_ID, "reboot", {}), "unknown command type"),
        (lambda signer: CommandSigner(Ed25519PrivateKey.generate()).sign(KIOSK_ID, "reference.update", HS_UPDATE),
         "forged: bad signature"),
        (lambda signer: {key: value for key, value in signer.sign(KIOSK_ID, "reference.update", HS_UPDATE).items()
                         if key != "signature"}, "unsigned"),
    ],
    ids=["model-activate", "config-set", "bad-dataset", "unknown-type", "forged", "unsigned"],
)
def test_commands_the_kiosk_cannot_apply_are_refused_with_a_logged_reason(
    kiosk_rig: KioskRig, make: Callable[[CommandSigner], dict[str, Any]], reason: str
) -> None:
    kiosk_rig.core.start()
    wait_until(lambda: KIOSK_ID in kiosk_rig.central.fleet(), "the birth")
    kiosk_rig.central.publish_command(KIOSK_ID, make(kiosk_rig.signer))
    wait_until(lambda: reason in kiosk_rig.log_path.read_text(), "the refusal logged")
    wait_until(lambda: kiosk_rig.core.api.health()["counters"]["commands_refused"] == 1, "the refusal counted")
    assert audited(kiosk_rig, "command.applied") == []
    with pytest.raises(ApiError) as missing:
        kiosk_rig.core.api.reference("hs_nomenclature")
    assert missing.value.status == 404


def test_model_activation_from_central_swaps_the_active_version_and_refuses_a_bad_bundle(
    kiosk_rig: KioskRig,
) -> None:
    registry_dir = kiosk_rig.data_dir / "models"
    write_bundle(registry_dir, "tiny", "1.0.0", scale=1.0)
    write_bundle(registry_dir, "tiny", "1.1.0", scale=2.0)
    write_bundle(registry_dir, "tiny", "1.2.0", scale=3.0, sha256="0" * 64)  # not the file's digest
    kiosk_rig.core.start()
    wait_until(lambda: KIOSK_ID in kiosk_rig.central.fleet(), "the birth")
    commands = [kiosk_rig.signer.sign(KIOSK_ID, "model.activate", {"model": "tiny", "version": version})
                for version in ("1.1.0", "1.2.0", "9.9.9")]
    for command in commands:
        kiosk_rig.central.publish_command(KIOSK_ID, command)
    wait_until(lambda: len(audited(kiosk_rig, "command.refused")) == 2, "two refusals")
    assert audited(kiosk_rig, "command.applied") == [commands[0]["id"]]
    assert Registry(registry_dir, factory=None).state("tiny")["active"] == "1.1.0"
    log = kiosk_rig.log_path.read_text()
    assert "model not activated" in log and "sha256" in log and "no version '9.9.9'" in log


def test_certificate_lookup_through_the_local_api(kiosk_rig: KioskRig, contract: ContractWatcher) -> None:
    kiosk_rig.core.start()
    api = kiosk_rig.core.api
    wait_until(lambda: api.health()["outbox"]["connected"], "the link up")
    assert api.certificate("CO-2026-0001")["status"] == "issued"
    with pytest.raises(ApiError) as unknown:
        api.certificate("CO-0000-0000")
    assert unknown.value.status == 404
    kiosk_rig.central.stop()
    with pytest.raises(ApiError) as silent:
        api.certificate("CO-2026-0001")
    assert silent.value.status == 504
