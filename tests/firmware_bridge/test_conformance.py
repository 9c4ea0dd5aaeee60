"""One conformance suite, run against both MCU peers (the Python simulator and the C firmware).

Every test here is parametrised by the `peer` fixture, so each has the same id for both:
`test_x[python]` and `test_x[c]`. Raw-frame tests talk to the peer without the host's rules;
the others go through the fault relay with the real host bridge.
"""

from __future__ import annotations

import os
import random
import time
from concurrent.futures import Future
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from firmware_bridge.errors import CommandFailed, EstopActive, FeederEmpty, FeederJammed, McuLost, VersionMismatch
from firmware_bridge.frame import MAX_ENCODED, Frame, cobs_encode, crc16_ccitt, encode_frame
from firmware_bridge.host import LinkState, McuBridge
from firmware_bridge.peers import PeerProcess, peer_command
from firmware_bridge.protocol import (
    ACK,
    BOOT,
    DICTIONARY,
    IDENTIFY_CHUNK,
    MCU_TX_QUEUE,
    NAK,
    PROTOCOL_VERSION,
    RESPONSE,
    RTO_MIN_MS,
    SYNCED,
    Status,
    dictionary_bytes,
)
from firmware_bridge.relay import FaultRelay
from tests.firmware_bridge.conftest import RawPort, wait_for

ECHO = 0x26
LIGHT = 0x22


def echo(port: RawPort, seq: int, tag: int, token: int) -> None:
    port.send(seq, ECHO, tag.to_bytes(2, "big") + token.to_bytes(4, "big"))


def response(frame: Frame) -> tuple[int, int, bytes]:
    """(tag, status, result) of a RESPONSE frame."""
    assert frame.msg == RESPONSE
    return int.from_bytes(frame.payload[:2], "big"), frame.payload[2], frame.payload[3:]


def executed(frame: Frame) -> int:
    return int.from_bytes(response(frame)[2][4:8], "big")


def test_framing_sync_answer_is_a_cobs_frame_with_length_and_crc(raw: RawPort) -> None:
    synced = raw.sync(nonce=0xBEEF)
    assert synced.msg == SYNCED
    assert synced.payload[0] == PROTOCOL_VERSION
    assert int.from_bytes(synced.payload[1:3], "big") == 0xBEEF
    assert len(synced.payload) == 10
    # A frame split across writes, after line noise, still decodes: the zero delimiter resynchronises.
    raw.write(b"\x13\x37\xff\x00")
    payload = (0x0102).to_bytes(2, "big") + (77).to_bytes(4, "big")
    body = bytes((len(payload), 0, ECHO)) + payload
    wire = cobs_encode(body + crc16_ccitt(body).to_bytes(2, "big")) + b"\x00"
    raw.write(wire[:4])
    time.sleep(0.02)
    raw.write(wire[4:])
    answer, _ = raw.expect(lambda f: f.msg == RESPONSE)
    assert response(answer)[:2] == (0x0102, Status.OK)
    assert int.from_bytes(response(answer)[2][:4], "big") == 77


def test_crc_damaged_frame_is_naked_and_not_executed(raw: RawPort, peer: PeerProcess) -> None:
    raw.sync()
    wire = bytearray(encode_frame(Frame(0, LIGHT, b"\x00\x01\x80")))
    wire[-2] ^= 0x01  # last CRC byte (no stuffing code sits there for this frame)
    raw.write(bytes(wire))
    nak, _ = raw.expect(lambda f: f.msg in (NAK, ACK, RESPONSE))
    assert (nak.msg, nak.seq) == (NAK, 0)
    assert peer.state["light"] == 0
    raw.send(0, LIGHT, b"\x00\x01\x80")
    ack, _ = raw.expect(lambda f: f.msg == ACK)
    assert ack.seq == 1
    peer.wait_state(lambda s: s["light"] == 0x80)


def test_ack_and_response_carry_sequence_and_tag(raw: RawPort) -> None:
    raw.sync()
    echo(raw, 0, tag=0x0A0B, token=0xDEADBEEF)
    ack, _ = raw.expect(lambda f: f.msg == ACK)
    assert ack.seq == 1
    answer, _ = raw.expect(lambda f: f.msg == RESPONSE)
    assert answer.seq == 0
    tag, status, result = response(answer)
    assert (tag, status, result[:4]) == (0x0A0B, Status.OK, bytes.fromhex("deadbeef"))
    raw.send(1, ACK)  # acknowledge the response: it must not come again
    assert [f for f in raw.read(RTO_MIN_MS * 5 / 1000) if f.msg == RESPONSE] == []


