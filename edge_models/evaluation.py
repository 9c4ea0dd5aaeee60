"""`models eval`: one evaluator per task, each comparing the active (int8) bundle with its fp32 twin.

A task registers its evaluator in EVALUATORS; the document classifier adds its own beside the HS one.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from edge_models.bundle import LoadedModel

Evaluator = Callable[[LoadedModel, LoadedModel | None], dict[str, Any]]


def bundle_size(directory: Path) -> int:
    """Bytes on disk of a bundle's files."""
    return sum(path.stat().st_size for path in directory.iterdir() if path.is_file())


def _hs(model: LoadedModel, fp32: LoadedModel | None) -> dict[str, Any]:
    from edge_models.hs.report import evaluate_hs

    return evaluate_hs(model, fp32)


def _doc(model: LoadedModel, fp32: LoadedModel | None) -> dict[str, Any]:
    from edge_models.training.doc_classifier_eval import evaluate_doc_classifier

    return evaluate_doc_classifier(model, fp32)


EVALUATORS: dict[str, Evaluator] = {"hs-suggestion": _hs, "document-classification": _doc}


def evaluate_model(model: LoadedModel, fp32: LoadedModel | None) -> dict[str, Any]:
    evaluator = EVALUATORS.get(model.manifest.task)
    if evaluator is None:
        raise ValueError(f"no evaluator for task {model.manifest.task!r} (known: {', '.join(sorted(EVALUATORS))})")
    return evaluator(model, fp32)
