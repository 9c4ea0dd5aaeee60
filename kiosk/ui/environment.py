"""Process environment Kivy reads at import time.

Kivy configures its window and logger when first imported and allows one window per process, so
these variables must be set before anything imports kivy; callers run this first and import the
UI lazily afterwards.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def prepare_kivy_environment() -> None:
    """Headless-safe defaults: offscreen SDL without a display, no argv parsing, a private KIVY_HOME."""
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        # offscreen renders real pixels; the "dummy" driver and the mock GL backend render nothing.
        os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
    # Kivy would otherwise treat the cez-kiosk command line as its own options.
    os.environ["KIVY_NO_ARGS"] = "1"
    if not os.environ.get("KIVY_HOME"):
        # Kivy writes its config and icons here; one stable directory per user, reused by every run,
        # rather than ~/.kivy (the kiosk user's home may be read-only) or a new directory per run.
        home = Path(tempfile.gettempdir()) / f"cez-kiosk-kivy-{os.getuid()}"
        home.mkdir(mode=0o700, exist_ok=True)
        if home.is_symlink() or home.stat().st_uid != os.getuid():
            # Someone else planted it in the shared temp directory: do not let Kivy write there.
            home = Path(tempfile.mkdtemp(prefix="cez-kiosk-kivy-"))
        os.environ["KIVY_HOME"] = str(home)
    # PYTHON mode leaves sys.stderr and the root logger to the CLI instead of Kivy taking them over.
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
    os.environ.setdefault("KIVY_NO_FILELOG", "1")
    # A kiosk: the size of its touchscreen, and Escape must not close the app.
    os.environ.setdefault("KCFG_GRAPHICS_WIDTH", "1280")
    os.environ.setdefault("KCFG_GRAPHICS_HEIGHT", "800")
    os.environ.setdefault("KCFG_KIVY_EXIT_ON_ESCAPE", "0")
