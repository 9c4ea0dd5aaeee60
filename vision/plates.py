"""Vehicle plates as printed in the kiosk's region, used to undo OCR's letter/digit confusions.

Tesseract confuses O/0, I/1, B/8, S/5 and Z/2 on plates, where no dictionary helps. But each
country's plate has a fixed shape of letters and digits, so a reading that fits no shape while
exactly one swap of confusable characters fits one is corrected. Shapes from the countries' public
registration formats; letters as the Latin characters printed (Russian plates use only the
Cyrillic letters that look Latin: ABEKMHOPCTYX).
"""

from __future__ import annotations

import itertools
import re

_L = "[A-Z]"
_D = r"\d"
_RU_L = "[ABEKMHOPCTYX]"

PLATE_SHAPES: dict[str, re.Pattern[str]] = {
    name: re.compile(pattern)
    for name, pattern in {
        "GE": rf"{_L}{{2}}-{_D}{{3}}-{_L}{{2}}",  # also the dashed EU shape (e.g. AB-123-CD)
        "TR": rf"{_D}{{2}} {_L}{{1,3}} {_D}{{2,4}}",
        "AZ": rf"{_D}{{2}}-{_L}{{2}}-{_D}{{3}}",
        "AM": rf"{_D}{{2,3}} {_L}{{2}} {_D}{{2,3}}",
        "RU": rf"{_RU_L}{_D}{{3}}{_RU_L}{{2}} {_D}{{2,3}}",
        "UA": rf"{_L}{{2}} ?{_D}{{4}} ?{_L}{{2}}",
        "KZ": rf"{_D}{{3}} ?{_L}{{2,3}} ?{_D}{{2}}",
        "DE": rf"{_L}{{1,3}}-{_L}{{1,2}} {_D}{{1,4}}",
        "PL": rf"{_L}{{2,3}} [A-Z0-9]{{4,5}}",
        "EU-plain": rf"{_L}{{1,3}} ?{_D}{{2,4}}( ?{_L}{{1,3}})?",
    }.items()
}

_CONFUSABLE = {"0": "O", "O": "0", "1": "I", "I": "1", "8": "B", "B": "8", "5": "S", "S": "5", "2": "Z", "Z": "2"}
MAX_SWAPS = 4
MAX_GAPS = 5
"""Letter/digit boundaries tried with and without a space (2**5 spacings at most); a plate has three or four."""


def normalise_plate(text: str) -> str:
    """Uppercase, single spaces, no spaces around hyphens."""
    text = re.sub(r"\s+", " ", text.upper()).strip()
    return re.sub(r"\s*-\s*", "-", text)


def fits_a_shape(plate: str) -> bool:
    return any(shape.fullmatch(plate) for shape in PLATE_SHAPES.values())


_RUN_BOUNDARY = re.compile(r"(?<=[A-Z])(?=\d)|(?<=\d)(?=[A-Z])")


def _spaced(plate: str) -> str | None:
    """The spacing of `plate` that fits a shape with the most gaps between its letter and digit groups, None when no
    spacing fits. OCR drops the narrow gap between groups (`38E7759`, `XSR690`, `T962BE23`); a plate printed without
    one (a Russian plate's `A306AO`) fits with no other spacing."""
    cuts = [found.start() for found in _RUN_BOUNDARY.finditer(plate)]
    best: tuple[int, str] | None = None
    for gaps in range(len(cuts) + 1):
        for chosen in itertools.combinations(cuts, gaps):
            candidate = "".join(" " + ch if i in chosen else ch for i, ch in enumerate(plate))
            if fits_a_shape(candidate):
                best = (gaps, candidate)
    return best[1] if best else None


def correct_plate(text: str) -> tuple[str, bool]:
    """The plate and whether it fits a known shape, its groups spaced as printed (`_spaced`), after undoing a
    unique confusable swap."""
    plate = normalise_plate(text)
    if len(_RUN_BOUNDARY.findall(plate)) <= MAX_GAPS and (spaced := _spaced(plate)) is not None:
        return spaced, True
    if fits_a_shape(plate):
        return plate, True
    positions = [i for i, ch in enumerate(plate) if ch in _CONFUSABLE][:MAX_SWAPS * 2]
    fitting: set[str] = set()
    for count in range(1, MAX_SWAPS + 1):
        for chosen in itertools.combinations(positions, count):
            chars = list(plate)
            for i in chosen:
                chars[i] = _CONFUSABLE[chars[i]]
            candidate = "".join(chars)
            if fits_a_shape(candidate):
                fitting.add(candidate)
        if fitting:
            break
    if len(fitting) == 1:
        return fitting.pop(), True
    return plate, False
