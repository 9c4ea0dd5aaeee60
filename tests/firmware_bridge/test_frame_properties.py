"""Property and fuzz tests of the framing and the link rules (hypothesis), without any process."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from firmware_bridge.frame import (
    MAX_PAYLOAD,
    Frame,
    FrameDecoder,
    cobs_decode,
    cobs_encode,
    crc16_ccitt,
    encode_frame,
)
from firmware_bridge.link import ReliableLink
from firmware_bridge.protocol import RESPONSE

frames = st.builds(
    Frame,
    seq=st.integers(0, 255),
    msg=st.integers(0, 255),
    payload=st.binary(max_size=MAX_PAYLOAD),
)


def test_crc16_ccitt_check_value() -> None:
    assert crc16_ccitt(b"123456789") == 0x29B1


@given(st.binary(max_size=1000))
def test_cobs_round_trips_without_zero_bytes(data: bytes) -> None:
    stuffed = cobs_encode(data)
    assert 0 not in stuffed
    assert len(stuffed) <= len(data) + len(data) // 254 + 1
    assert cobs_decode(stuffed) == data


@given(frames)
def test_frames_round_trip_through_the_decoder(frame: Frame) -> None:
    decoder = FrameDecoder()
    assert decoder.feed(b"\x00" + encode_frame(frame) + encode_frame(frame)) == [frame, frame]
    assert decoder.rejected == 0


@given(st.lists(st.binary(max_size=300), max_size=20))
def test_random_byte_streams_never_crash_the_parser(chunks: list[bytes]) -> None:
    decoder = FrameDecoder()
    for chunk in chunks:
        for frame in decoder.feed(chunk):
            # Whatever got through is a well-formed frame: it re-encodes and decodes to itself.
            assert len(frame.payload) <= MAX_PAYLOAD
            assert FrameDecoder().feed(encode_frame(frame)) == [frame]
    good = Frame(1, 0x20, b"ok")
    assert decoder.feed(b"\x00" + encode_frame(good)) == [good]


COLLISIONS: list[Frame] = []


@given(frames, st.lists(st.tuples(st.integers(0, 1000), st.integers(1, 255)), min_size=1, max_size=4))
def test_corrupted_frames_are_rejected_or_counted_as_crc_collisions(
    frame: Frame, damage: list[tuple[int, int]]
) -> None:
    wire = bytearray(encode_frame(frame))
    for position, flip in damage:
        wire[position % len(wire)] ^= flip
    decoder = FrameDecoder()
    accepted = decoder.feed(bytes(wire) + b"\x00")
    impostors = [f for f in accepted if f != frame]
    COLLISIONS.extend(impostors)  # a corrupted frame that still passed length and CRC checks
    assert len(impostors) <= len(wire) // 5 + 1


def test_crc_collision_rate_under_random_corruption_stays_near_two_to_the_minus_sixteen() -> None:
    rng = random.Random(11)
    trials = 20_000
    collisions = 0
    for _ in range(trials):
        frame = Frame(rng.randrange(256), rng.randrange(256), rng.randbytes(rng.randrange(0, 24)))
        wire = bytearray(encode_frame(frame))
        for _ in range(rng.randrange(1, 4)):
            wire[rng.randrange(len(wire) - 1)] ^= rng.randrange(1, 256)
        accepted = FrameDecoder().feed(bytes(wire))
        collisions += sum(f != frame for f in accepted)
    # Expected ~trials / 65536 (< 1); a broken check would let thousands through.
    assert collisions <= 5


def _run_links(seed: int, messages: int, corrupt: float, drop: float) -> list[bytes]:
    """Two links over a noisy in-memory line with a simulated clock; returns what B delivered."""
    rng = random.Random(seed)
    a, b = ReliableLink(), ReliableLink()
    decode_a, decode_b = FrameDecoder(), FrameDecoder()

    def line(data: bytes) -> bytes:
        out = bytearray()
        for byte in data:
            if rng.random() < drop:
                continue
            out.append(byte ^ rng.randrange(1, 256) if rng.random() < corrupt else byte)
        return bytes(out)

    for index in range(messages):
        a.send(RESPONSE, index.to_bytes(2, "big"))
    delivered: list[bytes] = []
    now = 0.0
    while len(delivered) < messages and now < 60:
        a.poll(now)
        b.poll(now)
        for decoder, link, data in ((decode_b, b, line(a.drain())), (decode_a, a, line(b.drain()))):
            rejected = decoder.rejected
            got = decoder.feed(data)
            if decoder.rejected != rejected:
                link.nak(now)
            for frame in got:
                for out in link.receive(frame, now):
                    delivered.append(out.payload)
        now += 0.001
    return delivered


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 2**32), st.sampled_from([0.0, 0.005, 0.02]), st.sampled_from([0.0, 0.005]))
def test_link_delivers_every_message_exactly_once_in_order(seed: int, corrupt: float, drop: float) -> None:
    delivered = _run_links(seed, 300, corrupt, drop)
    assert delivered == [i.to_bytes(2, "big") for i in range(300)]
