"""The MQTT topic contract between kiosks and central (docs/asyncapi.yaml describes it).

Every topic name is built here, so the kiosk, the central reference and the AsyncAPI document
cannot drift apart. The prefix carries the contract version. Everything a kiosk publishes or
receives lives under `{prefix}/kiosk/{kiosk_id}/`, so one ACL pattern keeps a kiosk to its own.
"""

from __future__ import annotations

import re

KIOSK_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
"""A kiosk id is one topic segment: no '/', '+' or '#' that would address other kiosks' topics."""

DEFAULT_PREFIX = "cez/v1"
SHARE_GROUP = "cez-central"
"""The MQTT 5 shared-subscription group of central's workers: each message goes to one of them."""

# Leaves of the kiosk's own subtree.
DECLARATION = "declaration"
TELEMETRY = "telemetry"
ACK = "ack"
PRESENCE = "presence"
HEARTBEAT = "heartbeat"
DEVICE = "device"
COMMAND = "command"
REQUEST = "request"
RESPONSE = "response"


def kiosk_topic(prefix: str, kiosk_id: str, leaf: str) -> str:
    return f"{prefix}/kiosk/{kiosk_id}/{leaf}"


def declaration_topic(prefix: str, kiosk_id: str) -> str:
    """Where a kiosk publishes its records: declarations, certificates, audit (kiosk -> central)."""
    return kiosk_topic(prefix, kiosk_id, DECLARATION)


def telemetry_topic(prefix: str, kiosk_id: str) -> str:
    """Expendable telemetry through the outbox (kiosk -> central); acknowledged like records."""
    return kiosk_topic(prefix, kiosk_id, TELEMETRY)


def ack_topic(prefix: str, kiosk_id: str) -> str:
    """Where central acknowledges that kiosk's messages by UUID (central -> kiosk)."""
    return kiosk_topic(prefix, kiosk_id, ACK)


def presence_topic(prefix: str, kiosk_id: str) -> str:
    """Retained birth, last-will death of the kiosk (kiosk -> everyone)."""
    return kiosk_topic(prefix, kiosk_id, PRESENCE)


def heartbeat_topic(prefix: str, kiosk_id: str) -> str:
    return kiosk_topic(prefix, kiosk_id, HEARTBEAT)


def device_topic(prefix: str, kiosk_id: str, device: str) -> str:
    """Sparkplug-style birth/data/death of one device of the kiosk (retained)."""
    return f"{prefix}/kiosk/{kiosk_id}/{DEVICE}/{device}"


def all_declarations(prefix: str) -> str:
    """Every kiosk's declaration topic."""
    return f"{prefix}/kiosk/+/{DECLARATION}"


def shared(topic_filter: str, group: str = SHARE_GROUP) -> str:
    """The MQTT 5 shared subscription of `topic_filter`: the broker spreads messages over the group."""
    return f"$share/{group}/{topic_filter}"


def all_of(prefix: str, leaf: str) -> str:
    return f"{prefix}/kiosk/+/{leaf}"


def kiosk_id_of(prefix: str, topic: str, leaf: str) -> str | None:
    """The kiosk id in `{prefix}/kiosk/{id}/{leaf}`, or None when the topic has another shape."""
    head = f"{prefix}/kiosk/"
    tail = f"/{leaf}"
    if not (topic.startswith(head) and topic.endswith(tail)):
        return None
    kiosk_id = topic[len(head) : len(topic) - len(tail)]
    if not kiosk_id or "/" in kiosk_id:
        return None
    return kiosk_id


def split_kiosk_topic(prefix: str, topic: str) -> tuple[str, str] | None:
    """(kiosk_id, leaf path) of a topic under `{prefix}/kiosk/`, or None."""
    head = f"{prefix}/kiosk/"
    if not topic.startswith(head):
        return None
    kiosk_id, _, leaf = topic[len(head) :].partition("/")
    if not kiosk_id or not leaf:
        return None
    return kiosk_id, leaf
