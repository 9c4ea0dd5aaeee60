"""Nearest-neighbour HS suggestions from a text-embedding bundle.

The bundle's ONNX graph embeds a description (MiniLM-L6, mean-pooled, unit length) and multiplies
it with the precomputed unit vectors of the nomenclature texts, which it carries as a constant: its
output is one cosine similarity per index row. `rows.npy` gives the label (an index into the
manifest's labels, the six-digit codes) of each row, rows grouped by label; a subheading scores the
best similarity among its texts. Keeping the search inside onnxruntime keeps it on the session's
thread settings and int8 weights. Only onnxruntime, tokenizers and numpy run here, never torch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from tokenizers import Tokenizer

from edge_models.bundle import LoadedModel

MODEL_NAME = "hs-minilm"
"""The registry name of the suggester model the `hs` commands use."""
MAX_TOKENS = 128
TOKENIZER_FILE = "tokenizer.json"
ROWS_FILE = "rows.npy"


@dataclass(frozen=True)
class Suggestion:
    code: str
    score: float


def tokenizer_for(path: str) -> Tokenizer:
    """The model's tokenizer, truncating at MAX_TOKENS and padding only to the longest text of a batch."""
    tokenizer = Tokenizer.from_file(path)
    tokenizer.enable_truncation(max_length=MAX_TOKENS)
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
    return tokenizer


def label_starts(rows: np.ndarray[Any, Any], labels: int) -> np.ndarray[Any, np.dtype[np.intp]]:
    """First row of each label; rows must be grouped by label and cover every label once."""
    if rows.ndim != 1 or rows.size == 0 or np.any(np.diff(rows) < 0):
        raise ValueError("index rows are not grouped by label")
    starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
    if len(starts) != labels or not np.array_equal(rows[starts], np.arange(labels)):
        raise ValueError("index rows do not cover every label")
    return starts


class HsSuggester:
    """Top-k six-digit HS codes for a goods description, from one loaded bundle (immutable)."""

    def __init__(self, model: LoadedModel) -> None:
        self.model = model
        self.tokenizer = tokenizer_for(str(model.path(TOKENIZER_FILE)))
        self.labels = model.manifest.labels
        try:
            self.starts = label_starts(np.load(model.path(ROWS_FILE)), len(self.labels))
        except ValueError as exc:
            raise ValueError(f"{model.directory}: {exc}") from None

    def suggest(self, text: str, top: int = 5) -> list[Suggestion]:
        if top < 1:
            raise ValueError("top must be at least 1")
        encoding = self.tokenizer.encode(text)
        feeds = {"input_ids": np.array([encoding.ids], dtype=np.int64),
                 "attention_mask": np.array([encoding.attention_mask], dtype=np.int64)}
        (scores,) = self.model.run(feeds)
        best = np.maximum.reduceat(scores[0], self.starts)
        count = min(top, len(best))
        picked = np.argpartition(-best, count - 1)[:count]
        picked = picked[np.argsort(-best[picked], kind="stable")]
        return [Suggestion(self.labels[i], round(float(best[i]), 4)) for i in picked]

    def suggest_many(self, texts: list[str], top: int = 5) -> list[list[Suggestion]]:
        """One query per run, so an answer never depends on what else was in the batch (the int8
        model quantizes its activations per run)."""
        return [self.suggest(text, top) for text in texts]
