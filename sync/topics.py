"""The MQTT topic contract between kiosks and central.

Every topic name is built here, so the kiosk, the central reference and (later) the AsyncAPI
document cannot drift apart. The prefix carries the contract version.
"""

from __future__ import annotations

DEFAULT_PREFIX = "cez/v1"


def declaration_topic(prefix: str, kiosk_id: str) -> str:
    """Where a kiosk publishes its declaration drafts (kiosk -> central)."""
    return f"{prefix}/kiosk/{kiosk_id}/declaration"


def ack_topic(prefix: str, kiosk_id: str) -> str:
    """Where central acknowledges that kiosk's messages by UUID (central -> kiosk)."""
    return f"{prefix}/kiosk/{kiosk_id}/ack"


def all_declarations(prefix: str) -> str:
    """Central's subscription: every kiosk's declaration topic."""
    return f"{prefix}/kiosk/+/declaration"


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
