"""The classifier's pages: which ones (specs), how they are rendered, and a cache of their intermediates.

A page is named by a `PageSpec` and rendered on demand: generator pages (vision.synth) for the five
customs kinds, pages rendered from system text and the real test pages of ../shared/data/ocr for
`other`, each at a degradation level. What is kept is the grey intermediate the runtime makes
(`edge_models.doc_classifier.intermediate`), about 100 KB a page, in a cache folder outside the
repository, one file per source, keyed by its specs and a fingerprint of the code that draws them
(changing the `other` renderer re-renders only those pages); the shared pages are
read from where they lie every time a cache is built.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import astuple, dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from edge_models import doc_classifier
from edge_models.doc_classifier import LABELS, Pixels, intermediate
from edge_models.training import doc_classifier_other
from vision import synth
from vision.synth.degrade import LEVELS as DEGRADE_LEVELS
from vision.synth.degrade import Level
from vision.synth.degrade import degrade as degrade_page
from vision.synth.generator import is_held_out, variants

REPO_ROOT = Path(__file__).resolve().parents[2]
CACHE_DIR = REPO_ROOT / "build" / "cache" / "doc_classifier"
"""Git-ignored; holds intermediates only, never the shared pages themselves."""
SHARED_OCR = REPO_ROOT.parent / "shared" / "data" / "ocr"
REAL_SUFFIXES = (".tif", ".tiff", ".png", ".jpg")
TEST_SEED_BASE = 1_000_000_000
"""Seeds of the held-apart test split start here; training and validation seeds stay below."""
KINDS = LABELS[:-1]
LEVELS: tuple[str, ...] = DEGRADE_LEVELS


@dataclass(frozen=True)
class PageSpec:
    """One page: `source` is `synth` (kind + seed + variant), `render` (seed), a STYLES name (seed) or `real` (path).

    A style name as source is a rendered `other` page of that style only.
    """

    label: str
    source: str
    seed: int
    level: str
    dpi: int = 150
    variant: str = ""
    path: str = ""

    @property
    def held_out(self) -> bool:
        if self.source != "synth":
            return False
        layout, font = self.variant.split(":")
        flags = is_held_out(self.label, synth.Variant(layout, font))
        return flags["layout"] or flags["font"]


def real_pages(folder: Path = SHARED_OCR) -> list[Path]:
    """The real scanned pages of the shared data (all `other`), in a fixed order."""
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: shared OCR pages not found (see ../shared/data/README.md)")
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in REAL_SUFFIXES)


def variant_pool(kind: str, held_out: bool) -> list[str]:
    """'layout:font' names of a kind's variants, either the held-out ones or the others."""
    names = []
    for variant in variants(kind):
        flags = is_held_out(kind, variant)
        if (flags["layout"] or flags["font"]) == held_out:
            names.append(f"{variant.layout}:{variant.font}")
    return names


def synth_specs(seeds: Sequence[int], levels: Sequence[str], dpis: Sequence[int], held_out: bool,
                rng: random.Random) -> list[PageSpec]:
    """Generator pages of every kind: one per (kind, level, seed), variants cycled in a shuffled order."""
    specs = []
    for kind in KINDS:
        pool = variant_pool(kind, held_out)
        for level in levels:
            order = rng.sample(pool, len(pool))
            for i, seed in enumerate(seeds):
                specs.append(PageSpec(kind, "synth", seed, level, rng.choice(dpis), order[i % len(order)]))
    return specs


def other_specs(seeds: Sequence[int], levels: Sequence[str], dpis: Sequence[int], rng: random.Random,
                source: str = "render") -> list[PageSpec]:
    """Rendered `other` pages, one per (level, seed): `render` mixes the styles, a STYLES name draws only it."""
    return [PageSpec("other", source, seed, level, rng.choice(dpis)) for level in levels for seed in seeds]


def real_specs(pages: Sequence[Path], copies: int, base_seed: int) -> list[PageSpec]:
    """Each real page clean once and `copies` times per other level (each degraded with its own seed)."""
    specs = []
    for page in pages:
        specs.append(PageSpec("other", "real", base_seed, "none", path=str(page)))
        for level in LEVELS[1:]:
            specs += [PageSpec("other", "real", base_seed + i, level, path=str(page)) for i in range(copies)]
    return specs


