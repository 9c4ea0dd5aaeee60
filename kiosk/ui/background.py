"""Run a blocking API call off Kivy's main thread and hand its outcome back on the main thread.

Kivy widgets may only be touched from the main thread, and a blocked main thread freezes the
touchscreen; Clock.schedule_once is the thread-safe way back.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from kivy.clock import Clock

T = TypeVar("T")


def call_in_background(
    call: Callable[[], T],
    on_result: Callable[[T], None],
    on_error: Callable[[Exception], None],
) -> threading.Thread:
    def work() -> None:
        try:
            result = call()
        except Exception as exc:
            Clock.schedule_once(lambda _dt, error=exc: on_error(error))
            return
        Clock.schedule_once(lambda _dt: on_result(result))

    thread = threading.Thread(target=work, name="kiosk-ui-api", daemon=True)
    thread.start()
    return thread
