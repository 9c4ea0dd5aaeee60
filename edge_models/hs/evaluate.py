"""Accuracy of HS suggestions on the hand-written invoice descriptions, at three levels, with latency.

A query counts as a top-k hit at a level when one of the first k suggestions shares the true code's
first 2 (chapter), 4 (heading) or 6 (subheading) digits. Latency is measured one query at a time,
as a person at the kiosk would ask.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from edge_models.hs.suggester import Suggestion

QUERIES_FILE = Path(__file__).resolve().parent / "eval_queries.tsv"
LEVELS = {"chapter": 2, "heading": 4, "subheading": 6}
TOPS = (1, 5)


@dataclass(frozen=True)
class Query:
    code: str
    language: str
    text: str


def load_queries(path: Path = QUERIES_FILE) -> list[Query]:
    queries = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 3 or not (len(parts[0]) == 6 and parts[0].isdigit()):
            raise ValueError(f"{path}:{number}: expected 'six-digit code<TAB>language<TAB>description'")
        queries.append(Query(*parts))
    return queries


def hit(truth: str, suggestions: list[Suggestion], level: int, top: int) -> bool:
    return any(item.code[:level] == truth[:level] for item in suggestions[:top])


def accuracy(queries: list[Query], answers: list[list[Suggestion]]) -> dict[str, dict[str, float]]:
    """{"chapter": {"top1", "top5"}, "heading": ..., "subheading": ...} as fractions."""
    return {
        level_name: {
            f"top{top}": round(sum(hit(q.code, a, digits, top) for q, a in zip(queries, answers, strict=True))
                               / len(queries), 4)
            for top in TOPS
        }
        for level_name, digits in LEVELS.items()
    }


def latency_ms(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return {"p50": round(statistics.median(ordered), 3), "p99": round(p99, 3)}


def answer_all(suggest: Callable[[str, int], list[Suggestion]], queries: list[Query]
               ) -> tuple[list[list[Suggestion]], list[float]]:
    """Every query's top 5 through `suggest`, one at a time, with its latency in milliseconds."""
    answers: list[list[Suggestion]] = []
    timings: list[float] = []
    for query in queries:
        started = time.perf_counter()
        answers.append(suggest(query.text, max(TOPS)))
        timings.append((time.perf_counter() - started) * 1000)
    return answers, timings


def summarize(queries: list[Query], answers: list[list[Suggestion]], timings: list[float]) -> dict[str, Any]:
    """Accuracy overall and per language, and latency."""
    per_language = {}
    for language in sorted({q.language for q in queries}):
        picked = [(q, a) for q, a in zip(queries, answers, strict=True) if q.language == language]
        per_language[language] = {"queries": len(picked),
                                  **accuracy([q for q, _ in picked], [a for _, a in picked])}
    return {"queries": len(queries), **accuracy(queries, answers), "per_language": per_language,
            "latency_ms": latency_ms(timings)}


def evaluate(suggest: Callable[[str, int], list[Suggestion]], queries: list[Query]) -> dict[str, Any]:
    return summarize(queries, *answer_all(suggest, queries))
