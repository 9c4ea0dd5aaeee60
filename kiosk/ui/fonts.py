"""Make DejaVu Sans the font of every widget.

Kivy's bundled Roboto has no Georgian glyphs (they render as boxes). Registering DejaVu Sans under
the name "Roboto" changes the default for all Labels, Buttons and TextInputs at once, without a
font_name on each widget.
"""

from __future__ import annotations

import logging
from pathlib import Path

log = logging.getLogger(__name__)

DEJAVU_DIR = Path("/usr/share/fonts/truetype/dejavu")
DEJAVU_REGULAR = DEJAVU_DIR / "DejaVuSans.ttf"
DEJAVU_BOLD = DEJAVU_DIR / "DejaVuSans-Bold.ttf"


def use_dejavu_as_default_font() -> bool:
    """Register DejaVu Sans as "Roboto"; False (and Roboto stays) when the font is not installed."""
    from kivy.core.text import LabelBase

    if not DEJAVU_REGULAR.is_file():
        log.warning("DejaVu Sans not found at %s; Georgian text will not render", DEJAVU_REGULAR)
        return False
    bold = DEJAVU_BOLD if DEJAVU_BOLD.is_file() else DEJAVU_REGULAR
    LabelBase.register(name="Roboto", fn_regular=str(DEJAVU_REGULAR), fn_bold=str(bold))
    return True
