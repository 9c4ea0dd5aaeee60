"""A kiosk process that announces itself and one device, then waits to be killed.

Usage: python -m tests.sync.presence_kiosk BROKER_PORT KIOSK_ID BD_SEQ. Prints "ready" once its
birth and device birth were published; SIGKILL makes the broker publish its last will.
"""

from __future__ import annotations

import sys
import threading
import time

from sync.mqtt_link import MqttLink
from sync.presence import Presence
from sync.topics import DEFAULT_PREFIX


def main(port: int, kiosk_id: str, bd_seq: int) -> None:
    connected = threading.Event()
    link: MqttLink
    presence = Presence(DEFAULT_PREFIX, kiosk_id, "test", lambda t, p, r: link.publish_state(t, p, r), bd_seq)
    link = MqttLink(
        "127.0.0.1",
        port,
        f"presence-{kiosk_id}",
        on_connected=connected.set,
        on_disconnected=lambda: None,
        on_puback=lambda uuid: None,
        on_message=lambda topic, payload: None,
        will=presence.will(),
    )
    link.start()
    if not connected.wait(10):
        sys.exit(1)
    presence.on_connected()
    presence.device_state("scanner", "scanner", "ready")
    presence.heartbeat({"outbox_queued": 3})
    print("ready", flush=True)
    time.sleep(60)


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2], int(sys.argv[3]))
