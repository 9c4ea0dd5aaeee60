"""The kiosk app in an offscreen window, driven by real touches (tests/fixtures/kivy.py), against the
real core (tests/fixtures/core.py): its refusals, its absence and its restarts are the real ones.

Kivy modules are imported inside the tests: `kivy_env` must configure Kivy before its first import.
"""

from __future__ import annotations

from typing import Any

import pytest

from kiosk.api.client import ApiError, KioskApiClient
from kiosk.ui.strings import LANGUAGES, tr
from sync.broker import free_port
from tests.fixtures.core import KioskRig
from tests.fixtures.kivy import KivyAppRunner

# Reading a page with Tesseract on a 2-core box may take a while.
SCAN_TIMEOUT_S = 60
# Two missed health polls, two seconds apart, cover the screen; one answered poll uncovers it.
HEALTH_TIMEOUT_S = 10


def label_texts(widget: Any) -> list[str]:
    from kivy.uix.label import Label

    return [w.text for w in widget.walk() if isinstance(w, Label)]


def make_app(url: str, language: str = "ka") -> Any:
    from kiosk.ui.kiosk_app import KioskApp

    return KioskApp(url, language)


def test_home_greets_in_georgian_english_and_russian(kivy_app_runner: KivyAppRunner, core_api_url: str) -> None:
    app = kivy_app_runner.start(make_app(core_api_url))
    kivy_app_runner.pump(until=lambda: app.connected)
    texts = label_texts(app.screen("home"))
    assert app.current_screen == "home"
    for language in LANGUAGES:
        assert tr("title", language) in texts
        assert tr("welcome", language) in texts
    assert tr("connected", "ka") in texts


def test_language_buttons_switch_the_texts(kivy_app_runner: KivyAppRunner, core_api_url: str) -> None:
    app = kivy_app_runner.start(make_app(core_api_url, "ka"))
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
    """With Roboto both letters would be the same empty box; DejaVu Sans draws each one.

    Only the font matters here, so nothing listens at the app's URL."""
    from kivy.core.text import Label as CoreLabel

    kivy_app_runner.start(make_app(f"http://127.0.0.1:{free_port()}"))

    def pixels(text: str) -> bytes:
        label = CoreLabel(text=text, font_size=40)
        label.refresh()
        return bytes(label.texture.pixels)

    assert pixels("ქ") != pixels("ა")


def test_an_unsure_reading_is_highlighted(kivy_app_runner: KivyAppRunner) -> None:
    """The threshold itself, on rows the real core cannot be made to read at a chosen confidence."""
    from kiosk.ui.widgets import LOW_CONFIDENCE, FieldRow

    kivy_app_runner.start(make_app(f"http://127.0.0.1:{free_port()}", "en"))
    assert FieldRow(field_name="vehicle_plate", original="AB1", confidence=0.5).low_confidence
    assert FieldRow(field_name="vehicle_plate", original="AB1", confidence=LOW_CONFIDENCE - 0.01).low_confidence
    assert not FieldRow(field_name="vehicle_plate", original="AB1", confidence=LOW_CONFIDENCE).low_confidence


def test_review_lists_the_cmr_fields_in_paper_order_then_unknown_ones(kivy_app_runner: KivyAppRunner) -> None:
    from kiosk.api.client import FieldReading, ScanResult
    from kiosk.ui.screens import CMR_FIELD_ORDER

    app = kivy_app_runner.start(make_app(f"http://127.0.0.1:{free_port()}", "en"))
    names = ["seal_number", *reversed(CMR_FIELD_ORDER)]
    review = app.screen("review")
    review.show(ScanResult("s1", "cmr", {name: FieldReading(f"{name}-value", 0.99) for name in names}))
    rows = review.rows()
    assert [row.field_name for row in rows] == [*CMR_FIELD_ORDER, "seal_number"]
    assert review.corrections() == {}
    rows[-1].ids.value_input.text = "corrected"
    assert review.corrections() == {"seal_number": "corrected"}
    review.show(ScanResult("s2", "cmr", {"sender": FieldReading("next", 0.99)}))  # the next scan replaces them
    assert [(row.field_name, row.original) for row in review.rows()] == [("sender", "next")]


