"""The MCU simulator as a process: the board on a real pty, driven and observed through stdio.

    python -m firmware_bridge.simulator [--version N]

It prints `{"event": "ready", "path": "/dev/pts/N"}` first, then one `{"event": "state", ...}` line
each time an actuator changes. It reads control lines on stdin: `presence|tamper|paper_low|estop 0|1`
(sensor changes, reported as events), `jam 0|1` and `empty 0|1` (feeder faults), `reboot` (a new
power cycle with a new boot id), `quit`. The C reference host program (firmware_bridge/c/host_main.c)
speaks exactly this stdio protocol, so tests and the benchmark drive either peer the same way.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import select
import sys
import time
import tty
from typing import Any

from firmware_bridge.mcu import SENSORS, SimulatedMcu
from firmware_bridge.protocol import PROTOCOL_VERSION


def _emit(line: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(line) + "\n")
    sys.stdout.flush()


def _control(mcu: SimulatedMcu, line: str, version: int) -> SimulatedMcu | None:
    """Apply one stdin control line; returns the (possibly rebooted) MCU, or None to quit."""
    words = line.split()
    if not words:
        return mcu
    if words[0] == "quit":
        return None
    if words[0] == "reboot":
        return SimulatedMcu(random.getrandbits(32), time.monotonic(), version)
    if len(words) == 2 and words[1] in ("0", "1"):
        value = int(words[1])
        if words[0] in SENSORS:
            mcu.set_sensor(words[0], value)
        elif words[0] == "jam":
            mcu.mechanism.jam = bool(value)
        elif words[0] == "empty":
            mcu.mechanism.empty = bool(value)
        else:
            print(f"unknown control {words[0]!r}", file=sys.stderr)
        return mcu
    print(f"bad control line {line.strip()!r}", file=sys.stderr)
    return mcu


def serve(version: int) -> None:
    """Run the board on a new pty until stdin closes or says quit."""
    master, slave = os.openpty()
    tty.setraw(slave)
    os.set_blocking(master, False)
    _emit({"event": "ready", "path": os.ttyname(slave)})
    mcu: SimulatedMcu | None = SimulatedMcu(random.getrandbits(32), time.monotonic(), version)
    stdin = sys.stdin.fileno()
    printed: dict[str, Any] = {}
    pending = b""
    controls = b""
    while mcu is not None:
        now = time.monotonic()
        state = mcu.state(now)
        if state != printed:
            printed = state
            _emit({"event": "state", **state})
        pending += mcu.drain()
        if pending:
            with contextlib.suppress(BlockingIOError):
                pending = pending[os.write(master, pending) :]
        timeout = max(0.0, mcu.deadline(now) - now)
        readable, _, _ = select.select([master, stdin], [master] if pending else [], [], min(timeout, 0.05))
        now = time.monotonic()
        if master in readable:
            with contextlib.suppress(BlockingIOError, OSError):
                mcu.feed(os.read(master, 4096), now)
        if stdin in readable:
            chunk = os.read(stdin, 4096)
            if not chunk:
                break
            controls += chunk
            while mcu is not None and b"\n" in controls:
                line, _, controls = controls.partition(b"\n")
                mcu = _control(mcu, line.decode(errors="replace"), version)
        if mcu is not None:
            mcu.poll(time.monotonic())
    os.close(master)
    os.close(slave)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", type=int, default=PROTOCOL_VERSION, help="protocol version to claim")
    serve(parser.parse_args().version)


if __name__ == "__main__":
    main()