def test_unacked_response_is_retransmitted_after_the_rto(raw: RawPort) -> None:
    raw.sync()
    echo(raw, 0, tag=1, token=5)
    first, _ = raw.expect(lambda f: f.msg == RESPONSE)
    sent = time.monotonic()
    again, _ = raw.expect(lambda f: f.msg == RESPONSE)
    assert time.monotonic() - sent >= RTO_MIN_MS / 1000 * 0.9
    assert again == first
    raw.send(1, ACK)
    raw.read(0.05)
    assert [f for f in raw.read(0.3) if f.msg == RESPONSE] == []


def test_window_keeps_at_least_four_and_at_most_eight_unacked(raw: RawPort) -> None:
    raw.sync()
    for seq in range(12):
        echo(raw, seq, tag=seq, token=seq)
    frames = raw.read(0.15)
    first_wave = sorted({f.seq for f in frames if f.msg == RESPONSE})
    assert 4 <= len(first_wave) <= 8
    assert first_wave == list(range(len(first_wave)))
    got = set(first_wave)
    deadline = time.monotonic() + 3
    while len(got) < 12 and time.monotonic() < deadline:
        raw.send(len(got), ACK)
        got |= {f.seq for f in raw.read(0.05) if f.msg == RESPONSE}
    assert got == set(range(12))


def test_duplicate_command_is_acked_again_but_executes_once(raw: RawPort) -> None:
    raw.sync()
    echo(raw, 0, tag=1, token=1)
    first, _ = raw.expect(lambda f: f.msg == RESPONSE)
    raw.send(1, ACK)
    echo(raw, 0, tag=1, token=1)  # its ack was "lost": the host sends it again
    reack, _ = raw.expect(lambda f: f.msg == ACK)
    assert reack.seq == 1
    echo(raw, 1, tag=2, token=2)
    second, others = raw.expect(lambda f: f.msg == RESPONSE)
    assert response(second)[0] == 2
    assert executed(second) == executed(first) + 1
    assert not [f for f in others if f.msg == RESPONSE]


def test_frame_ahead_of_a_gap_is_kept_and_the_gap_naked(raw: RawPort) -> None:
    raw.sync()
    echo(raw, 1, tag=2, token=2)
    nak, _ = raw.expect(lambda f: f.msg in (NAK, RESPONSE))
    assert (nak.msg, nak.seq) == (NAK, 0)
    echo(raw, 0, tag=1, token=1)
    frames = raw.read(0.1)
    assert Frame(2, ACK) in frames
    answers = {f.seq: f for f in frames if f.msg == RESPONSE}
    assert [response(answers[0])[0], response(answers[1])[0]] == [1, 2]
    assert executed(answers[1]) == executed(answers[0]) + 1


def test_unknown_command_gets_a_typed_status(raw: RawPort) -> None:
    raw.sync()
    raw.send(0, 0x7E, b"\x00\x09\x01\x02")
    answer, _ = raw.expect(lambda f: f.msg == RESPONSE)
    assert response(answer)[:2] == (9, Status.UNKNOWN_COMMAND)
    raw.send(5, 0x0E)  # an unknown link message is ignored, never acked
    raw.send(1, LIGHT, b"\x00\x0a")  # light.set without its argument
    bad, _ = raw.expect(lambda f: f.msg == RESPONSE and f.seq == 1)
    assert response(bad)[:2] == (10, Status.BAD_ARGS)


def test_unsynced_peer_answers_sequenced_frames_with_boot(raw: RawPort) -> None:
    echo(raw, 0, tag=1, token=1)
    boot, _ = raw.expect(lambda f: f.msg in (BOOT, RESPONSE, ACK))
    assert boot.msg == BOOT and len(boot.payload) == 4


def test_identify_returns_protocol_version_and_dictionary(bridge: McuBridge) -> None:
    identity = bridge.identity
    assert identity is not None
    assert identity.version == PROTOCOL_VERSION
    assert identity.dictionary == DICTIONARY
    assert identity.commands["door.unlock"].args == (("duration_ms", "u16"),)


