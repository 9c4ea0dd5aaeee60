"""Kivy touchscreen UI, a thin client of the core's local API (kiosk.api.client only).

Importing this package does not import Kivy; `run_ui` prepares the environment first.
"""

from kiosk.ui.app import run_ui

__all__ = ["run_ui"]
