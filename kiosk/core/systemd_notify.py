"""systemd's notify protocol (Type=notify, WatchdogSec): a datagram to $NOTIFY_SOCKET.

A few lines of socket code rather than a dependency; outside systemd it does nothing.
"""

from __future__ import annotations

import logging
import os
import socket

log = logging.getLogger(__name__)


def notify(message: str) -> bool:
    """Send e.g. 'READY=1', 'WATCHDOG=1', 'STOPPING=1'; return whether systemd was there to hear it.

    Never raises: a supervisor that went away must not take the kiosk down with it.
    """
    address = os.environ.get("NOTIFY_SOCKET")
    if not address:
        return False
    if address.startswith("@"):  # abstract namespace socket
        address = "\0" + address[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            sock.settimeout(1.0)
            sock.connect(address)
            sock.sendall(message.encode())
    except OSError as exc:
        log.warning("systemd notification failed", extra={"ctx": {"message": message, "error": str(exc)}})
        return False
    return True


def watchdog_interval_s() -> float | None:
    """Half the watchdog period systemd asked for, or None when there is no watchdog."""
    usec = os.environ.get("WATCHDOG_USEC")
    return int(usec) / 2_000_000 if usec and usec.isdigit() else None
