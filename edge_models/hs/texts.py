"""The nomenclature texts the suggester indexes, read straight from the shared CSVs.

edge_models may not import kiosk (the dependency rule), so the index is built from the files
themselves: the HS 2022 six-digit descriptions, plus each CN8 leaf that names something (not a
bare "Other"), filed under its six-digit subheading and given its heading's first words as context.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

HS_FILE = "harmonized-system.csv"
CN_FILE = "cn8_2026.csv"


@dataclass(frozen=True)
class IndexText:
    code: str
    text: str
    source: str  # "hs6" or "cn8"


def default_data_dir() -> Path:
    """`../shared/data/hs` beside the checkout (the shared data is never copied into the repository)."""
    return Path(__file__).resolve().parents[3] / "shared" / "data" / "hs"


def _read(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        raise FileNotFoundError(f"{path}: HS data file not found (see docs/models.md for where it is read)")
    with path.open(encoding="utf-8-sig", newline="") as file:
        return list(csv.DictReader(file))


def index_texts(data_dir: Path, cn_file: str = CN_FILE) -> list[IndexText]:
    """Every text the suggester searches, each filed under a six-digit HS code, without duplicates."""
    hs_rows = _read(data_dir / HS_FILE)
    headings = {row["hscode"]: row["description"] for row in hs_rows if row["level"] == "4"}
    subheadings = {row["hscode"]: row["description"] for row in hs_rows if row["level"] == "6"}
    texts = [IndexText(code, description, "hs6") for code, description in subheadings.items()]
    seen = {(item.code, item.text.casefold()) for item in texts}
    for row in _read(data_dir / cn_file):
        code, name = row["cn8"][:6], row["name"].strip(" -")
        if code not in subheadings or not name or name.casefold().startswith("other"):
            continue
        context = headings.get(code[:4], "").split(";")[0].split(",")[0]
        text = f"{name} ({context})" if context and len(name.split()) < 4 else name
        if (code, text.casefold()) not in seen:
            seen.add((code, text.casefold()))
            texts.append(IndexText(code, text, "cn8"))
    return texts
