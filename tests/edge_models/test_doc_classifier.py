"""The document-type classifier served from the factory registry: real pages, generated pages, bad input."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import click
import numpy as np
import pytest
from PIL import Image, ImageOps

from edge_models.doc_classifier import LABELS, MODEL_NAME, SIZE, PageImageError, classify, thumbnail
from edge_models.registry import Registry
from edge_models.training.doc_classifier import SEED_STRIDE, plan
from edge_models.training.doc_classifier_data import SHARED_OCR, TEST_SEED_BASE, real_pages
from edge_models.training.doc_classifier_eval import evaluate_doc_classifier, held_apart_split
from edge_models.training.doc_classifier_other import render_other
from vision.synth import KINDS, generate

FRESH_SEED = 1_900_000_000
"""Above the eval split's seeds and far from training's: pages no run has seen."""
REAL_PAGES = real_pages() if SHARED_OCR.is_dir() else []
MAX_SEED = TEST_SEED_BASE // SEED_STRIDE - 1
needs_shared = pytest.mark.skipif(not REAL_PAGES, reason=f"shared OCR pages are not at {SHARED_OCR}")


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Registry:
    return Registry(tmp_path_factory.mktemp("models"))


@needs_shared
@pytest.mark.parametrize("path", REAL_PAGES, ids=lambda path: path.name)
def test_every_real_shared_page_is_other(registry: Registry, path: Path) -> None:
    with Image.open(path) as page:
        result = classify(page, registry)
    assert result.label == "other", result.to_dict()


@pytest.mark.parametrize("kind,level", [(kind, ("none", "scan", "camera")[i % 3]) for i, kind in enumerate(KINDS)])
def test_generated_pages_of_each_kind_classify_as_their_kind(registry: Registry, kind: str, level: str) -> None:
    for offset in range(40):  # the first seed whose random variant is one training used
        page = generate(kind, FRESH_SEED + offset, degrade=level, dpi=300)
        flags = page.truth["variant"]["held_out"]
        if not (flags["layout"] or flags["font"]):
            break
    result = classify(np.asarray(page.image), registry)
    assert result.label == kind, (page.truth["variant"], result.to_dict())
    assert sum(result.scores.values()) == pytest.approx(1.0, abs=1e-3)


@needs_shared
def test_training_and_validation_never_use_a_test_split_seed() -> None:
    train, validation = plan(MAX_SEED, 5, 1, SHARED_OCR)
    main, held_out = held_apart_split()
    trained = {(s.source, s.seed) for s in train + validation}
    assert max(seed for _, seed in trained) < TEST_SEED_BASE <= min(s.seed for s in main + held_out)
    assert not any(s.held_out for s in train + validation + main) and all(s.held_out for s in held_out)
    with pytest.raises(click.BadParameter):
        plan(MAX_SEED + 1, 5, 1, SHARED_OCR)


@needs_shared
def test_training_adds_notice_only_pages_on_seeds_of_their_own() -> None:
    train, _ = plan(1, 10, 1, SHARED_OCR)
    notices = [s for s in train if s.source == "notice"]
    assert len(notices) == 5 * 3 and {s.label for s in notices} == {"other"}
    assert {s.seed for s in notices}.isdisjoint(s.seed for s in train if s.source == "render")


def test_a_forced_notice_is_reproducible_and_centred() -> None:
    page = render_other(FRESH_SEED, style="notice")
    assert page.tobytes() == render_other(FRESH_SEED, style="notice").tobytes()
    left, _, right, _ = ImageOps.invert(page.convert("L")).point(lambda v: 255 if v > 100 else 0).getbbox()
    assert abs((left + right) / 2 - page.width / 2) < 0.1 * page.width


def test_a_rendered_letter_is_other(registry: Registry) -> None:
    assert classify(render_other(FRESH_SEED, dpi=200), registry).label == "other"


def test_encoded_bytes_and_arrays_give_the_same_answer(registry: Registry) -> None:
    page = generate("invoice", FRESH_SEED + 7, dpi=150).image
    encoded = io.BytesIO()
    page.save(encoded, format="PNG")
    from_bytes = classify(encoded.getvalue(), registry)
    assert from_bytes == classify(np.asarray(page), registry)
    assert from_bytes.label == "invoice"


def test_thumbnail_keeps_the_page_shape_by_letterboxing() -> None:
    landscape = np.full((400, 800), 255, dtype=np.uint8)
    tensor = thumbnail(landscape)
    assert tensor.shape == (1, 1, SIZE, SIZE) and tensor.dtype == np.float32
    assert tensor[0, 0, SIZE // 2].min() == pytest.approx(1.0)  # the white page across the middle
    assert tensor[0, 0, 0].max() < 0.1  # grey padding above it


@pytest.mark.parametrize("bad,message", [
    (b"\x89PNG\r\n\x1a\n not really a png", "not a readable image"),
    (b"", "not a readable image"),
    (np.zeros((600, 400, 2), dtype=np.uint8), "must be (H, W)"),
    (np.zeros((600,), dtype=np.uint8), "must be (H, W)"),
    (np.zeros((600, 400), dtype=np.float32), "8-bit"),
    (np.zeros((20, 400, 3), dtype=np.uint8), "at least 32 px"),
    ("page.png", "not str"),
])
def test_bad_images_are_refused_and_the_model_keeps_serving(registry: Registry, bad: object, message: str) -> None:
    page = generate("certificate_of_origin", FRESH_SEED + 3, dpi=150).image
    before = classify(page, registry)
    with pytest.raises(PageImageError, match=message.replace("(", r"\(").replace(")", r"\)")):
        classify(bad, registry)
    assert classify(page, registry) == before
    assert registry.active(MODEL_NAME).version == registry.state(MODEL_NAME)["active"]


def test_factory_bundles_label_the_six_kinds_and_int8_is_the_small_one(registry: Registry) -> None:
    int8 = registry.active(MODEL_NAME)
    fp32 = registry.active(f"{MODEL_NAME}-fp32")
    assert tuple(int8.manifest.labels) == LABELS == tuple(fp32.manifest.labels)
    assert int8.manifest.quantization.startswith("int8 static QDQ") and fp32.manifest.quantization == "none"
    assert (int8.directory / "model.onnx").stat().st_size * 3 <= (fp32.directory / "model.onnx").stat().st_size


def test_classifying_never_imports_torch(tmp_path: Path) -> None:
    script = (
        "import sys; from pathlib import Path\n"
        "from edge_models.doc_classifier import classify\n"
        "from edge_models.registry import Registry\n"
        "import numpy as np\n"
        f"result = classify(np.full((700, 500), 255, dtype=np.uint8), Registry(Path({str(tmp_path)!r})))\n"
        "print(result.label, 'torch' in sys.modules)\n"
    )
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    label, torch_loaded = completed.stdout.split()
    assert label in LABELS
    assert torch_loaded == "False"


@pytest.mark.slow
def test_eval_reports_int8_and_fp32_on_the_same_pages(registry: Registry) -> None:
    int8, fp32 = registry.active(MODEL_NAME), registry.active(f"{MODEL_NAME}-fp32")
    report = evaluate_doc_classifier(int8, fp32, per_level=1, held_out_per_level=1)
    pages = len(LABELS) * 3
    assert report["split"]["pages"] == pages and report["held_out"]["pages"] == (len(LABELS) - 1) * 3
    assert sum(sum(row.values()) for row in report["confusion"].values()) == pages
    correct = sum(row.get(label, 0) for label, row in report["confusion"].items())
    assert report["accuracy"] == round(correct / pages, 4)
    assert set(report["per_level"]) == {"none", "scan", "camera"} and set(report["per_class"]) == set(LABELS)
    assert report["fp32"]["size_bytes"] > report["size_bytes"] > 0
    assert 0 < report["latency_ms"]["p50"] <= report["latency_ms"]["p99"]
