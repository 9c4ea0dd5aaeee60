"""Writing generated pages to a folder: one PNG and one ground-truth JSON per page, optionally in parallel.

A page is named `<kind>-<seed>` so a corpus can be extended seed by seed, and regenerated
byte for byte from its names alone.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vision.synth.cmr import png_bytes
from vision.synth.degrade import Level
from vision.synth.generator import HeldOut, generate


@dataclass(frozen=True)
class Job:
    """One page to generate and where to write it."""

    kind: str
    seed: int
    degrade: Level
    dpi: int
    variant: str | None
    data: Path | None
    out: Path
    held_out: HeldOut = "include"

    @property
    def stem(self) -> str:
        return f"{self.kind}-{self.seed:06d}"


def write_page(job: Job) -> dict[str, Any]:
    """Generate and write one page; returns a short record (files and variant) for the summary."""
    page = generate(job.kind, job.seed, degrade=job.degrade, dpi=job.dpi, variant=job.variant, data=job.data,
                    held_out=job.held_out)
    image_path = job.out / f"{job.stem}.png"
    truth_path = job.out / f"{job.stem}.json"
    truth = {"image": image_path.name, **page.truth}
    _atomic_write(image_path, png_bytes(page))
    _atomic_write(truth_path, json.dumps(truth, ensure_ascii=False, indent=1).encode())
    return {"image": image_path.name, "truth": truth_path.name, "layout": truth["variant"]["layout"],
            "font": truth["variant"]["font"]}


def _atomic_write(path: Path, data: bytes) -> None:
    """Write beside, then rename: an interrupted run never leaves a half-written page behind."""
    partial = path.with_name(path.name + ".part")
    partial.write_bytes(data)
    os.replace(partial, path)


def run(jobs: list[Job], workers: int = 1) -> Iterator[dict[str, Any]]:
    """Write every job's page, yielding each record as it is done (in order)."""
    if workers <= 1:
        for job in jobs:
            yield write_page(job)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(write_page, jobs, chunksize=1)