def test_unreachable_core_shows_one_moment_until_it_is_back(
    kivy_app_runner: KivyAppRunner, kiosk_rig: KioskRig
) -> None:
    # The rig's core is configured but not started: its port refuses connections.
    app = kivy_app_runner.start(make_app(kiosk_rig.api_url))
    kivy_app_runner.pump(until=lambda: app.current_screen == "one_moment", timeout=HEALTH_TIMEOUT_S)
    assert not app.connected
    one_moment = app.screen("one_moment")
    assert tr("one_moment", "ka") in label_texts(one_moment)
    ring = one_moment.ids.ring
    start_angle = ring.angle
    kivy_app_runner.pump(until=lambda: ring.angle != start_angle)

    kiosk_rig.core.start()
    kivy_app_runner.pump(until=lambda: app.current_screen == "home", timeout=HEALTH_TIMEOUT_S)
    assert app.connected


def test_scanner_refusal_is_explained_in_the_drivers_language(
    kivy_app_runner: KivyAppRunner, kiosk_rig: KioskRig, core_api_url: str
) -> None:
    kiosk_rig.scanner.unload()
    app = kivy_app_runner.start(make_app(core_api_url, "ru"))
    kivy_app_runner.tap(app.screen("home").ids.scan_button)
    kivy_app_runner.pump(until=lambda: app.current_screen == "error", timeout=SCAN_TIMEOUT_S)
    error = app.screen("error")
    assert error.ids.message_label.text == tr("error_feeder_empty", "ru")
    # The operator's detail under the driver's sentence is the core's own words.
    with KioskApiClient(core_api_url) as client, pytest.raises(ApiError) as refused:
        client.scan_cmr()
    assert refused.value.status == 409
    assert error.ids.detail_label.text == refused.value.detail

    kivy_app_runner.tap(error.ids.home_button)
    assert app.current_screen == "home"
    assert not app.screen("home").ids.scan_button.disabled


def test_core_restart_during_review_keeps_the_drivers_edits(
    kivy_app_runner: KivyAppRunner, kiosk_rig: KioskRig, core_api_url: str
) -> None:
    from kiosk.ui.widgets import LOW_CONFIDENCE

    app = kivy_app_runner.start(make_app(core_api_url, "en"))
    kivy_app_runner.tap(app.screen("home").ids.scan_button)
    kivy_app_runner.pump(until=lambda: app.current_screen == "review", timeout=SCAN_TIMEOUT_S)
    review = app.screen("review")
    rows = review.rows()
    assert all(row.low_confidence == (row.confidence < LOW_CONFIDENCE) for row in rows)
    plate = next(row for row in rows if row.field_name == "vehicle_plate")
    assert plate.original != "GE-777-XX"
    plate.ids.value_input.text = "GE-777-XX"

    assert kiosk_rig.core.stop() == 0
    kivy_app_runner.pump(until=lambda: app.current_screen == "one_moment", timeout=HEALTH_TIMEOUT_S)
    kiosk_rig.core.start()
    kivy_app_runner.pump(until=lambda: app.current_screen == "review", timeout=HEALTH_TIMEOUT_S)
    assert review.corrections() == {"vehicle_plate": "GE-777-XX"}

    # The restarted core still has the scan session: the kept edit is what reaches central.
    kivy_app_runner.tap(review.ids.confirm_button)
    kivy_app_runner.pump(until=lambda: app.current_screen == "done", timeout=30)
    central = kiosk_rig.central
    kivy_app_runner.pump(until=lambda: len(central.received_uuids()) == 1, timeout=30)
    draft = central.body(central.received_uuids()[0])
    assert draft is not None
    assert draft["reference"] == app.screen("done").reference
    assert draft["transport"]["vehicle_plate"] == "GE-777-XX"
