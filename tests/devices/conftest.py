"""Simulators started for the devices tests, each on its own free port and stopped afterwards."""

from __future__ import annotations

import socket
from collections.abc import Iterator

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
