"""Simulators started for the devices tests, each on its own free port and stopped afterwards."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from devices.sim.escpos_printer import EscposPrinterSimulator


@pytest.fixture
def printer_sim() -> Iterator[EscposPrinterSimulator]:
    sim = EscposPrinterSimulator(pty=True)
    sim.start()
    yield sim
    sim.stop()


@pytest.fixture
def dead_url() -> str:
    """A socket:// URL where nothing listens (a port that was just free)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"socket://127.0.0.1:{port}"


class SocatLink:
    """`socat PTY,link=PATH ...`: a pty at a stable path bridged to `target`; `remove` kills socat (the
    path vanishes, like an unplugged USB-serial adapter), `create` starts it again (a new pty)."""

    def __init__(self, link: Path, target: str) -> None:
        self.link = link
        self.target = target
        self._process: subprocess.Popen[bytes] | None = None

    def create(self) -> None:
        self._process = subprocess.Popen(
            ["socat", f"PTY,link={self.link},raw,echo=0", self.target],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 5
        while not self.link.exists():
            if time.monotonic() > deadline:
                raise RuntimeError("socat did not create its pty")
            time.sleep(0.02)

    def remove(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=5)
            self._process = None
        deadline = time.monotonic() + 5
        while self.link.exists() and time.monotonic() < deadline:
            time.sleep(0.02)


@pytest.fixture
def socat_link(tmp_path: Path) -> Iterator[Callable[[str, str], SocatLink]]:
    if shutil.which("socat") is None:
        pytest.skip("socat is not installed")
    links: list[SocatLink] = []

    def make(name: str, target: str) -> SocatLink:
        link = SocatLink(tmp_path / name, target)
        link.create()
        links.append(link)
        return link

    yield make
    for link in links:
        link.remove()
