"""`cez-kiosk ui` entry: prepare Kivy's environment, then import and run KioskApp.

Kivy reads its environment on first import and allows one window per process, so this module
imports no kivy at module level; KioskApp itself lives in kiosk.ui.kiosk_app.
"""

from __future__ import annotations

# Long enough for the first frames, fonts and the first /health answer to reach the screen.
SCREENSHOT_DELAY_S = 1.5


def run_ui(
    api_url: str, language: str, screenshot: str | None = None, exit_after: float | None = None
) -> int:
    """Run the kiosk UI until closed, or for `exit_after` seconds; optionally save a PNG of the screen."""
    from kiosk.ui.environment import prepare_kivy_environment

    prepare_kivy_environment()

    from kivy.clock import Clock

    from kiosk.ui.kiosk_app import KioskApp

    app = KioskApp(api_url, language)
    pending = [screenshot] if screenshot else []

    def take_screenshot(_dt: float) -> None:
        if not pending:
            return
        app.save_screenshot(pending[0])
        if _fully_drawn(pending[0]):
            pending.pop()
        else:
            # A busy machine can get here before the first full frame: the picture is still empty.
            Clock.schedule_once(take_screenshot, 0.1)

    def finish(dt: float) -> None:
        # A stop that comes before the screenshot's time still leaves the picture behind.
        take_screenshot(dt)
        app.stop()

    if screenshot:
        Clock.schedule_once(take_screenshot, SCREENSHOT_DELAY_S)
    if exit_after is not None:
        Clock.schedule_once(finish, exit_after)
    app.run()
    return 0


def _fully_drawn(png_path: str) -> bool:
    """Every pixel opaque: the screens paint their own background, so a gap means not drawn yet."""
    from PIL import Image

    with Image.open(png_path) as image:
        return bool(image.convert("RGBA").getchannel("A").getextrema() == (255, 255))
