"""The kiosk's screens: state they display, and what entering or leaving them starts or stops.

Layout lives in screens.kv; the flow between screens lives in KioskApp.
"""

from __future__ import annotations

from typing import Any

from kivy.clock import Clock
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.screenmanager import Screen, ScreenManager

from kiosk.api.client import ScanResult
from kiosk.ui.widgets import FieldRow

# The fields of a CMR the driver reviews, in the order they appear on the paper.
CMR_FIELD_ORDER: tuple[str, ...] = ("sender", "consignee", "vehicle_plate", "gross_weight_kg")


class KioskScreenManager(ScreenManager):  # type: ignore[misc]
    """The app's root; screens.kv gives it an opaque background so screenshots are not transparent."""


class HomeScreen(Screen):  # type: ignore[misc]
    pass


class WaitingScreen(Screen):  # type: ignore[misc]
    """A screen with a ProgressRing (id `ring`) that turns only while the screen is shown."""

    def on_enter(self, *_args: Any) -> None:
        self.ids.ring.spinning = True

    def on_leave(self, *_args: Any) -> None:
        self.ids.ring.spinning = False


class ScanningScreen(WaitingScreen):
    pass


class OneMomentScreen(WaitingScreen):
    pass


class ReviewScreen(Screen):  # type: ignore[misc]
    def show(self, result: ScanResult) -> None:
        """Replace the rows with the fields of a new scan; unknown extra fields follow the CMR ones."""
        box = self.ids.fields_box
        box.clear_widgets()
        names = [n for n in CMR_FIELD_ORDER if n in result.fields]
        names += [n for n in result.fields if n not in CMR_FIELD_ORDER]
        for name in names:
            reading = result.fields[name]
            box.add_widget(FieldRow(field_name=name, original=reading.value, confidence=reading.confidence))

    def rows(self) -> list[FieldRow]:
        return [row for row in reversed(self.ids.fields_box.children) if isinstance(row, FieldRow)]

    def corrections(self) -> dict[str, str]:
        """Only the fields the driver changed: the core keeps what it read for the rest."""
        return {row.field_name: row.current_value for row in self.rows() if row.current_value != row.original}


class DoneScreen(Screen):  # type: ignore[misc]
    reference = StringProperty("")
    receipt_printed = BooleanProperty(True)
    timeout_s = NumericProperty(30.0)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._return_event: Any = None

    def on_enter(self, *_args: Any) -> None:
        # A driver who walks away with the receipt leaves the kiosk ready for the next one.
        self._return_event = Clock.schedule_once(self._return_home, self.timeout_s)

    def on_leave(self, *_args: Any) -> None:
        if self._return_event is not None:
            self._return_event.cancel()
            self._return_event = None

    def _return_home(self, _dt: float) -> None:
        if self.manager is not None and self.manager.current == self.name:
            self.manager.current = "home"


class ErrorScreen(Screen):  # type: ignore[misc]
    message_key = StringProperty("error_generic")
    detail = StringProperty("")
