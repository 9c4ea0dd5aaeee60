"""Company legal forms and street abbreviations, put back where OCR confused look-alike characters.

No dictionary helps Tesseract with `Sp. z o.o.` or `CJSC`: it writes `Sp. 7 0.0.`, `CUSC`, `Lid` for
`Ltd`, `Biv.` for `Blv.`, `S.r.I.` for `S.r.l.`, with high confidence. These words form a small closed
set, so a run of words that differs from one of them only by characters OCR is known to mix up
(I/l/1/i/t, O/o/0, J/U/j, z/2/7, S/Ş) is that word. Words that already are one, and words that match two
entries, are left alone.
"""

from __future__ import annotations

import re

ADDRESS_WORDS: tuple[str, ...] = (
    # legal forms (Latin, Cyrillic, Georgian)
    "LLC", "Ltd", "Ltd.", "JSC", "CJSC", "OJSC", "GmbH", "AG", "KG", "SA", "S.A.", "AS", "A.Ş.", "Ltd. Şti.",
    "Sp. z o.o.", "S.r.l.", "S.R.L.", "S.p.A.", "SARL", "SAS", "UAB", "MMC", "ASC", "OOO", "ООО", "ЗАО", "АО",
    "ЕООД", "ООД", "АД", "შპს", "სს",
    # street words
    "Ave", "Avenue", "Street", "Str.", "Blv.", "Bulvarı", "Cad.", "Sok.", "ul.", "pr.", "al.", "Bd.", "Via", "Corso",
    "küç.", "ул.", "пр.", "бул.", "No",
)

_CONFUSED = ("Il1i|t", "Oo0", "JUj", "z27", "SŞ")
_CLASS = {char: group[0] for group in _CONFUSED for char in group}


def _key(word: str) -> str:
    return "".join(_CLASS.get(char, char) for char in word)


_BY_KEY: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
for _entry in ADDRESS_WORDS:
    _words = tuple(_entry.split())
    _BY_KEY.setdefault(tuple(map(_key, _words)), []).append(_words)
_KNOWN = frozenset(ADDRESS_WORDS) | frozenset(word for entry in ADDRESS_WORDS for word in entry.split())
_LONGEST = max(len(words) for keys in _BY_KEY.values() for words in keys)


_ABBREVIATIONS = frozenset(word[:-1] for word in _KNOWN if word.endswith(".") and word[:-1] not in _KNOWN)
"""Street words written with a full stop (`Cad.`, `pr.`, `ул.`) whose bare stem is no word of its own."""


def _restore_stop(words: list[str]) -> list[str]:
    """`Cad, No 15` -> `Cad. No 15`: an abbreviation's full stop read as a comma, where a word follows."""
    return [word[:-1] + "." if i + 1 < len(words) and word.endswith(",") and word[:-1] in _ABBREVIATIONS else word
            for i, word in enumerate(words)]


def repair_address_words(line: str) -> str:
    """`line` with each run of words that is a confused spelling of exactly one address word put back, and
    abbreviations' full stops read as commas restored."""
    words = _restore_stop(line.split(" "))
    out: list[str] = []
    i = 0
    while i < len(words):
        for size in range(min(_LONGEST, len(words) - i), 0, -1):
            run = words[i : i + size]
            trail = re.search(r"[,;]*$", run[-1])
            tail = trail.group() if trail else ""
            core = [*run[:-1], run[-1][: len(run[-1]) - len(tail)]]
            matches = _BY_KEY.get(tuple(map(_key, core)), [])
            if len(matches) == 1 and tuple(core) != matches[0] and not (size == 1 and core[0] in _KNOWN) \
                    and any(not char.isdigit() for char in "".join(core)):
                out.extend([*matches[0][:-1], matches[0][-1] + tail])
                i += size
                break
        else:
            out.append(words[i])
            i += 1
    return " ".join(out)
