"""Wire framing: COBS-stuffed frames ended by a zero byte, each checked by CRC-16/CCITT.

A zero byte never appears inside a stuffed frame, so a receiver that lost bytes or saw garbage
resynchronises at the next zero, whatever happened before. The body carries its own length so a
frame merged with its neighbour (a corrupted delimiter) is rejected even before the CRC.

    body  = len(1) seq(1) msg(1) payload(len) crc16(2, big-endian, over len..payload)
    wire  = COBS(body) 0x00
"""

from __future__ import annotations

from dataclasses import dataclass

HEADER = 3
TRAILER = 2
MAX_PAYLOAD = 120
MAX_BODY = HEADER + MAX_PAYLOAD + TRAILER
MAX_ENCODED = MAX_BODY + MAX_BODY // 254 + 1
DELIMITER = 0


def crc16_ccitt(data: bytes, crc: int = 0xFFFF) -> int:
    """CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF): the check value of b"123456789" is 0x29B1."""
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def cobs_encode(data: bytes) -> bytes:
    """Consistent Overhead Byte Stuffing: the result has no zero byte and is at most len/254+1 longer."""
    out = bytearray()
    code_at = 0
    out.append(0)
    code = 1
    for byte in data:
        if byte:
            out.append(byte)
            code += 1
        if not byte or code == 0xFF:
            out[code_at] = code
            code_at = len(out)
            out.append(0)
            code = 1
    out[code_at] = code
    return bytes(out)


def cobs_decode(data: bytes) -> bytes | None:
    """The stuffed bytes decoded, or None when they are not valid COBS (a zero, or a code past the end)."""
    out = bytearray()
    i = 0
    while i < len(data):
        code = data[i]
        if code == 0 or i + code > len(data):
            return None
        block = data[i + 1 : i + code]
        if DELIMITER in block:
            return None
        out += block
        i += code
        if code < 0xFF and i < len(data):
            out.append(0)
    return bytes(out)


@dataclass(frozen=True)
class Frame:
    """One decoded frame: the sequence (or ack) number, the message id and its payload."""

    seq: int
    msg: int
    payload: bytes = b""


def encode_frame(frame: Frame) -> bytes:
    """The frame as wire bytes, delimiter included; ValueError for an oversize payload or bad numbers."""
    if len(frame.payload) > MAX_PAYLOAD:
        raise ValueError(f"payload of {len(frame.payload)} bytes exceeds {MAX_PAYLOAD}")
    body = bytes((len(frame.payload), frame.seq, frame.msg)) + frame.payload
    return cobs_encode(body + crc16_ccitt(body).to_bytes(2, "big")) + b"\x00"


def decode_body(stuffed: bytes) -> Frame | None:
    """The frame carried by one delimiter-less chunk, or None when stuffing, length or CRC is wrong."""
    body = cobs_decode(stuffed)
    if body is None or not HEADER + TRAILER <= len(body) <= MAX_BODY or body[0] != len(body) - HEADER - TRAILER:
        return None
    if crc16_ccitt(body[:-TRAILER]) != int.from_bytes(body[-TRAILER:], "big"):
        return None
    return Frame(seq=body[1], msg=body[2], payload=bytes(body[HEADER:-TRAILER]))


class FrameDecoder:
    """Splits a byte stream into frames; counts what it rejects instead of raising."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._overflow = False
        self.rejected = 0

    def feed(self, data: bytes) -> list[Frame]:
        """Every complete good frame in `data` (plus what was buffered); bad ones only bump `rejected`."""
        frames: list[Frame] = []
        for byte in data:
            if byte != DELIMITER:
                if len(self._buffer) < MAX_ENCODED:
                    self._buffer.append(byte)
                else:
                    self._overflow = True
                continue
            if self._buffer or self._overflow:
                frame = None if self._overflow else decode_body(bytes(self._buffer))
                if frame is None:
                    self.rejected += 1
                else:
                    frames.append(frame)
            self._buffer.clear()
            self._overflow = False
        return frames
