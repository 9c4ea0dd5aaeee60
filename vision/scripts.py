"""Which script a piece of text is written in, the languages to read each script with, and look-alike repair.

One Tesseract call with languages of several scripts picks per word, and Latin, Cyrillic and
Georgian share shapes: `ООО` comes back as Latin `OOO` inside a Cyrillic address, and the extra
languages crowd out the Turkish and Azerbaijani letters. So an address is read once with one
language per script, its script is taken from the letters that came back, and it is read again
with that script's own languages; what look-alikes remain are put back into the zone's script.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Literal

Script = Literal["Latin", "Cyrillic", "Georgian"]

SCRIPT_LANGS: dict[Script, str] = {
    "Latin": "eng+tur+aze+deu+fra",
    "Cyrillic": "rus",
    "Georgian": "kat",
}
"""The languages each script is read with (all installed by `scripts/bootstrap-system`)."""

COUNTRY_LANGS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"T\w{0,2}rk\w{0,2}ye|Turkey", re.IGNORECASE), "tur+eng"),  # a first pass in `eng`: `Tiirkiye`
    (re.compile(r"Az\w{1,2}rba\w{1,3}an", re.IGNORECASE), "aze+eng"),
    (re.compile(r"Deut\w{1,3}land|Germany|sterreich|Austria", re.IGNORECASE), "deu+eng"),
    (re.compile(r"France|Belgique|Suisse", re.IGNORECASE), "fra+eng"),
    # named in their own language only: an export address (`Gdansk, Poland`) is in ASCII, and `pol` read its
    # `Sp. z o.o.` as `Sp. zo.o.`, `lit` its date `11.07.2025` as `T1L0742025`
    (re.compile(r"Polska", re.IGNORECASE), "pol+eng"),
    (re.compile(r"Lietuva", re.IGNORECASE), "lit+eng"),
    (re.compile(r"Rom\w{1,2}nia", re.IGNORECASE), "ron+eng"),  # `România` comes back as `Romania`, `Romdnia`
)
"""A Latin address naming its country is read in that country's language first: with all five Latin
languages at once Tesseract still writes `Rhéne` for `Rhône`, `HafenstraRe` for `Hafenstraße`, `Sti` for `Şti`,
and only the Polish, Lithuanian and Romanian packs have `ł`, `ė`, `ț`. A country's language is used only when
the page's languages list it (the caller's configuration decides which packs may be loaded)."""

LANG_SCRIPT: dict[str, Script] = {
    **{code: "Latin" for _, langs in COUNTRY_LANGS for code in langs.split("+")},
    **{code: script for script, langs in SCRIPT_LANGS.items() for code in langs.split("+")},
}
KNOWN_LANGS = "+".join(LANG_SCRIPT)
"""Every language this module chooses between (the default page: none ruled out)."""

_LATIN_LOOKALIKES = "ABCEHKMOPTXaceopxy"
_CYRILLIC_LOOKALIKES = "АВСЕНКМОРТХасеорху"
_ZEROS_AS_LETTERS = re.compile(r"(?<!\w)000(?!\w)")
"""`ООО`/`OOO` (a Russian limited company) read as zeros: never a number on its own in an address."""
_WORD = re.compile(r"\w+")


def script_of(char: str) -> Script | None:
    if "\u10a0" <= char <= "\u10ff" or "\u1c90" <= char <= "\u1cbf":
        return "Georgian"
    if "\u0400" <= char <= "\u04ff":
        return "Cyrillic"
    if char.isalpha() and (char.isascii() or "\u00c0" <= char <= "\u024f"):
        return "Latin"
    return None


def letter_counts(text: str) -> Counter[Script]:
    return Counter(script for script in map(script_of, text) if script is not None)


def dominant_script(text: str) -> Script | None:
    """The script most of the letters are in; None when there are no letters."""
    counts = letter_counts(text)
    return counts.most_common(1)[0][0] if counts else None


def page_scripts(langs: str) -> tuple[Script, ...]:
    """The scripts a page's languages (`kat+rus+eng`) are written in, in their order; unknown codes count as Latin."""
    found: list[Script] = []
    for code in langs.split("+"):
        script = LANG_SCRIPT.get(code, "Latin")
        if script not in found:
            found.append(script)
    return tuple(found)


def first_pass_langs(scripts: tuple[Script, ...]) -> str:
    """One language per script: enough to tell the scripts apart, cheaper than all of them."""
    return "+".join(SCRIPT_LANGS[script].split("+")[0] for script in scripts)


def script_langs(script: Script, page_langs: str) -> str:
    """The languages of `script` a zone is read with when no country is named: the script's own that the page
    lists, else the page's languages in that script (`eng+pol` reads a Latin zone with both); empty when the page
    lists none."""
    allowed = page_langs.split("+")
    own = [code for code in SCRIPT_LANGS[script].split("+") if code in allowed]
    return "+".join(own or [code for code in allowed if LANG_SCRIPT.get(code, "Latin") == script])


def second_pass_langs(script: Script, first_text: str, page_langs: str = KNOWN_LANGS) -> str:
    """The languages a zone in `script` is read again with: its country's language when a Latin address names it
    and the page's languages list every language of that choice, else `script_langs`."""
    allowed = set(page_langs.split("+"))
    if script == "Latin":
        for country, langs in COUNTRY_LANGS:
            if country.search(first_text) and set(langs.split("+")) <= allowed:
                return langs
    return script_langs(script, page_langs)


def repair_lookalikes(text: str, script: Script) -> str:
    """Letters of the wrong script that look like the zone's, and `000` for `ООО`, put back into `script`.

    A word changes only where it already has a letter of `script` or every letter of it is a look-alike,
    so a Latin `LLC` in a Cyrillic address stays Latin.
    """
    if script == "Georgian":
        return text
    wrong, right = (_LATIN_LOOKALIKES, _CYRILLIC_LOOKALIKES) if script == "Cyrillic" else (
        _CYRILLIC_LOOKALIKES, _LATIN_LOOKALIKES)
    table = str.maketrans(wrong, right)

    def fix(match: re.Match[str]) -> str:
        word = match.group()
        letters = [char for char in word if char.isalpha()]
        if any(script_of(char) == script and char not in right for char in letters) or all(
                char in wrong for char in letters):
            return word.translate(table)
        return word

    text = _ZEROS_AS_LETTERS.sub("ООО" if script == "Cyrillic" else "OOO", text)
    return _WORD.sub(fix, text)


_OWN_LETTERS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bPolska\b"), "pol"),
    (re.compile(r"\bLietuva\b"), "lit"),
    (re.compile(r"\bRom[aâ]nia\b"), "ron"),
)
"""Countries named in their own language, whose letters (ł, ė, ț ...) only that language's pack has."""


def unreadable_letters(address: str, langs: str = "") -> bool:
    """Whether `address` is written in a language whose own letters `langs` (the languages it was read with)
    cannot give back (`Kraków` read without `pol` comes back `Krakow`)."""
    codes = langs.split("+")
    return any(country.search(address) and pack not in codes for country, pack in _OWN_LETTERS)


_COMMA_BELOW = str.maketrans("şţŞŢ", "șțȘȚ")
"""Romanian writes s and t with a comma below; Tesseract's `ron` gives the older cedilla forms, which Turkish keeps."""


def standard_letters(text: str, langs: str) -> str:
    """`text` read with `langs`, in the letters its language writes today (`Constanţa` read with `ron`: `Constanța`)."""
    return text.translate(_COMMA_BELOW) if "ron" in langs.split("+") else text