def render(spec: PageSpec) -> Image.Image:
    """The full page a spec names, degraded as it says."""
    level: Level = spec.level  # type: ignore[assignment]
    if spec.source == "synth":
        return synth.generate(spec.label, spec.seed, degrade=level, dpi=spec.dpi, variant=spec.variant).image
    if spec.source == "render":
        page = doc_classifier_other.render_other(spec.seed, spec.dpi)
    elif spec.source in doc_classifier_other.STYLES:
        page = doc_classifier_other.render_other(spec.seed, spec.dpi, style=spec.source)
    elif spec.source == "real":
        with Image.open(spec.path) as opened:
            page = opened.convert("RGB")
    else:
        raise ValueError(f"unknown page source {spec.source!r}")
    return degrade_page(page, level, spec.seed)[0]


def _intermediate(spec: PageSpec) -> Pixels:
    return intermediate(np.asarray(render(spec)))


def fingerprint(source: str) -> str:
    """Changes whenever the code that draws a source's pages or shrinks them changes: no stale cache is read."""
    digest = hashlib.sha256(repr((doc_classifier.PREPROCESSING, doc_classifier.SIZE, doc_classifier.INTERMEDIATE,
                                  source)).encode())
    rendered = source == "render" or source in doc_classifier_other.STYLES
    sources = ([Path(doc_classifier_other.__file__)] if rendered
               else sorted(Path(synth.__file__).parent.glob("*.py")) if source == "synth" else [])
    for path in sources:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cache_key(specs: Sequence[PageSpec]) -> str:
    digest = hashlib.sha256()
    for source in sorted({spec.source for spec in specs}):
        digest.update(fingerprint(source).encode())
    for spec in specs:
        digest.update(repr(astuple(spec)).encode())
    return digest.hexdigest()[:20]


def by_source(specs: Sequence[PageSpec]) -> dict[str, list[PageSpec]]:
    """Specs grouped by source, each group in the given order (groups are cached apart)."""
    groups: dict[str, list[PageSpec]] = {}
    for spec in specs:
        groups.setdefault(spec.source, []).append(spec)
    return groups


def iter_intermediates(specs: Sequence[PageSpec], workers: int) -> Iterator[Pixels]:
    """Render the specs in order, in `workers` processes (rendering is the slow part)."""
    if workers <= 1:
        yield from map(_intermediate, specs)
        return
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        yield from pool.imap(_intermediate, specs, chunksize=4)


def load_intermediates(specs: Sequence[PageSpec], name: str, cache_dir: Path, workers: int,
                       advance: Callable[[], Any]) -> list[Pixels]:
    """Intermediates of the specs, from the cache when it holds exactly these specs, else rendered and cached."""
    path = cache_dir / f"{name}-{cache_key(specs)}.npz"
    if path.is_file():
        with np.load(path) as stored:
            images = [stored[f"p{i}"] for i in range(len(specs))]
        for _ in images:
            advance()
        return images
    images = []
    for image in iter_intermediates(specs, workers):
        images.append(image)
        advance()
    cache_dir.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".tmp.npz")
    np.savez(partial, **{f"p{i}": image for i, image in enumerate(images)})
    partial.replace(path)
    return images


def augment(grey: Pixels, rng: np.random.Generator) -> Pixels:
    """Heavy, cheap augmentation of an intermediate: tilt, zoom, shift, crop, light, contrast, blur, noise."""
    import cv2

    height, width = grey.shape
    angle = rng.uniform(-4.0, 4.0)
    scale = rng.uniform(0.9, 1.06)
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, scale)
    matrix[0, 2] += rng.uniform(-0.04, 0.04) * width
    matrix[1, 2] += rng.uniform(-0.04, 0.04) * height
    matrix[0, :2] = matrix[0, :2] * rng.uniform(0.95, 1.05)
    out = cv2.warpAffine(grey, matrix, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    if rng.random() < 0.3:
        top, bottom, left, right = (int(rng.uniform(0, 0.05) * side) for side in (height, height, width, width))
        out = out[top:height - bottom, left:width - right]
    values = np.power(out.astype(np.float32) / 255.0, np.float32(rng.uniform(0.7, 1.4)))
    values = values * np.float32(rng.uniform(0.7, 1.15)) + np.float32(rng.uniform(-0.12, 0.12))
    if rng.random() < 0.3:
        values = cv2.GaussianBlur(values, (0, 0), rng.uniform(0.5, 1.5))
    values = values + rng.normal(0.0, rng.uniform(0.0, 0.04), values.shape).astype(np.float32)
    result: Pixels = np.clip(values * 255.0, 0, 255).round().astype(np.uint8)
    return result
