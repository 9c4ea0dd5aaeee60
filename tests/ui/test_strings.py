from __future__ import annotations

import pytest

from kiosk.ui.strings import LANGUAGE_NAMES, LANGUAGES, STRINGS, error_key, tr

# Letters each language's texts must contain (Mkhedruli, Latin, Cyrillic).
SCRIPTS = {"ka": ("\u10d0", "\u10ff"), "en": ("A", "z"), "ru": ("\u0400", "\u04ff")}


@pytest.mark.parametrize("key", sorted(STRINGS))
def test_every_text_exists_in_every_language_and_script(key: str) -> None:
    for language in LANGUAGES:
        text = STRINGS[key][language]
        low, high = SCRIPTS[language]
        assert any(low <= ch <= high for ch in text), (key, language, text)


def test_language_names_cover_the_languages() -> None:
    assert set(LANGUAGE_NAMES) == set(LANGUAGES)


def test_unknown_language_falls_back_to_english() -> None:
    assert tr("confirm", "xx") == "Confirm"


@pytest.mark.parametrize(
    ("detail", "key"),
    [
        ("feeder empty", "error_feeder_empty"),
        ("Scanner not ready", "error_scanner_not_ready"),
        ("unknown session", "error_unknown_session"),
        ("session already confirmed", "error_already_confirmed"),
        ("disk on fire", "error_generic"),
        ("", "error_generic"),
    ],
)
def test_server_details_map_to_translated_messages(detail: str, key: str) -> None:
    assert error_key(detail) == key
