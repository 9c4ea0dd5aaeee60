"""One bundle on disk (`model.onnx` + `manifest.json` + listed files): checked, then loaded and warmed up.

Every check runs before a session is handed out, so a bad bundle is refused with one line that names
the bundle and the problem, and whatever was serving before keeps serving.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort

from edge_models.manifest import MANIFEST_FILE, MODEL_FILE, Manifest, ManifestError, TensorSpec, read_manifest

_ORT_TYPES = {
    "tensor(float)": "float32",
    "tensor(float16)": "float16",
    "tensor(int64)": "int64",
    "tensor(int32)": "int32",
    "tensor(int8)": "int8",
    "tensor(uint8)": "uint8",
    "tensor(bool)": "bool",
    "tensor(string)": "string",
}


class BundleError(Exception):
    """A bundle that must not be activated; the message says which bundle and why."""


@dataclass(frozen=True)
class Threads:
    """onnxruntime thread settings (the box has 2 cores shared with vision and the UI)."""

    intra_op: int = 1
    inter_op: int = 1


ONE_THREAD = Threads()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_bundle_manifest(directory: Path) -> Manifest:
    try:
        return read_manifest(directory / MANIFEST_FILE)
    except ManifestError as exc:
        raise BundleError(str(exc)) from None


def verify_files(directory: Path, manifest: Manifest) -> None:
    """The model and every listed file exist and match their SHA-256."""
    expected = {MODEL_FILE: manifest.sha256, **manifest.files}
    for file_name, digest in expected.items():
        path = directory / file_name
        if not path.is_file():
            raise BundleError(f"{directory}: {file_name} is missing")
        actual = sha256_file(path)
        if actual != digest:
            raise BundleError(f"{directory}: {file_name} sha256 {actual[:12]}... does not match the manifest's "
                              f"{digest[:12]}...")


class LoadedModel:
    """A verified bundle with its warmed-up onnxruntime session. Immutable once built, so a reader that
    holds a reference keeps a working model however often the registry swaps the active one."""

    def __init__(self, directory: Path, manifest: Manifest, session: ort.InferenceSession) -> None:
        self.directory = directory
        self.manifest = manifest
        self.session = session
        self._output_names = [spec.name for spec in manifest.outputs]

    @property
    def name(self) -> str:
        return self.manifest.name

    @property
    def version(self) -> str:
        return self.manifest.version

    def path(self, file_name: str) -> Path:
        """A further file of this bundle (one the manifest lists, so its checksum was verified)."""
        if file_name not in self.manifest.files:
            raise KeyError(f"{self.name} {self.version} has no file {file_name!r}")
        return self.directory / file_name

    def run(self, feeds: dict[str, np.ndarray[Any, Any]]) -> list[np.ndarray[Any, Any]]:
        """Run the model; outputs in the manifest's order."""
        return [np.asarray(value) for value in self.session.run(self._output_names, feeds)]


def load_bundle(directory: Path, threads: Threads = ONE_THREAD) -> LoadedModel:
    """Verify a bundle, open one session with the given threads, check its graph against the manifest, warm up."""
    manifest = read_bundle_manifest(directory)
    verify_files(directory, manifest)
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads.intra_op
    options.inter_op_num_threads = threads.inter_op
    options.log_severity_level = 3
    try:
        session = ort.InferenceSession(str(directory / MODEL_FILE), options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own exception types, all about an unreadable model
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise BundleError(f"{directory}: model.onnx cannot be loaded: {first_line}") from None
    _check_tensors(directory, "input", manifest.inputs, session.get_inputs())
    _check_tensors(directory, "output", manifest.outputs, session.get_outputs())
    model = LoadedModel(directory, manifest, session)
    try:
        model.run(warmup_feeds(manifest))
    except Exception as exc:  # a model that loads but cannot run its own declared inputs
        raise BundleError(f"{directory}: warm-up run failed: {str(exc).strip().splitlines()[0]}") from None
    return model


def warmup_feeds(manifest: Manifest) -> dict[str, np.ndarray[Any, Any]]:
    """Zeros (ones for a mask) in each declared input's shape, free dimensions set to 1."""
    feeds: dict[str, np.ndarray[Any, Any]] = {}
    for spec in manifest.inputs:
        shape = tuple(dim if isinstance(dim, int) else 1 for dim in spec.shape)
        if spec.dtype == "string":
            feeds[spec.name] = np.full(shape, "", dtype=object)
        else:
            fill = 1 if "mask" in spec.name else 0
            feeds[spec.name] = np.full(shape, fill, dtype=spec.dtype)
    return feeds


def _check_tensors(directory: Path, kind: str, declared: list[TensorSpec], actual: list[Any]) -> None:
    by_name = {node.name: node for node in actual}
    if {spec.name for spec in declared} != set(by_name):
        raise BundleError(f"{directory}: {kind}s {sorted(by_name)} differ from the manifest's "
                          f"{sorted(spec.name for spec in declared)}")
    for spec in declared:
        node = by_name[spec.name]
        dtype = _ORT_TYPES.get(node.type, node.type)
        if dtype != spec.dtype:
            raise BundleError(f"{directory}: {kind} {spec.name} is {dtype}, the manifest says {spec.dtype}")
        graph_shape = list(node.shape)
        mismatch = len(graph_shape) != len(spec.shape) or any(
            isinstance(want, int) and isinstance(have, int) and want != have
            for want, have in zip(spec.shape, graph_shape, strict=True)
        )
        if mismatch:
            raise BundleError(f"{directory}: {kind} {spec.name} has shape {graph_shape}, the manifest says "
                              f"{spec.shape}")
