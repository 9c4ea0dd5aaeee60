"""Reusable kiosk widgets whose behaviour is Python; their look is in screens.kv."""

from __future__ import annotations

from typing import Any

from kivy.clock import Clock
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

# Below this the reader was unsure; the driver is asked to look at the field.
LOW_CONFIDENCE = 0.9


class ProgressRing(Widget):  # type: ignore[misc]
    """An arc that turns while `spinning` is true, so a slow scan never looks like a frozen screen."""

    angle = NumericProperty(0.0)
    spinning = BooleanProperty(False)
    degrees_per_second = NumericProperty(300.0)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._event: Any = None

    def on_spinning(self, _instance: Any, spinning: bool) -> None:
        if spinning and self._event is None:
            self._event = Clock.schedule_interval(self._turn, 1 / 30)
        elif not spinning and self._event is not None:
            self._event.cancel()
            self._event = None

    def _turn(self, dt: float) -> None:
        self.angle = (self.angle + self.degrees_per_second * dt) % 360


class FieldRow(BoxLayout):  # type: ignore[misc]
    """One read field: its translated label, an editable value, and a highlight when unsure."""

    field_name = StringProperty("")
    original = StringProperty("")
    confidence = NumericProperty(1.0)
    low_confidence = BooleanProperty(False)

    def on_confidence(self, _instance: Any, confidence: float) -> None:
        self.low_confidence = confidence < LOW_CONFIDENCE

    @property
    def current_value(self) -> str:
        return str(self.ids.value_input.text)
