"""The classifier's network, its deterministic training loop, ONNX export and int8 static quantization.

Five 3x3 conv blocks (8-16-32-64-128 channels) shrink the 96x96 thumbnail to 6x6; a 3x3 average
pool keeps where things are on the page (a title on top, a photo on the left, a table below) before
the linear layer. ~9 M multiply-adds and ~105k weights: enough weights that int8 ones dominate the
file (about a quarter of fp32), little enough compute to train on two shared cores in minutes.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static
from onnxruntime.quantization.shape_inference import quant_pre_process
from torch import nn

from edge_models.doc_classifier import INPUT_NAME, LABELS, OUTPUT_NAME, SIZE, Pixels, finish
from edge_models.training.doc_classifier_data import augment

OPSET = 17


def seed_everything(seed: int, threads: int) -> None:
    """Same seed, same thread count -> the same weights, bit for bit (checked by running twice)."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(True)


def _block(inputs: int, outputs: int, stride: int = 1, pool: bool = False) -> list[nn.Module]:
    layers: list[nn.Module] = [nn.Conv2d(inputs, outputs, 3, stride=stride, padding=1, bias=False),
                               nn.BatchNorm2d(outputs), nn.ReLU(inplace=True)]
    return [*layers, nn.MaxPool2d(2)] if pool else layers


class PageNet(nn.Module):
    def __init__(self, classes: int = len(LABELS)) -> None:
        super().__init__()
        self.features = nn.Sequential(
            *_block(1, 8, stride=2),             # 48
            *_block(8, 16, stride=2),            # 24
            *_block(16, 32, pool=True),          # 12
            *_block(32, 64, pool=True),          # 6
            *_block(64, 128),
            nn.AvgPool2d(2),                     # 3
        )
        self.head = nn.Sequential(nn.Flatten(), nn.Dropout(0.2), nn.Linear(128 * 9, classes))

    def forward(self, page: torch.Tensor) -> torch.Tensor:
        result: torch.Tensor = self.head(self.features(page))
        return result


def batch_tensor(images: Sequence[Pixels]) -> torch.Tensor:
    return torch.from_numpy(np.concatenate([finish(image) for image in images]))


def train(images: Sequence[Pixels], labels: Sequence[int], *, seed: int, epochs: int, batch: int,
          on_step: Callable[[int, float], Any]) -> PageNet:
    """Train on freshly augmented thumbnails each epoch; `on_step(epoch, loss)` after every batch."""
    model = PageNet()
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
    steps = epochs * ((len(images) + batch - 1) // batch)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=3e-3, total_steps=steps)
    counts = np.bincount(labels, minlength=len(LABELS)).astype(np.float32)
    weights = torch.from_numpy(counts.sum() / (len(LABELS) * np.maximum(counts, 1)))
    loss_fn = nn.CrossEntropyLoss(weight=weights, label_smoothing=0.05)
    target = torch.tensor(labels, dtype=torch.long)
    model.train()
    for epoch in range(epochs):
        rng = np.random.default_rng([seed, epoch])
        order = rng.permutation(len(images))
        for start in range(0, len(order), batch):
            chosen = order[start:start + batch]
            pages = batch_tensor([augment(images[i], rng) for i in chosen])
            optimizer.zero_grad()
            loss = loss_fn(model(pages), target[chosen])
            loss.backward()
            optimizer.step()
            schedule.step()
            on_step(epoch, loss.item())
    model.eval()
    return model


def predict(model: PageNet, images: Sequence[Pixels], batch: int = 64) -> np.ndarray[Any, np.dtype[np.int64]]:
    outputs = []
    with torch.no_grad():
        for start in range(0, len(images), batch):
            outputs.append(model(batch_tensor(images[start:start + batch])).argmax(dim=1).numpy())
    return np.concatenate(outputs)


def export_onnx(model: PageNet, target: Path) -> None:
    """fp32 ONNX with a free batch dimension (TorchScript exporter: no onnxscript needed)."""
    dummy = torch.zeros((1, 1, SIZE, SIZE), dtype=torch.float32)
    torch.onnx.export(model, (dummy,), str(target), input_names=[INPUT_NAME], output_names=[OUTPUT_NAME],
                      dynamic_axes={INPUT_NAME: {0: "batch"}, OUTPUT_NAME: {0: "batch"}}, opset_version=OPSET,
                      dynamo=False)


class _Calibration(CalibrationDataReader):
    """Feeds onnxruntime's calibrator one thumbnail at a time (quantize_static's CalibrationDataReader)."""

    def __init__(self, images: Sequence[Pixels]) -> None:
        self._pending = [finish(image) for image in images]

    def get_next(self) -> dict[str, np.ndarray[Any, Any]] | None:
        return {INPUT_NAME: self._pending.pop(0)} if self._pending else None


def quantize_int8(fp32: Path, target: Path, calibration: Sequence[Pixels], scratch: Path) -> None:
    """Static int8, QDQ, per-channel weights (dynamic quantization made a small CNN ~10x slower)."""
    prepared = scratch / "prepared.onnx"
    quant_pre_process(str(fp32), str(prepared), skip_symbolic_shape=False)
    quantize_static(str(prepared), str(target), _Calibration(calibration), quant_format=QuantFormat.QDQ,
                    per_channel=True, activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8)
