"""Which kind of document a page is: a small int8 CNN over a grayscale page thumbnail (docs/models.md).

Runtime needs onnxruntime, OpenCV and numpy only, never torch. The thumbnail is made in two cheap
steps because a single area resize of a 300-dpi page costs ~60 ms on this box: a bilinear sample to
an intermediate four times the thumbnail's size (cost depends on the output only), then an exact
area average down to the thumbnail. The page keeps its aspect ratio (letterboxed), since the shape
of a passport or a landscape sheet is part of what the model sees. Training (edge_models/training)
builds its thumbnails with these same functions.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np
from PIL import Image, UnidentifiedImageError

from edge_models.bundle import LoadedModel

if TYPE_CHECKING:
    from edge_models.registry import Registry

MODEL_NAME = "doc_classifier"
TASK = "document-classification"
LABELS: tuple[str, ...] = ("cmr", "invoice", "certificate_of_origin", "packing_list", "id_document", "other")
SIZE = 96
"""The thumbnail is SIZE x SIZE; the page's longer side fills it."""
INTERMEDIATE = 4 * SIZE
"""Longer side of the bilinear intermediate; the area step then averages 4x4 blocks."""
PAD = 128
"""Grey around a letterboxed page: neither paper white nor a dark desk."""
INPUT_NAME = "page"
OUTPUT_NAME = "logits"
MIN_SIDE = 32
PREPROCESSING = "grey-letterbox-linear4x-area/1"
"""Names the thumbnail recipe; training's cache is keyed by it, so change it whenever the recipe changes."""
MAX_PIXELS = 120_000_000
"""A 600-dpi A3 page is ~70 MP; anything far beyond is refused rather than resized."""

GREY_MODES = frozenset({"1", "L", "I", "I;16", "F"})

Pixels = np.ndarray[Any, np.dtype[np.uint8]]
Tensor = np.ndarray[Any, np.dtype[np.float32]]


class PageImageError(ValueError):
    """An image that cannot be a page (corrupt, empty, wrong type or shape); the message says which."""


@dataclass(frozen=True)
class Classification:
    label: str
    confidence: float
    scores: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "confidence": self.confidence, "scores": self.scores}


def as_pixels(image: Pixels | Image.Image | bytes) -> Pixels:
    """A page as a uint8 array (H, W) or (H, W, C); encoded bytes (PNG, JPEG, TIFF) are decoded."""
    if isinstance(image, bytes | bytearray):
        try:
            with Image.open(io.BytesIO(image)) as decoded:
                decoded.load()
                image = decoded.copy()
        except (UnidentifiedImageError, OSError, ValueError) as exc:
            raise PageImageError(f"not a readable image: {exc}") from None
    if isinstance(image, Image.Image):
        image = np.asarray(image.convert("L" if image.mode in GREY_MODES else "RGB"))
    if not isinstance(image, np.ndarray):
        raise PageImageError(f"a page must be an image array, a PIL image or encoded bytes, not {type(image).__name__}")
    return _checked(image)


def _checked(pixels: np.ndarray[Any, Any]) -> Pixels:
    if pixels.dtype != np.uint8:
        raise PageImageError(f"a page must be 8-bit (uint8), got {pixels.dtype}")
    if pixels.ndim == 3 and pixels.shape[2] == 1:
        pixels = pixels[:, :, 0]
    if pixels.ndim not in (2, 3) or (pixels.ndim == 3 and pixels.shape[2] not in (3, 4)):
        raise PageImageError(f"a page must be (H, W), (H, W, 3) or (H, W, 4), got shape {pixels.shape}")
    height, width = pixels.shape[:2]
    if min(height, width) < MIN_SIDE:
        raise PageImageError(f"a page must be at least {MIN_SIDE} px on each side, got {width}x{height}")
    if height * width > MAX_PIXELS:
        raise PageImageError(f"a page must have at most {MAX_PIXELS} pixels, got {width}x{height}")
    return pixels


def intermediate(image: Pixels | Image.Image | bytes) -> Pixels:
    """The page in grey, its longer side INTERMEDIATE px (a bilinear sample; channels averaged, so RGB or BGR)."""
    pixels = as_pixels(image)
    height, width = pixels.shape[:2]
    scale = INTERMEDIATE / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    small = np.asarray(cv2.resize(pixels, size, interpolation=cv2.INTER_LINEAR), dtype=np.uint8)
    if small.ndim == 2:
        return small
    return np.asarray(np.mean(small[:, :, :3], axis=2, dtype=np.float32).round(), dtype=np.uint8)


def finish(grey: Pixels) -> Tensor:
    """Area-average an intermediate to the thumbnail, letterbox it, scale to [-1, 1]: shape (1, 1, SIZE, SIZE)."""
    height, width = grey.shape
    scale = SIZE / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    small = cv2.resize(grey, size, interpolation=cv2.INTER_AREA)
    canvas = np.full((SIZE, SIZE), PAD, dtype=np.uint8)
    top, left = (SIZE - size[1]) // 2, (SIZE - size[0]) // 2
    canvas[top:top + size[1], left:left + size[0]] = small
    return (canvas.astype(np.float32) / 127.5 - 1.0).reshape(1, 1, SIZE, SIZE)


def thumbnail(image: Pixels | Image.Image | bytes) -> Tensor:
    """The model's input for one page."""
    return finish(intermediate(image))


def softmax(logits: np.ndarray[Any, Any]) -> np.ndarray[Any, np.dtype[np.float64]]:
    shifted = np.asarray(logits, dtype=np.float64) - np.max(logits, axis=-1, keepdims=True)
    exp = np.exp(shifted)
    result: np.ndarray[Any, np.dtype[np.float64]] = exp / exp.sum(axis=-1, keepdims=True)
    return result


def classify_tensor(model: LoadedModel, page: Tensor) -> Classification:
    """Classify a ready thumbnail with a loaded bundle (its labels name the classes)."""
    labels = model.manifest.labels
    probabilities = softmax(model.run({INPUT_NAME: page})[0])[0]
    best = int(np.argmax(probabilities))
    return Classification(labels[best], round(float(probabilities[best]), 4),
                          {label: round(float(p), 4) for label, p in zip(labels, probabilities, strict=True)})


def classify(image: Pixels | Image.Image | bytes, model: LoadedModel | Registry) -> Classification:
    """The kind of one page. `model` is a loaded bundle, or a registry whose active doc_classifier serves."""
    page = thumbnail(image)
    loaded = model if isinstance(model, LoadedModel) else model.active(MODEL_NAME)
    return classify_tensor(loaded, page)
