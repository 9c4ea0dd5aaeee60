"""The baseline the suggester must beat: SQLite FTS5 with bm25 over the same nomenclature texts."""

from __future__ import annotations

import re
import sqlite3

from edge_models.hs.suggester import Suggestion
from edge_models.hs.texts import IndexText

_WORD = re.compile(r"\w+", re.UNICODE)


class Fts5Baseline:
    """English stemming (porter); every description word is quoted (user input never reaches FTS5
    syntax) and OR-ed; a subheading scores its best-matching text's bm25."""

    def __init__(self, texts: list[IndexText]) -> None:
        self.db = sqlite3.connect(":memory:", check_same_thread=False)
        self.db.execute("CREATE VIRTUAL TABLE texts USING fts5(code UNINDEXED, text, tokenize='porter unicode61')")
        self.db.executemany("INSERT INTO texts (code, text) VALUES (?, ?)", [(t.code, t.text) for t in texts])

    def suggest(self, text: str, top: int = 5) -> list[Suggestion]:
        words = _WORD.findall(text)
        if not words:
            return []
        match = " OR ".join('"' + word.replace('"', '""') + '"' for word in words)
        best: dict[str, float] = {}
        for code, rank in self.db.execute(
            "SELECT code, bm25(texts) FROM texts WHERE texts MATCH ? ORDER BY bm25(texts) LIMIT ?", (match, 50 * top)
        ):
            best.setdefault(code, rank)
            if len(best) == top:
                break
        return [Suggestion(code, round(-float(rank), 4)) for code, rank in best.items()]
