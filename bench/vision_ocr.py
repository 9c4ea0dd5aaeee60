"""The OCR part of `bench/vision.py`: character error rate on Tesseract's own test pages, per page and variant.

Every page goes through what `cez-kiosk vision ocr` does: decode, straighten (orientation and
skew), then a whole-page read; the UNLV magazine pages are read zone by zone from their `.uzn`
files, in the ground truth's order (a whole-page read of two columns would be scored on reading
order, not on characters). CER is the edit distance over the ground truth's length, whitespace
collapsed (`bench/cer.py`). Targets from the issue: each rotated variant of phototest within 0.5
CER points of the upright page; eurotext at most 1.5 %.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
from cer import cer
from rich.console import Console
from rich.progress import Progress

from vision.images import load_gray_file
from vision.ocr import get_engine
from vision.straighten import straighten

PAGES: tuple[tuple[str, str, str, str], ...] = (
    # file, its ground truth, the variant it is, Tesseract languages
    ("phototest.tif", "phototest.txt", "upright", "eng"),
    ("phototest-rotated-180.png", "phototest.txt", "rotated-180", "eng"),
    ("phototest-rotated-L.png", "phototest.txt", "rotated-L", "eng"),
    ("phototest-rotated-R.png", "phototest.txt", "rotated-R", "eng"),
    ("phototestrot.tif", "phototest.txt", "rotated (phototestrot)", "eng"),
    ("eurotext.tif", "eurotext.txt", "upright", "eng+deu+fra"),
    ("8071_093.3B.tif", "8071_093.3B.txt", "zoned", "eng"),
    ("8087_054.3B.tif", "8087_054.3B.txt", "zoned", "eng"),
)
SECOND_ENGINE = ("phototest.tif", "eurotext.tif")
"""Pages also read by RapidOCR (Latin only), for comparison."""
ROTATION_TOLERANCE_POINTS = 0.5
EUROTEXT_TARGET = 1.5


def _zones(uzn: Path) -> list[tuple[int, int, int, int]]:
    zones = []
    for line in uzn.read_text().splitlines():
        parts = line.split()
        if len(parts) >= 4:
            left, top, width, height = (int(v) for v in parts[:4])
            zones.append((left, top, width, height))
    return zones


def _read(page: np.ndarray, uzn: Path | None, engine_name: str, langs: str) -> str:
    engine = get_engine(engine_name)
    if uzn is None:
        return engine.read(page, langs=langs, layout="page").text
    parts = []
    for left, top, width, height in _zones(uzn):
        parts.append(engine.read(page[top : top + height, left : left + width], langs=langs, layout="block").text)
    return "\n".join(parts)


def run(folder: Path, console: Console, seed: int, pages: int) -> dict[str, Any]:
    """CER for each shared test page (`seed` and `pages` do not apply: the pages are fixed)."""
    del seed, pages
    root = folder / "tesseract-test-pages"
    jobs = [(name, truth, variant, langs, "tesseract") for name, truth, variant, langs in PAGES]
    jobs += [(name, truth, variant, langs, "rapidocr") for name, truth, variant, langs in PAGES
             if name in SECOND_ENGINE]
    rows: list[dict[str, Any]] = []
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("ocr pages", total=len(jobs))
        for name, truth_name, variant, langs, engine in jobs:
            gray = load_gray_file(root / name)
            started = time.perf_counter()
            upright = straighten(gray)
            straightened = time.perf_counter()
            uzn = (root / name).with_suffix(".uzn")
            langs = "eng" if engine == "rapidocr" else langs  # its bundled models read Latin, no language packs
            text = _read(upright.image, uzn if uzn.exists() else None, engine, langs)
            finished = time.perf_counter()
            rows.append({
                "file": name, "variant": variant, "engine": engine, "lang": langs,
                "rotation_found": upright.rotation, "skew_found": round(upright.skew, 2),
                "cer_pct": round(cer((root / truth_name).read_text(encoding="utf-8"), text), 2),
                "timings_ms": {"straighten": round((straightened - started) * 1000, 1),
                               "ocr": round((finished - straightened) * 1000, 1)},
            })
            progress.advance(task)
    tesseract = {(row["file"]): row for row in rows if row["engine"] == "tesseract"}
    upright_cer = tesseract["phototest.tif"]["cer_pct"]
    rotated = [row for name, row in tesseract.items() if name.startswith("phototest") and name != "phototest.tif"]
    worst_gap = max(row["cer_pct"] - upright_cer for row in rotated)
    return {
        "pages": rows,
        "targets": {
            "phototest_rotated_worst_gap_points": round(worst_gap, 2),
            "phototest_rotated_within_0_5_points": worst_gap <= ROTATION_TOLERANCE_POINTS,
            "eurotext_cer_pct": tesseract["eurotext.tif"]["cer_pct"],
            "eurotext_at_most_1_5_pct": tesseract["eurotext.tif"]["cer_pct"] <= EUROTEXT_TARGET,
        },
    }
