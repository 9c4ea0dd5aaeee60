"""The HS suggester's evaluation report: int8 and fp32 bundles and the FTS5 baseline on the same queries."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from edge_models.bundle import LoadedModel
from edge_models.evaluation import bundle_size
from edge_models.hs.baseline import Fts5Baseline
from edge_models.hs.evaluate import QUERIES_FILE, Query, answer_all, evaluate, load_queries, summarize
from edge_models.hs.suggester import HsSuggester, Suggestion
from edge_models.hs.texts import default_data_dir, index_texts


def per_chapter(queries: list[Query], answers: list[list[Suggestion]]
                ) -> tuple[dict[str, Any], dict[str, dict[str, int]]]:
    """Top-5 heading accuracy per true chapter (the "per_class" view of a suggester), and the chapter
    confusion of the top-1 misses: {true chapter: {suggested chapter: count}}."""
    table: dict[str, dict[str, Any]] = {}
    confusion: dict[str, dict[str, int]] = {}
    for query, answer in zip(queries, answers, strict=True):
        chapter = query.code[:2]
        row = table.setdefault(chapter, {"queries": 0, "heading_top5": 0})
        row["queries"] += 1
        row["heading_top5"] += any(item.code[:4] == query.code[:4] for item in answer)
        if answer and answer[0].code[:2] != chapter:
            missed = confusion.setdefault(chapter, {})
            missed[answer[0].code[:2]] = missed.get(answer[0].code[:2], 0) + 1
    for row in table.values():
        row["heading_top5"] = round(row["heading_top5"] / row["queries"], 4)
    return dict(sorted(table.items())), dict(sorted(confusion.items()))


def _figures(model: LoadedModel, queries: list[Query]) -> tuple[list[list[Suggestion]], dict[str, Any]]:
    answers, timings = answer_all(HsSuggester(model).suggest, queries)
    result = summarize(queries, answers, timings)
    return answers, {"version": model.version, "quantization": model.manifest.quantization,
                     "top1": result["subheading"]["top1"], "top5": result["subheading"]["top5"],
                     **result, "size_bytes": bundle_size(model.directory)}


def evaluate_hs(model: LoadedModel, fp32: LoadedModel | None, data_dir: Path | None = None,
                queries_file: Path = QUERIES_FILE) -> dict[str, Any]:
    queries = load_queries(queries_file)
    answers, int8 = _figures(model, queries)
    baseline = evaluate(Fts5Baseline(index_texts(data_dir or default_data_dir())).suggest, queries)
    per_class, confusion = per_chapter(queries, answers)
    return {
        "model": model.name,
        **int8,
        "per_class": per_class,
        "confusion": confusion,
        "fp32": _figures(fp32, queries)[1] if fp32 is not None else None,
        "baseline_fts5": baseline,
        "queries_file": queries_file.name,
    }