def test_heartbeats_flow_both_ways_and_keep_the_peer_out_of_failsafe(raw: RawPort, peer: PeerProcess) -> None:
    raw.sync()
    started = time.monotonic()
    while time.monotonic() - started < 1.5:
        raw.send(0, 0x05)
        raw.read(0.1)
    assert raw.heartbeats >= 5  # 200 ms period over 1.5 s
    assert peer.state["failsafe"] is False


def test_failsafe_on_heartbeat_loss_is_reported_at_reconnect(
    bridge: McuBridge, relay: FaultRelay, peer: PeerProcess, events: list[tuple[str, int]]
) -> None:
    bridge.light.set(200)
    bridge.tower.set("green")
    bridge.door.unlock(30)
    peer.wait_state(lambda s: s["door"] == "unlocked" and s["light"] == 200)
    relay.faults.cut = True
    safe = peer.wait_state(lambda s: s["failsafe"], timeout=3)
    assert (safe["light"], safe["tower"], safe["door"]) == (0, "red", "locked")
    wait_for(lambda: bridge.state == LinkState.LOST, timeout=3)
    relay.faults.cut = False
    wait_for(lambda: bridge.state == LinkState.READY, timeout=3)
    assert ("failsafe", 1) in events
    assert bridge.identity is not None and bridge.identity.failsafe_trips == 1
    bridge.light.set(10)
    peer.wait_state(lambda s: s["light"] == 10 and not s["failsafe"])


