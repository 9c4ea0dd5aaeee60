"""Message ids, status codes, timing rules and the kiosk board's command dictionary.

The link-level messages (ack, nak, sync, heartbeat, boot) are fixed by the protocol version. The
application commands are not: the host reads their ids and argument types from the MCU's identify
dictionary, so firmware may renumber or add commands without a host release. `DICTIONARY` is the
kiosk board's dictionary, served verbatim by both the Python simulator and the C reference
(`firmware_bridge/c/fb_kiosk.c` holds the same text; a test keeps them and the docs in step).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

PROTOCOL_VERSION = 1

# Link messages (ids below 0x10): unsequenced, never acked, never retransmitted.
ACK = 0x01  # seq field = next sequence number the sender of the ack expects (cumulative)
NAK = 0x02  # seq field = next expected; the peer retransmits from there
SYNC = 0x03  # host -> MCU: version u8, nonce u16; resets both directions to seq 0 (once per nonce)
SYNCED = 0x04  # MCU -> host: version u8, nonce u16, boot_id u32, flags u8, failsafe_trips u16
HEARTBEAT = 0x05  # both ways, payload empty
BOOT = 0x06  # MCU -> host: boot_id u32; at power-up and whenever an unsynced MCU gets a sequenced frame
SEQUENCED_BASE = 0x10  # ids below are link messages; unknown ones are ignored, never acked

# Sequenced messages.
IDENTIFY = 0x10  # host -> MCU: tag u16, offset u16 -> RESPONSE result total u16 + chunk of the dictionary
RESPONSE = 0x40  # MCU -> host: tag u16, status u8, result
EVENT = 0x41  # MCU -> host: event id u8, value u8

SYNCED_FAILSAFE = 0x01  # SYNCED flags bit: the failsafe tripped since the previous sync

IDENTIFY_CHUNK = 96
DOOR_MAX_MS = 60000
TOWER_COLORS = ("off", "green", "yellow", "red")
SAFE_TOWER = 3  # the failsafe shows red: out of service

# Timing rules (milliseconds), also published in the dictionary's "timing".
HEARTBEAT_MS = 200
FAILSAFE_MS = 1000
RTO_INITIAL_MS = 200
RTO_MIN_MS = 20
RTO_MAX_MS = 2000
WINDOW = 8
MCU_TX_QUEUE = 16  # frames the MCU can hold queued or unacked (the C firmware's fixed buffer)


class Status(IntEnum):
    """Result codes in RESPONSE frames."""

    OK = 0
    BAD_ARGS = 1
    UNKNOWN_COMMAND = 2
    JAMMED = 3
    EMPTY = 4
    ESTOP = 5


TYPE_SIZES = {"u8": 1, "u16": 2, "u32": 4}


def _command(name: str, cid: int, args: list[str], result: list[str]) -> dict[str, Any]:
    return {"name": name, "id": cid, "args": args, "result": result}


DICTIONARY: dict[str, Any] = {
    "protocol": PROTOCOL_VERSION,
    "firmware": "cez-kiosk-board 1.0",
    "timing": {"heartbeat_ms": HEARTBEAT_MS, "failsafe_ms": FAILSAFE_MS},
    "commands": [
        _command("identify", IDENTIFY, ["offset:u16"], ["total:u16", "chunk:bytes"]),
        _command("feeder.feed", 0x20, [], []),
        _command("feeder.eject", 0x21, [], []),
        _command("light.set", 0x22, ["level:u8"], []),
        _command("tower.set", 0x23, ["color:u8"], []),
        _command("door.unlock", 0x24, ["duration_ms:u16"], []),
        _command("sensors.read", 0x25, [], ["presence:u8", "tamper:u8", "paper_low:u8", "estop:u8"]),
        _command("diag.echo", 0x26, ["token:u32"], ["token:u32", "executed:u32"]),
    ],
    "events": [
        {"name": "presence", "id": 1},
        {"name": "tamper", "id": 2},
        {"name": "paper_low", "id": 3},
        {"name": "estop", "id": 4},
    ],
}


def dictionary_bytes() -> bytes:
    """The dictionary as served over identify: compact JSON, the exact bytes the C firmware embeds."""
    return json.dumps(DICTIONARY, separators=(",", ":")).encode()


@dataclass(frozen=True)
class CommandSpec:
    """One command as the firmware describes it: the host encodes arguments from this, never from constants."""

    name: str
    id: int
    args: tuple[tuple[str, str], ...]
    result: tuple[tuple[str, str], ...]

    def encode_args(self, values: dict[str, int]) -> bytes:
        """Arguments as big-endian integers in dictionary order; ValueError for missing or out-of-range ones."""
        out = bytearray()
        for name, kind in self.args:
            if name not in values:
                raise ValueError(f"{self.name} needs argument {name!r}")
            out += int(values[name]).to_bytes(TYPE_SIZES[kind], "big")
        return bytes(out)

    def decode_result(self, data: bytes) -> dict[str, int]:
        """The result fields by name; ValueError when the payload does not match the dictionary."""
        values: dict[str, int] = {}
        at = 0
        for name, kind in self.result:
            size = TYPE_SIZES[kind]
            if at + size > len(data):
                raise ValueError(f"{self.name} result too short")
            values[name] = int.from_bytes(data[at : at + size], "big")
            at += size
        if at != len(data):
            raise ValueError(f"{self.name} result has {len(data) - at} unexpected bytes")
        return values


def parse_fields(fields: list[str]) -> tuple[tuple[str, str], ...]:
    """["level:u8", ...] -> (("level", "u8"), ...); ValueError for unknown types."""
    parsed = []
    for field in fields:
        name, _, kind = field.partition(":")
        if kind not in TYPE_SIZES and kind != "bytes":
            raise ValueError(f"unknown field type {kind!r} in {field!r}")
        parsed.append((name, kind))
    return tuple(parsed)


def parse_dictionary(data: bytes) -> tuple[dict[str, CommandSpec], dict[int, str], dict[str, Any]]:
    """Commands by name, event names by id, and the whole document; ValueError when malformed."""
    try:
        document = json.loads(data)
        commands = {
            c["name"]: CommandSpec(c["name"], int(c["id"]), parse_fields(c["args"]), parse_fields(c["result"]))
            for c in document["commands"]
        }
        events = {int(e["id"]): str(e["name"]) for e in document["events"]}
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise ValueError(f"malformed identify dictionary: {exc}") from exc
    return commands, events, document
