"""The page pass's unsure phrases read again in the page's other scripts (Russian, Georgian).

The quick pass reads English only; Georgian comes back as low-confidence noise and Cyrillic as
Latin look-alikes (`Инвойс №` as `UnBoric Ne`). Phrases made of such words are read again, each
alone, with the page's non-Latin languages and English (labels and values share a line), and a
phrase's new words replace the old where Tesseract is surer of them.
"""

from __future__ import annotations

import statistics

from vision.key_values import phrases
from vision.ocr import Word, lang_codes
from vision.scripts import LANG_SCRIPT
from vision.trade_ocr import PageText

UNSURE = 0.75
"""A phrase whose words' median confidence is below this, or holding a word below half of it, is likely
(partly) in another script."""
MAX_PHRASES = 30
"""At most this many phrases are read again (the least sure first): a page of noise costs no more."""
MAX_WORDS = 6
"""Labels are short; a longer unsure phrase is an address or a description, not worth the re-read here."""


def _mean(words: tuple[Word, ...]) -> float:
    return statistics.mean(w.confidence for w in words)


def _unsure(words: tuple[Word, ...]) -> bool:
    return statistics.median(w.confidence for w in words) < UNSURE or min(w.confidence for w in words) < UNSURE / 2


def with_other_scripts(text: PageText) -> tuple[Word, ...]:
    """The page's words with unsure phrases re-read in its non-Latin languages (the same tuple when it has none)."""
    others = "+".join(code for code in sorted(lang_codes(text.langs)) if LANG_SCRIPT.get(code, "Latin") != "Latin")
    if not others:
        return text.words
    page_phrases = phrases(text.words)
    unsure = sorted((p for p in page_phrases if len(p.words) <= MAX_WORDS and _unsure(p.words)),
                    key=lambda p: _mean(p.words))[:MAX_PHRASES]
    again = {id(phrase): text.reread(phrase.box, f"{others}+eng") for phrase in unsure}
    words: list[Word] = []
    for phrase in page_phrases:
        read = again.get(id(phrase), ())
        words.extend(read if read and _mean(read) > _mean(phrase.words) else phrase.words)
    return tuple(words)
