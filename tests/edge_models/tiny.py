"""Tiny real ONNX bundles for registry tests: y = x @ (scale * W), built with the onnx package."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

FEATURES = 4
CLASSES = 3


def weights(scale: float) -> np.ndarray[Any, np.dtype[np.float32]]:
    return (np.arange(FEATURES * CLASSES, dtype=np.float32).reshape(FEATURES, CLASSES) * scale).astype(np.float32)


def model_bytes(scale: float, features: int = FEATURES) -> bytes:
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["y"])],
        "tiny",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", features])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", CLASSES])],
        [numpy_helper.from_array(np.resize(weights(scale), (features, CLASSES)).astype(np.float32), "w")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model.SerializeToString()


def manifest(name: str, version: str, model: bytes, **changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "name": name,
        "version": version,
        "task": "classification",
        "inputs": [{"name": "x", "dtype": "float32", "shape": ["batch", FEATURES]}],
        "outputs": [{"name": "y", "dtype": "float32", "shape": ["batch", CLASSES]}],
        "labels": ["a", "b", "c"],
        "sha256": hashlib.sha256(model).hexdigest(),
        "training_data": {"kind": "none, a fixed matrix for tests"},
        "metrics": {},
        "quantization": "none",
        "min_app_version": "0.1.0",
    }
    document.update(changes)
    return {key: value for key, value in document.items() if value is not None}


def write_bundle(root: Path, name: str, version: str, scale: float = 1.0, *, model: bytes | None = None,
                 **changes: Any) -> Path:
    """A bundle at root/name/version; `changes` override manifest fields (None removes one)."""
    data = model if model is not None else model_bytes(scale)
    directory = root / name / version
    directory.mkdir(parents=True)
    (directory / "model.onnx").write_bytes(data)
    (directory / "manifest.json").write_text(json.dumps(manifest(name, version, data, **changes)))
    return directory


def expected(scale: float, x: np.ndarray[Any, np.dtype[np.float32]]) -> np.ndarray[Any, np.dtype[np.float32]]:
    result: np.ndarray[Any, np.dtype[np.float32]] = x @ weights(scale)
    return result
