"""`run_ui` as the CLI runs it: its own process, because Kivy allows one window per process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PIL import Image, ImageStat

# Interpreter and Kivy start-up, two seconds of UI, the PNG: far below this on an idle box.
SUBPROCESS_TIMEOUT_S = 60


def test_run_ui_saves_a_screenshot_and_exits(
    kivy_env: dict[str, str], core_api_url: str, tmp_path: Path
) -> None:
    shot = tmp_path / "home.png"
    code = (
        "import sys; from kiosk.ui import run_ui; "
        f"sys.exit(run_ui({core_api_url!r}, 'ka', screenshot={str(shot)!r}, exit_after=2.5))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, **kivy_env},
        capture_output=True,
        text=True,
        timeout=SUBPROCESS_TIMEOUT_S,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    image = Image.open(shot)
    assert image.size == (1280, 800)
    assert image.convert("RGBA").getchannel("A").getextrema() == (255, 255)  # opaque everywhere
    assert ImageStat.Stat(image.convert("L")).stddev[0] > 10  # not one flat colour
