"""A BERT encoder in plain torch that reads the MiniLM-L6 safetensors, for export to ONNX only.

Written here rather than taken from transformers/sentence-transformers so the `[train]` extra stays
torch + onnx, and so the exported graph is exactly what the runtime feeds: ids and mask in, a
mean-pooled, L2-normalised sentence vector out.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import torch
from safetensors.torch import load_file
from torch import nn


class _Layer(nn.Module):
    def __init__(self, hidden: int, heads: int, intermediate: int, eps: float) -> None:
        super().__init__()
        self.heads = heads
        self.query = nn.Linear(hidden, hidden)
        self.key = nn.Linear(hidden, hidden)
        self.value = nn.Linear(hidden, hidden)
        self.attention_out = nn.Linear(hidden, hidden)
        self.attention_norm = nn.LayerNorm(hidden, eps=eps)
        self.intermediate = nn.Linear(hidden, intermediate)
        self.output = nn.Linear(intermediate, hidden)
        self.output_norm = nn.LayerNorm(hidden, eps=eps)

    def forward(self, states: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        batch, length, hidden = states.shape
        size = hidden // self.heads

        def split(tensor: torch.Tensor) -> torch.Tensor:
            return tensor.view(batch, length, self.heads, size).transpose(1, 2)

        scores = split(self.query(states)) @ split(self.key(states)).transpose(-1, -2) / math.sqrt(size)
        context = (torch.softmax(scores + bias, dim=-1) @ split(self.value(states))).transpose(1, 2)
        attended = self.attention_norm(states + self.attention_out(context.reshape(batch, length, hidden)))
        expanded = nn.functional.gelu(self.intermediate(attended))
        result: torch.Tensor = self.output_norm(attended + self.output(expanded))
        return result


class SentenceEncoder(nn.Module):
    """input_ids, attention_mask (int64, [batch, tokens]) -> unit-length embedding [batch, hidden]."""

    def __init__(self, config: dict[str, int | float]) -> None:
        super().__init__()
        hidden = int(config["hidden_size"])
        eps = float(config["layer_norm_eps"])
        self.words = nn.Embedding(int(config["vocab_size"]), hidden)
        self.positions = nn.Embedding(int(config["max_position_embeddings"]), hidden)
        self.token_types = nn.Embedding(int(config["type_vocab_size"]), hidden)
        self.embedding_norm = nn.LayerNorm(hidden, eps=eps)
        self.layers = nn.ModuleList(
            _Layer(hidden, int(config["num_attention_heads"]), int(config["intermediate_size"]), eps)
            for _ in range(int(config["num_hidden_layers"]))
        )

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        length = input_ids.shape[1]
        positions = torch.arange(length, device=input_ids.device).unsqueeze(0)
        states = self.embedding_norm(
            self.words(input_ids) + self.positions(positions) + self.token_types(torch.zeros_like(input_ids))
        )
        mask = attention_mask.to(states.dtype)
        bias = (1.0 - mask)[:, None, None, :] * -1e4
        for layer in self.layers:
            states = layer(states, bias)
        summed = (states * mask.unsqueeze(-1)).sum(dim=1)
        pooled = summed / mask.sum(dim=1, keepdim=True).clamp(min=1e-9)
        return nn.functional.normalize(pooled, p=2.0, dim=1)


_RENAMES = {
    "attention.self.query": "query",
    "attention.self.key": "key",
    "attention.self.value": "value",
    "attention.output.dense": "attention_out",
    "attention.output.LayerNorm": "attention_norm",
    "intermediate.dense": "intermediate",
    "output.dense": "output",
    "output.LayerNorm": "output_norm",
}


def load_encoder(model_dir: Path) -> SentenceEncoder:
    """Build the encoder from a sentence-transformers folder (config.json + model.safetensors)."""
    config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    encoder = SentenceEncoder(config)
    weights = load_file(str(model_dir / "model.safetensors"))
    state: dict[str, torch.Tensor] = {
        "words.weight": weights["embeddings.word_embeddings.weight"],
        "positions.weight": weights["embeddings.position_embeddings.weight"],
        "token_types.weight": weights["embeddings.token_type_embeddings.weight"],
        "embedding_norm.weight": weights["embeddings.LayerNorm.weight"],
        "embedding_norm.bias": weights["embeddings.LayerNorm.bias"],
    }
    for key, tensor in weights.items():
        if not key.startswith("encoder.layer."):
            continue
        _, _, index, rest = key.split(".", 3)
        module, parameter = rest.rsplit(".", 1)
        state[f"layers.{index}.{_RENAMES[module]}.{parameter}"] = tensor
    encoder.load_state_dict(state, strict=True)
    return encoder.eval()


class IndexedEncoder(nn.Module):
    """The encoder followed by the similarity to every index vector: [batch, tokens] -> [batch, rows]."""

    def __init__(self, encoder: SentenceEncoder, index: torch.Tensor) -> None:
        super().__init__()
        self.encoder = encoder
        self.register_buffer("index_t", index.t().contiguous())

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        scores: torch.Tensor = self.encoder(input_ids, attention_mask) @ self.index_t
        return scores