def test_reboot_mid_stream_fails_in_flight_commands_then_resyncs(
    bridge: McuBridge, peer: PeerProcess, events: list[tuple[str, int]]
) -> None:
    assert bridge.identity is not None
    first_boot = bridge.identity.boot_id
    futures: list[Future[dict[str, int]]] = [bridge.submit("diag.echo", token=i) for i in range(200)]
    peer.control("reboot")
    for future in futures:
        future.exception(timeout=5)
    outcomes = [type(f.exception()).__name__ if f.exception() else "ok" for f in futures]
    assert set(outcomes) <= {"ok", "McuRebooted", "McuUnavailable"}
    wait_for(lambda: bridge.state == LinkState.READY and bridge.identity.boot_id != first_boot)  # type: ignore[union-attr]
    assert ("rebooted", 1) in events
    after = bridge.echo(42)
    assert after["token"] == 42
    identify_chunks = -(-len(dictionary_bytes()) // IDENTIFY_CHUNK)
    assert after["executed"] == identify_chunks + 1  # counted from the new boot: nothing replayed into it


def test_typed_commands_errors_and_events(bridge: McuBridge, peer: PeerProcess, events: list[tuple[str, int]]) -> None:
    bridge.feeder.feed()
    bridge.feeder.eject()
    peer.wait_state(lambda s: s["feeds"] == 1 and s["ejects"] == 1)
    peer.control("jam 1")
    wait_for(lambda: _raises(bridge, FeederJammed))
    peer.control("jam 0")
    peer.control("empty 1")
    wait_for(lambda: _raises(bridge, FeederEmpty))
    for line in ("presence 1", "tamper 1", "paper_low 1", "estop 1"):
        peer.control(line)
    wait_for(lambda: len(events) == 4)
    assert events == [("presence", 1), ("tamper", 1), ("paper_low", 1), ("estop", 1)]
    assert bridge.sensors.read() == {"presence": True, "tamper": True, "paper_low": True, "estop": True}
    with pytest.raises(EstopActive):
        bridge.feeder.eject()
    bridge.door.unlock(0.2)
    peer.wait_state(lambda s: s["door"] == "unlocked")
    peer.wait_state(lambda s: s["door"] == "locked")


def _raises(bridge: McuBridge, error: type[CommandFailed]) -> bool:
    """Whether feeding now fails with `error` (control lines reach the peer asynchronously)."""
    try:
        bridge.feeder.feed()
    except CommandFailed as failed:
        return isinstance(failed, error)
    return False


def test_version_mismatch_is_refused_both_ways(peer_name: str, c_binary: Path, peer: PeerProcess) -> None:
    with pytest.raises(VersionMismatch):
        McuBridge(peer.path, version=PROTOCOL_VERSION + 1).connect(timeout=2)
    with PeerProcess(peer_command(peer_name, c_binary, version=PROTOCOL_VERSION + 1)) as newer:
        with pytest.raises(VersionMismatch) as caught:
            McuBridge(newer.path).connect(timeout=2)
        assert caught.value.firmware == PROTOCOL_VERSION + 1


def test_random_line_noise_never_crashes_the_peer(raw: RawPort, peer: PeerProcess) -> None:
    noise = random.Random(3)
    for _ in range(50):
        raw.write(bytes(noise.randrange(256) for _ in range(noise.randrange(1, MAX_ENCODED * 2))))
    raw.write(b"\x00")
    raw.read(0.05)
    assert raw.sync().msg == SYNCED
    assert peer.alive()


def test_window_and_rto_under_100ms_delay(relay: FaultRelay) -> None:
    relay.faults.delay = 0.1
    with McuBridge(relay.path) as host:
        host.connect(timeout=5)
        futures = [host.submit("diag.echo", token=i) for i in range(24)]
        results = [f.result(timeout=10) for f in futures]
        stats = host.stats()
    assert [r["token"] for r in results] == list(range(24))
    assert stats["max_in_flight"] >= 4
    assert stats["rto_ms"] >= 100
    assert stats["srtt_ms"] >= 200 * 0.9  # 100 ms each way


def test_commands_survive_corruption_exactly_once(bridge: McuBridge, relay: FaultRelay) -> None:
    relay.faults.corrupt = 0.01
    base = bridge.echo(0)["executed"]
    futures = [bridge.submit("diag.echo", token=i) for i in range(1, 301)]
    results = [f.result(timeout=20) for f in futures]
    assert [r["token"] for r in results] == list(range(1, 301))
    assert [r["executed"] for r in results] == list(range(base + 1, base + 301))
    assert relay.stats.corrupted > 0


def test_link_loss_fails_in_flight_command_as_lost(bridge: McuBridge, relay: FaultRelay) -> None:
    relay.faults.cut = True
    future = bridge.submit("diag.echo", token=1)
    with pytest.raises(McuLost):
        future.result(timeout=5)
    relay.faults.cut = False
    wait_for(lambda: bridge.state == LinkState.READY)
    assert bridge.echo(2)["token"] == 2
    assert os.path.exists(relay.path)


def test_fuzzed_and_corrupted_frames_never_crash_the_peer(raw: RawPort, peer: PeerProcess) -> None:
    raw.sync()
    valid = encode_frame(Frame(0, ECHO, b"\x00\x01\x00\x00\x00\x07"))

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.binary(max_size=300), st.lists(st.tuples(st.integers(0, 1000), st.integers(1, 255)), max_size=3))
    def feed(junk: bytes, damage: list[tuple[int, int]]) -> None:
        wire = bytearray(valid)
        for position, flip in damage:
            wire[position % len(wire)] ^= flip
        raw.write(junk + bytes(wire))

    feed()
    raw.write(b"\x00")
    raw.read(0.05)
    assert peer.alive()
    assert raw.sync(nonce=0x4321).msg == SYNCED


def test_full_response_queue_holds_new_commands_back_until_acked(raw: RawPort) -> None:
    raw.sync()
    for seq in range(20):
        echo(raw, seq, tag=seq, token=seq)
    frames = raw.read(0.2)
    assert max(f.seq for f in frames if f.msg == ACK) == MCU_TX_QUEUE  # 16 responses fill the queue
    responses: dict[int, Frame] = {}
    deadline = time.monotonic() + 5
    while len(responses) < 20 and time.monotonic() < deadline:
        responses |= {f.seq: f for f in frames if f.msg == RESPONSE}
        contiguous = next(i for i in range(21) if i not in responses)
        raw.send(contiguous, ACK)
        for seq in range(MCU_TX_QUEUE, 20):  # what a host would retransmit: the commands left unacked
            echo(raw, seq, tag=seq, token=seq)
        frames = raw.read(0.05)
    assert sorted(responses) == list(range(20))
    assert [response(responses[i])[0] for i in range(20)] == list(range(20))
    counts = [executed(responses[i]) for i in range(20)]
    assert counts == list(range(counts[0], counts[0] + 20))
