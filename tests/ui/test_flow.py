"""scan -> review -> confirm -> done on the touchscreen, against the real core, broker and central.

Kivy modules are imported inside the tests: `kivy_env` must configure Kivy before its first import.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageStat

from kiosk.ui.strings import tr
from tests.fixtures.core import KioskRig
from tests.fixtures.kivy import KivyAppRunner

FIELDS = ("sender", "consignee", "vehicle_plate", "gross_weight_kg")
# Reading a page with Tesseract on a 2-core box may take a while.
SCAN_TIMEOUT_S = 60


def test_scan_review_confirm_done_and_the_draft_reaches_central(
    kivy_app_runner: KivyAppRunner, kiosk_rig: KioskRig, core_api_url: str, tmp_path: Path
) -> None:
    from kiosk.ui.kiosk_app import KioskApp
    from kiosk.ui.widgets import LOW_CONFIDENCE

    app = kivy_app_runner.start(KioskApp(core_api_url, "en"))
    app.screen("done").timeout_s = 0.5
    visited: list[str] = []
    app.root.bind(current=lambda _manager, name: visited.append(name))
    kivy_app_runner.pump(until=lambda: app.connected, timeout=10)

    kivy_app_runner.tap(app.screen("home").ids.scan_button)
    kivy_app_runner.pump(until=lambda: app.current_screen == "review", timeout=SCAN_TIMEOUT_S)

    review = app.screen("review")
    rows = review.rows()
    assert [row.field_name for row in rows][:4] == list(FIELDS)
    for row in rows:
        assert row.low_confidence == (row.confidence < LOW_CONFIDENCE)
        assert row.ids.value_input.text == row.original
    labels = [row.children[-1].text for row in rows[:4]]
    assert labels == ["Sender", "Consignee", "Vehicle plate", "Gross weight, kg"]
    shot = tmp_path / "review.png"
    app.save_screenshot(str(shot))
    assert ImageStat.Stat(Image.open(shot).convert("L")).stddev[0] > 10

    plate = next(row for row in rows if row.field_name == "vehicle_plate")
    plate.ids.value_input.text = "GE-777-XX"
    assert review.corrections() == {"vehicle_plate": "GE-777-XX"}

    kivy_app_runner.tap(review.ids.confirm_button)
    kivy_app_runner.pump(until=lambda: app.current_screen == "done", timeout=30)
    assert visited == ["scanning", "review", "done"]
    done = app.screen("done")
    assert done.ids.reference_label.text == done.reference != ""
    expected = "take_receipt" if done.receipt_printed else "receipt_not_printed"
    assert done.ids.receipt_label.text == tr(expected, "en")

    # The confirm button's draft went through the broker to central, with the driver's correction.
    central = kiosk_rig.central
    kivy_app_runner.pump(until=lambda: len(central.received_uuids()) == 1, timeout=30)
    draft = central.body(central.received_uuids()[0])
    assert draft is not None
    assert draft["reference"] == done.reference
    assert draft["transport"]["vehicle_plate"] == "GE-777-XX"

    # Nobody touches the screen: it goes back to the start by itself.
    kivy_app_runner.pump(until=lambda: app.current_screen == "home", timeout=5)


def test_cancel_on_review_goes_home_without_confirming(
    kivy_app_runner: KivyAppRunner, core_api_url: str
) -> None:
    from kiosk.ui.kiosk_app import KioskApp

    app = kivy_app_runner.start(KioskApp(core_api_url, "ka"))
    kivy_app_runner.tap(app.screen("home").ids.scan_button)
    kivy_app_runner.pump(until=lambda: app.current_screen == "review", timeout=SCAN_TIMEOUT_S)
    kivy_app_runner.tap(app.screen("review").ids.cancel_button)
    assert app.current_screen == "home"
    # Confirm on a cancelled scan does nothing.
    app.confirm()
    assert app.current_screen == "home"
