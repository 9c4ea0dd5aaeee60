"""`cez-kiosk firmware`: identify the mechanics board on a serial line, or run its simulator on a pty."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import click

from devices.mcu_board import device_path
from firmware_bridge.errors import McuUnavailable, VersionMismatch
from firmware_bridge.host import McuBridge
from firmware_bridge.peers import PEERS, build_c_peer, peer_command
from kiosk.commands.common import emit, fail


@click.group()
def firmware() -> None:
    """The kiosk's mechanics board (MCU): identify it, or simulate it."""


@firmware.command("identify")
@click.argument("device")
@click.option("--timeout", type=float, default=3.0, show_default=True, help="Seconds to wait for the board.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
def identify(device: str, timeout: float, as_json: bool) -> None:
    """Sync with the board at DEVICE (a path or serial:///dev/...) and print what it says about itself.

    Exit 1 when the board does not answer or speaks another protocol version.
    """
    try:
        path = device_path(device)
    except ValueError as exc:
        fail(str(exc))
    with McuBridge(path) as bridge:
        try:
            identity = bridge.connect(timeout)
        except VersionMismatch as exc:
            emit({"device": path, "state": "incompatible", "detail": str(exc)}, as_json)
            sys.exit(1)
        except McuUnavailable as exc:
            emit({"device": path, "state": "absent", "detail": str(exc)}, as_json)
            sys.exit(1)
        emit(
            {
                "device": path,
                "state": "ready",
                "protocol": identity.version,
                "firmware": identity.firmware,
                "boot_id": f"{identity.boot_id:08x}",
                "failsafe_trips": identity.failsafe_trips,
                "commands": sorted(identity.commands),
                "events": sorted(identity.events.values()),
            },
            as_json,
        )


@firmware.command("simulate")
@click.option("--peer", type=click.Choice(PEERS), default="python", show_default=True,
              help="The Python simulator or the C reference firmware (built with the system cc).")
@click.option("--protocol-version", type=int, default=None, help="Claim another protocol version (testing).")
def simulate(peer: str, protocol_version: int | None) -> None:
    """Run the board on a new pty until stdin closes.

    Prints {"event": "ready", "path": ...} then a JSON line per actuator change; reads control
    lines on stdin (presence|tamper|paper_low|estop 0|1, jam 0|1, empty 0|1, reboot, quit).
    """
    with tempfile.TemporaryDirectory(prefix="cez-fb-") as workdir:
        try:
            binary = build_c_peer(Path(workdir)) if peer == "c" else None
        except RuntimeError as exc:
            fail(str(exc).splitlines()[0])
        sys.exit(subprocess.run(peer_command(peer, binary, protocol_version)).returncode)
