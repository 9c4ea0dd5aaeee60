"""The manifest of a model bundle: what the model is, what it takes and gives, and how to trust it.

Validated with pydantic so a malformed manifest is refused before onnxruntime ever opens the model.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

MANIFEST_FILE = "manifest.json"
MODEL_FILE = "model.onnx"

NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}$"
VERSION_PATTERN = r"^\d+\.\d+\.\d+$"
SHA256_PATTERN = r"^[0-9a-f]{64}$"

TensorType = Literal["float32", "float16", "int64", "int32", "int8", "uint8", "bool", "string"]


class ManifestError(ValueError):
    """A manifest that cannot be used; the message is one line naming the file and the field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TensorSpec(_Strict):
    """One input or output: its graph name, element type and shape (a string or null is a free dimension)."""

    name: str = Field(min_length=1)
    dtype: TensorType
    shape: list[int | str | None]


class Manifest(_Strict):
    """Everything `manifest.json` says about a bundle (docs/models.md lists the fields)."""

    name: str = Field(pattern=NAME_PATTERN, description="Model name, stable across versions.")
    version: str = Field(pattern=VERSION_PATTERN, description="Semantic version MAJOR.MINOR.PATCH.")
    task: str = Field(min_length=1, description="What the model does, e.g. 'text-embedding'.")
    inputs: list[TensorSpec] = Field(min_length=1)
    outputs: list[TensorSpec] = Field(min_length=1)
    labels: list[str] = Field(min_length=1, description="Class names, or the codes an index maps to.")
    sha256: str = Field(pattern=SHA256_PATTERN, description="SHA-256 of model.onnx.")
    files: dict[str, str] = Field(
        default_factory=dict, description="Further files of the bundle (tokenizer, index) and their SHA-256."
    )
    training_data: dict[str, Any] = Field(description="Summary of what the model was trained or built from.")
    metrics: dict[str, Any] = Field(default_factory=dict, description="Figures measured at training time.")
    quantization: str = Field(min_length=1, description="'none', or how the weights were quantized.")
    min_app_version: str = Field(pattern=VERSION_PATTERN, description="Oldest cez-kiosk that can run it.")

    @field_validator("files")
    @classmethod
    def _plain_file_names(cls, files: dict[str, str]) -> dict[str, str]:
        for file_name, digest in files.items():
            if "/" in file_name or file_name in {"", ".", "..", MODEL_FILE, MANIFEST_FILE}:
                raise ValueError(f"bad bundle file name {file_name!r}")
            if not re.fullmatch(SHA256_PATTERN, digest):
                raise ValueError(f"bad sha256 for {file_name!r}")
        return files

    @field_validator("labels")
    @classmethod
    def _labels_named(cls, labels: list[str]) -> list[str]:
        if any(not label for label in labels):
            raise ValueError("empty label")
        return labels


def read_manifest(path: Path) -> Manifest:
    """Parse and validate one manifest file, raising ManifestError with one readable line."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ManifestError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        return Manifest.model_validate_json(text)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(top level)"
        more = f" (+{exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise ManifestError(f"{path}: {where}: {first['msg']}{more}") from None


def version_key(version: str) -> tuple[int, ...]:
    """Order versions numerically (1.10.0 after 1.9.0)."""
    return tuple(int(part) for part in version.split("."))
