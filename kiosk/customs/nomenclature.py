"""The HS nomenclature in force on a date: HS 2022 to six digits, extended to eight by the EU CN of
that year (standing in for the national extension).

Read at run time from the shared data folder (`../shared/data/hs` beside the checkout, or
`models.hs_data_dir` / `CEZ_MODELS__HS_DATA_DIR`), never copied into the repository. Many CN leaves
are named just "Other": `full_description` walks up the parents so a leaf reads as a whole.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

HS_FILE = "harmonized-system.csv"
SECTIONS_FILE = "sections.csv"
HS_IN_FORCE = date(2022, 1, 1)
CN_EDITIONS = {2025: "cn8_2025.csv", 2026: "cn8_2026.csv"}
"""CN edition year -> file; an edition is in force from 1 January of its year until the next one."""

_SEPARATORS = re.compile(r"[\s.]")


class NomenclatureError(ValueError):
    """A code or date the nomenclature cannot answer for; the message says which and why."""


@dataclass(frozen=True)
class Entry:
    code: str
    level: int  # digits: 2 chapter, 4 heading, 6 subheading, 8 CN subheading
    description: str
    parent: str | None
    section: str

    def to_dict(self) -> dict[str, str | int | None]:
        return {"code": self.code, "level": self.level, "description": self.description, "parent": self.parent,
                "section": self.section}


def default_data_dir() -> Path:
    return Path(__file__).resolve().parents[3] / "shared" / "data" / "hs"


def normalize_code(code: str) -> str:
    """'0306.17', '0306 17 92' -> digits; anything but 2, 4, 6 or 8 digits is refused."""
    digits = _SEPARATORS.sub("", code.strip())
    if not digits.isdigit() or len(digits) not in (2, 4, 6, 8):
        hint = " (a leading zero lost?)" if digits.isdigit() and len(digits) in (1, 3, 5, 7) else ""
        raise NomenclatureError(f"bad HS code {code!r}: expected 2, 4, 6 or 8 digits{hint}")
    return digits


def cn_edition(on: date) -> int | None:
    """The CN edition in force on a date (None before the first one: HS six digits only)."""
    if on < HS_IN_FORCE:
        raise NomenclatureError(f"no nomenclature in force on {on.isoformat()} (HS 2022 starts {HS_IN_FORCE})")
    years = [year for year in CN_EDITIONS if year <= on.year]
    return max(years) if years else None


class Nomenclature:
    """Lookup and parents over one edition; build it with `Nomenclature.load`."""

    def __init__(self, entries: dict[str, Entry], sections: dict[str, str], edition: str) -> None:
        self._entries = entries
        self.sections = sections
        self.edition = edition

    @classmethod
    def load(cls, data_dir: Path | None = None, on: date | None = None) -> Nomenclature:
        """The nomenclature in force on `on` (default today), read from `data_dir` (default: shared data)."""
        return _load(data_dir or default_data_dir(), cn_edition(on or date.today()))

    def __contains__(self, code: str) -> bool:
        try:
            return normalize_code(code) in self._entries
        except NomenclatureError:
            return False

    def __len__(self) -> int:
        return len(self._entries)

    def lookup(self, code: str) -> Entry:
        digits = normalize_code(code)
        entry = self._entries.get(digits)
        if entry is None:
            raise NomenclatureError(f"HS code {digits} is not in {self.edition}")
        return entry

    def parents(self, code: str) -> list[Entry]:
        """Chapter first, down to the direct parent of `code`."""
        chain: list[Entry] = []
        entry = self.lookup(code)
        while entry.parent is not None:
            entry = self._entries[entry.parent]
            chain.append(entry)
        return chain[::-1]

    def full_description(self, code: str) -> str:
        """The description with the parents' texts prepended while a level says only "Other" (or the like)."""
        entry = self.lookup(code)
        parts = [entry.description]
        parents = self.parents(code)
        while parents and _vague(parts[0]):
            parts.insert(0, parents.pop().description)
        return " — ".join(parts)

    def children(self, code: str) -> list[Entry]:
        digits = self.lookup(code).code
        return sorted((e for e in self._entries.values() if e.parent == digits), key=lambda e: e.code)


def _vague(text: str) -> bool:
    return text.casefold().startswith("other") or len(text.split()) < 3


@lru_cache(maxsize=4)
def _load(data_dir: Path, edition: int | None) -> Nomenclature:
    sections = {row["section"]: row["name"] for row in _rows(data_dir / SECTIONS_FILE)}
    entries: dict[str, Entry] = {}
    for row in _rows(data_dir / HS_FILE):
        code = row["hscode"]
        if not code.isdigit() or len(code) not in (2, 4, 6):
            continue
        parent = row["parent"] if row["parent"].isdigit() else None
        entries[code] = Entry(code, len(code), row["description"], parent, row["section"])
    name = "HS 2022"
    if edition is not None:
        name += f" + CN {edition}"
        for row in _rows(data_dir / CN_EDITIONS[edition]):
            code, parent = row["cn8"], row["cn8"][:6]
            if parent in entries:
                entries[code] = Entry(code, 8, row["name"], parent, entries[parent].section)
    return Nomenclature(entries, sections, name)


def _rows(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        raise NomenclatureError(f"{path}: nomenclature file not found (set models.hs_data_dir)")
    with path.open(encoding="utf-8-sig", newline="") as file:
        return list(csv.DictReader(file))
