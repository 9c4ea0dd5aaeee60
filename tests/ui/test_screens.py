"""The kiosk app in an offscreen window, driven by real touches (tests/fixtures/kivy.py).

Kivy modules are imported inside the tests: `kivy_env` must configure Kivy before its first import.
"""

from __future__ import annotations

from typing import Any

from kiosk.ui.strings import LANGUAGES, tr
from tests.fixtures.kivy import KivyAppRunner
from tests.ui.canned_http import HEALTHY, free_port, serve_canned


def label_texts(widget: Any) -> list[str]:
    from kivy.uix.label import Label

    return [w.text for w in widget.walk() if isinstance(w, Label)]


def make_app(url: str, language: str = "ka") -> Any:
    from kiosk.ui.kiosk_app import KioskApp

    return KioskApp(url, language)


def test_home_greets_in_georgian_english_and_russian(kivy_app_runner: KivyAppRunner) -> None:
    with serve_canned(HEALTHY) as url:
        app = kivy_app_runner.start(make_app(url))
        kivy_app_runner.pump(until=lambda: app.connected)
        texts = label_texts(app.screen("home"))
    assert app.current_screen == "home"
    for language in LANGUAGES:
        assert tr("title", language) in texts
        assert tr("welcome", language) in texts
    assert tr("connected", "ka") in texts


def test_language_buttons_switch_the_texts(kivy_app_runner: KivyAppRunner) -> None:
    with serve_canned(HEALTHY) as url:
        app = kivy_app_runner.start(make_app(url, "ka"))
        home = app.screen("home")
        scan_button = home.ids.scan_button
        assert scan_button.text == tr("scan_cmr", "ka")

        kivy_app_runner.tap(home.ids.lang_en)
        assert app.language == "en"
        assert scan_button.text == "Scan CMR"

        kivy_app_runner.tap(home.ids.lang_ru)
        assert scan_button.text == "Сканировать CMR"
        assert app.screen("review").ids.confirm_button.text == "Подтвердить"


def test_georgian_letters_render_as_distinct_glyphs(kivy_app_runner: KivyAppRunner) -> None:
    """With Roboto both letters would be the same empty box; DejaVu Sans draws each one."""
    from kivy.core.text import Label as CoreLabel

    kivy_app_runner.start(make_app(f"http://127.0.0.1:{free_port()}"))

    def pixels(text: str) -> bytes:
        label = CoreLabel(text=text, font_size=40)
        label.refresh()
        return bytes(label.texture.pixels)

    assert pixels("ქ") != pixels("ა")


def test_unreachable_core_shows_one_moment_until_it_is_back(kivy_app_runner: KivyAppRunner) -> None:
    port = free_port()
    app = kivy_app_runner.start(make_app(f"http://127.0.0.1:{port}"))
    kivy_app_runner.pump(until=lambda: app.current_screen == "one_moment", timeout=10)
    assert not app.connected
    one_moment = app.screen("one_moment")
    assert tr("one_moment", "ka") in label_texts(one_moment)
    ring = one_moment.ids.ring
    start_angle = ring.angle
    kivy_app_runner.pump(until=lambda: ring.angle != start_angle)

    with serve_canned(HEALTHY, port=port):
        kivy_app_runner.pump(until=lambda: app.current_screen == "home", timeout=10)
        assert app.connected


def test_scanner_refusal_is_explained_in_the_drivers_language(kivy_app_runner: KivyAppRunner) -> None:
    routes = dict(HEALTHY)
    routes[("POST", "/api/v1/cmr/scan")] = (409, {"detail": "feeder empty"})
    with serve_canned(routes) as url:
        app = kivy_app_runner.start(make_app(url, "ru"))
        kivy_app_runner.tap(app.screen("home").ids.scan_button)
        kivy_app_runner.pump(until=lambda: app.current_screen == "error")
        error = app.screen("error")
        assert error.ids.message_label.text == tr("error_feeder_empty", "ru")
        assert error.ids.detail_label.text == "feeder empty"

        kivy_app_runner.tap(error.ids.home_button)
        assert app.current_screen == "home"
        assert not app.screen("home").ids.scan_button.disabled


def test_core_restart_during_review_keeps_the_drivers_edits(kivy_app_runner: KivyAppRunner) -> None:
    routes = dict(HEALTHY)
    plate = {"value": "AB1", "confidence": 0.5}
    routes[("POST", "/api/v1/cmr/scan")] = (
        200,
        {"session_id": "s1", "doc_type": "cmr", "fields": {"vehicle_plate": plate}},
    )
    port = free_port()
    with serve_canned(routes, port=port) as url:
        app = kivy_app_runner.start(make_app(url, "en"))
        kivy_app_runner.tap(app.screen("home").ids.scan_button)
        kivy_app_runner.pump(until=lambda: app.current_screen == "review")
        (row,) = app.screen("review").rows()
        assert row.low_confidence
        row.ids.value_input.text = "GE-777-XX"

    kivy_app_runner.pump(until=lambda: app.current_screen == "one_moment", timeout=10)
    with serve_canned(routes, port=port):
        kivy_app_runner.pump(until=lambda: app.current_screen == "review", timeout=10)
    assert app.screen("review").corrections() == {"vehicle_plate": "GE-777-XX"}
