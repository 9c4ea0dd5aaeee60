"""KioskApp: the touchscreen, a thin client of the core's local API.

Every API call runs in a background thread (kiosk.ui.background) so the screen keeps answering
touches; outcomes come back on Kivy's main thread and move the flow between screens here.
Import this module only after kiosk.ui.environment.prepare_kivy_environment() (kiosk.ui.app.run_ui
does both).
"""

from __future__ import annotations

import logging
from functools import partial
from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.screenmanager import NoTransition

from kiosk.api.client import ApiError, Confirmation, CoreUnavailable, KioskApiClient, ScanResult
from kiosk.ui.background import call_in_background
from kiosk.ui.fonts import use_dejavu_as_default_font
from kiosk.ui.screens import (
    DoneScreen,
    ErrorScreen,
    HomeScreen,
    KioskScreenManager,
    OneMomentScreen,
    ReviewScreen,
    ScanningScreen,
)
from kiosk.ui.strings import LANGUAGES, STRINGS, error_key, tr

log = logging.getLogger(__name__)

# Not "kiosk.kv": App.load_kv would load that by the class's name too, and rules loaded twice give
# every widget its children twice.
KV_FILE = str(Path(__file__).with_name("screens.kv"))

# Actions include OCR of a page on a 2-core box; health must answer fast or the core is in trouble.
ACTION_TIMEOUT_S = 60.0
HEALTH_TIMEOUT_S = 2.0
HEALTH_INTERVAL_S = 2.0
# One missed health answer is a hiccup; this many in a row hide the idle screens behind "one moment".
HEALTH_FAILURES_BEFORE_ONE_MOMENT = 2
DONE_TIMEOUT_S = 30.0


class KioskApp(App):  # type: ignore[misc]
    language = StringProperty("ka")
    connected = BooleanProperty(False)
    # True while a scan or a confirmation is in flight: their buttons are disabled meanwhile.
    busy = BooleanProperty(False)

    def __init__(self, api_url: str, language: str = "ka", **kwargs: Any) -> None:
        if language not in LANGUAGES:
            raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, not {language!r}")
        super().__init__(**kwargs)
        self.language = language
        self.api = KioskApiClient(api_url, timeout=ACTION_TIMEOUT_S)
        self._health_api = KioskApiClient(api_url, timeout=HEALTH_TIMEOUT_S)
        self._session: ScanResult | None = None
        self._return_to = "home"
        self._health_in_flight = False
        self._health_failures = 0
        self._health_event: Any = None

    # --- Kivy lifecycle -------------------------------------------------------------------------

    def build(self) -> KioskScreenManager:
        self.title = "CEZ Kiosk"
        use_dejavu_as_default_font()
        # Rules must load once per process, however many apps a test process builds.
        if KV_FILE not in Builder.files:
            Builder.load_file(KV_FILE)
        manager = KioskScreenManager(transition=NoTransition())
        for screen in (
            HomeScreen(name="home"),
            ScanningScreen(name="scanning"),
            ReviewScreen(name="review"),
            DoneScreen(name="done", timeout_s=DONE_TIMEOUT_S),
            OneMomentScreen(name="one_moment"),
            ErrorScreen(name="error"),
        ):
            manager.add_widget(screen)
        return manager

    def on_start(self) -> None:
        self.poll_health()
        self._health_event = Clock.schedule_interval(lambda _dt: self.poll_health(), HEALTH_INTERVAL_S)

    def on_stop(self) -> None:
        if self._health_event is not None:
            self._health_event.cancel()
            self._health_event = None
        self.api.close()
        self._health_api.close()

    def save_screenshot(self, path: str) -> None:
        """PNG of the whole screen; the root's own background makes it opaque."""
        self.root.export_to_png(path)
        log.info("screenshot saved to %s", path)

    def open_settings(self, *_args: Any) -> bool:
        """A kiosk user must never reach Kivy's settings panel (F1 would open it)."""
        return False

    # --- texts ----------------------------------------------------------------------------------

    def tr(self, key: str, language: str | None = None) -> str:
        """Text for kv rules; they pass app.language so that a language switch re-evaluates them."""
        return tr(key, language or self.language)

    def field_label(self, field_name: str, language: str | None = None) -> str:
        key = f"field_{field_name}"
        return self.tr(key, language) if key in STRINGS else field_name

    def set_language(self, language: str) -> None:
        if language in LANGUAGES:
            self.language = language

    # --- the flow -------------------------------------------------------------------------------

    @property
    def current_screen(self) -> str:
        return str(self.root.current)

    def screen(self, name: str) -> Any:
        return self.root.get_screen(name)

    def show(self, name: str) -> None:
        self.root.current = name

    def start_scan(self) -> None:
        if self.busy:
            return
        self.busy = True
        self.show("scanning")
        call_in_background(self.api.scan_cmr, self._scanned, partial(self._failed, "home"))

    def _scanned(self, result: ScanResult) -> None:
        self.busy = False
        self._session = result
        log.info("scan session %s read %d fields", result.session_id, len(result.fields))
        self.screen("review").show(result)
        self.show("review")

    def confirm(self) -> None:
        if self.busy or self._session is None:
            return
        session_id = self._session.session_id
        corrections = self.screen("review").corrections()
        self.busy = True
        call_in_background(
            lambda: self.api.confirm(session_id, corrections),
            self._confirmed,
            partial(self._failed, "review"),
        )

    def _confirmed(self, confirmation: Confirmation) -> None:
        self.busy = False
        self._session = None
        log.info("declaration %s confirmed", confirmation.uuid)
        done: DoneScreen = self.screen("done")
        done.reference = confirmation.reference
        done.receipt_printed = confirmation.receipt_printed
        self.show("done")

    def cancel(self) -> None:
        """Abandon the scan; the core never hears of it again and keeps nothing confirmed."""
        self._session = None
        self.go_home()

    def go_home(self) -> None:
        self.show("home")

    def _failed(self, return_to: str, error: Exception) -> None:
        self.busy = False
        if isinstance(error, CoreUnavailable):
            self.connected = False
            self.show_one_moment(return_to)
        elif isinstance(error, ApiError):
            log.info("core refused: status %d", error.status)
            self.show_error(error.detail)
        else:
            log.error("unexpected API failure: %s", type(error).__name__)
            self.show_error("")

    def show_error(self, detail: str) -> None:
        error: ErrorScreen = self.screen("error")
        error.message_key = error_key(detail)
        error.detail = detail
        self.show("error")

    # --- connection to the core -----------------------------------------------------------------

    def show_one_moment(self, return_to: str) -> None:
        """Cover the screen until /health answers, then go back to `return_to` (edits kept)."""
        self._return_to = return_to
        self.show("one_moment")

    def poll_health(self) -> None:
        if self._health_in_flight:
            return
        self._health_in_flight = True
        call_in_background(self._health_api.health, self._health_answered, self._health_failed)

    def _health_answered(self, _health: dict[str, Any]) -> None:
        self._health_in_flight = False
        self._health_failures = 0
        self.connected = True
        if self.current_screen == "one_moment":
            self.show(self._return_to)

    def _health_failed(self, error: Exception) -> None:
        self._health_in_flight = False
        self.connected = False
        if not isinstance(error, CoreUnavailable):
            return
        self._health_failures += 1
        idle = self.current_screen in ("home", "review", "done")
        if idle and self._health_failures >= HEALTH_FAILURES_BEFORE_ONE_MOMENT:
            self.show_one_moment(self.current_screen)
