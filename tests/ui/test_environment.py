"""What `run_ui` sets before Kivy's first import (checked without importing Kivy)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.ui.environment import prepare_kivy_environment


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """No display and no Kivy variables; the whole environment is restored afterwards."""
    saved = dict(os.environ)
    for name in list(os.environ):
        if name.startswith(("KIVY_", "KCFG_", "SDL_")) or name in ("DISPLAY", "WAYLAND_DISPLAY"):
            monkeypatch.delenv(name)
    yield monkeypatch
    os.environ.clear()
    os.environ.update(saved)


def test_without_a_display_kivy_renders_offscreen_in_a_private_home(clean_env: pytest.MonkeyPatch) -> None:
    prepare_kivy_environment()
    assert os.environ["SDL_VIDEODRIVER"] == "offscreen"
    assert os.environ["KIVY_NO_ARGS"] == "1"
    assert os.environ["KIVY_LOG_MODE"] == "PYTHON"
    home = Path(os.environ["KIVY_HOME"])
    assert home.is_dir()
    assert home.stat().st_uid == os.getuid()


def test_a_display_and_an_existing_kivy_home_are_honoured(
    clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    clean_env.setenv("DISPLAY", ":0")
    clean_env.setenv("KIVY_HOME", str(tmp_path))
    prepare_kivy_environment()
    assert "SDL_VIDEODRIVER" not in os.environ
    assert os.environ["KIVY_HOME"] == str(tmp_path)
