"""`cez-kiosk firmware`: identify a board over its pty, and the simulator started from the CLI."""

from __future__ import annotations

import json
import subprocess
import sys

from click.testing import CliRunner

from firmware_bridge.peers import PeerProcess, peer_command
from kiosk.cli import main


def test_identify_prints_the_boards_dictionary() -> None:
    with PeerProcess(peer_command("python", None)) as board:
        result = CliRunner().invoke(main, ["firmware", "identify", f"serial://{board.path}", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["state"] == "ready"
    assert document["protocol"] == 1
    assert "door.unlock" in document["commands"]
    assert document["events"] == ["estop", "paper_low", "presence", "tamper"]


def test_identify_exit_codes_for_absent_board_and_bad_url() -> None:
    absent = CliRunner().invoke(main, ["firmware", "identify", "/dev/no-such-board", "--json", "--timeout", "0.3"])
    assert absent.exit_code == 1
    assert json.loads(absent.output)["state"] == "absent"
    bad = CliRunner().invoke(main, ["firmware", "identify", "socket://127.0.0.1:1"])
    assert bad.exit_code == 2


def test_simulate_serves_a_pty_and_quits_on_request() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "firmware", "simulate"], input="quit\n",
        capture_output=True, text=True, timeout=30,
    )
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert lines[0]["event"] == "ready" and lines[0]["path"].startswith("/dev/pts/")
