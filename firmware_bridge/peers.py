"""MCU peers as processes: the Python simulator or the C reference firmware built with the system cc.

Both speak the same stdio protocol (see `firmware_bridge.simulator`), so tests, the benchmark and the
CLI drive either one through `PeerProcess` without knowing which it is.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

C_SOURCES = Path(__file__).resolve().parent / "c"
C_FLAGS = ("-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-O2")
PEERS = ("python", "c")

State = dict[str, Any]


def build_c_peer(out_dir: Path, compiler: str | None = None) -> Path:
    """Compile firmware_bridge/c into `out_dir/fb_host` (system gcc); RuntimeError with its output on failure."""
    cc = compiler or shutil.which("gcc") or shutil.which("cc")
    if cc is None:
        raise RuntimeError("no C compiler (gcc or cc) on PATH")
    binary = out_dir / "fb_host"
    sources = [str(C_SOURCES / name) for name in ("host_main.c", "fb_kiosk.c", "fb_link.c")]
    done = subprocess.run([cc, *C_FLAGS, "-o", str(binary), *sources], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"building the C peer failed:\n{done.stderr}")
    return binary


def peer_command(peer: str, c_binary: Path | None, version: int | None = None) -> list[str]:
    """The command line that starts `peer` ("python" or "c")."""
    extra = [] if version is None else ["--version", str(version)]
    if peer == "python":
        return [sys.executable, "-m", "firmware_bridge.simulator", *extra]
    if peer == "c" and c_binary is not None:
        return [str(c_binary), *extra]
    raise ValueError(f"unknown peer {peer!r} (or no C binary built)")


class PeerProcess:
    """A running peer: its pty `path`, its actuator `states` as printed, and `control` lines to send."""

    def __init__(self, command: list[str], timeout: float = 10.0) -> None:
        self._process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1
        )
        assert self._process.stdout is not None
        line = self._process.stdout.readline()
        try:
            ready = json.loads(line)
        except json.JSONDecodeError as exc:
            self.close()
            raise RuntimeError(f"peer did not start: {line!r}") from exc
        self.path: str = ready["path"]
        self.states: list[State] = []
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, name="peer-stdout", daemon=True)
        self._reader.start()
        self.wait_state(lambda _state: True, timeout)

    def _read(self) -> None:
        assert self._process.stdout is not None
        for line in self._process.stdout:
            state = json.loads(line)
            with self._changed:
                self.states.append(state)
                self._changed.notify_all()

    @property
    def state(self) -> State:
        """The latest actuator state line."""
        with self._changed:
            return self.states[-1]

    def wait_state(self, predicate: Callable[[State], bool], timeout: float = 5.0) -> State:
        """The first printed state (old or new) after the latest change satisfying `predicate`; TimeoutError."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not (self.states and predicate(self.states[-1])):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"peer state never matched; last {self.states[-1:] or None}")
                self._changed.wait(remaining)
            return self.states[-1]

    def control(self, line: str) -> None:
        """Send one control line (sensor change, fault, reboot)."""
        assert self._process.stdin is not None
        self._process.stdin.write(line + "\n")
        self._process.stdin.flush()

    def alive(self) -> bool:
        return self._process.poll() is None

    def close(self) -> None:
        """Ask the peer to quit, then make sure it is gone."""
        if self._process.poll() is None:
            try:
                self.control("quit")
                self._process.wait(timeout=3)
            except (OSError, subprocess.TimeoutExpired):
                self._process.kill()
                self._process.wait()
        if hasattr(self, "_reader"):
            self._reader.join(timeout=3)
        for stream in (self._process.stdin, self._process.stdout):
            if stream is not None:
                stream.close()

    def __enter__(self) -> PeerProcess:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
