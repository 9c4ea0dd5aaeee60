"""The customs benchmark's sets: which fault each gets, and making them (in worker processes) into truth and images.

Set i of a run gets seed `first + i` and the fault `FAULT_CYCLE[i % 15]`: a third of the sets clean, the five
faults in equal shares, interleaved so that any run of 15 sets has each.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vision.synth.consignment_sets import UnitValues, render_set, set_content, set_truth, write_set
from vision.synth.degrade import Level

FAULT_CYCLE: tuple[str | None, ...] = (
    None, "check_digit", "unknown_hs", None, "weights", "undervalued", None, "origin", "check_digit", None,
    "unknown_hs", "weights", None, "undervalued", "origin",
)


def fault_for(index: int) -> str | None:
    return FAULT_CYCLE[index % len(FAULT_CYCLE)]


@dataclass(frozen=True)
class Job:
    """One set to make; `out` None makes its truth only (the pages are drawn, no image is degraded or written)."""

    seed: int
    fault: str | None
    data: Path
    unit_values: UnitValues
    out: Path | None = None
    degrade: Level = "scan"
    dpi: int = 300


def plan(first_seed: int, sets: int, data: Path, unit_values: UnitValues, out: Path | None,
         degrade: Level = "scan") -> list[Job]:
    return [Job(first_seed + i, fault_for(i), data, dict(unit_values), out, degrade) for i in range(sets)]


def make(job: Job) -> dict[str, Any]:
    """The set's truth (`vision.synth.consignment_sets.set_truth`), its images written when `job.out` is given."""
    content = set_content(job.seed, job.fault, data=job.data, unit_values=job.unit_values)
    if job.out is not None:
        return write_set(content, job.out, data=job.data, degrade=job.degrade, dpi=job.dpi)
    return set_truth(content, render_set(content, data=job.data, dpi=job.dpi))


def run(jobs: list[Job], workers: int) -> Iterator[dict[str, Any]]:
    """Every job's truth, in order."""
    if workers <= 1:
        yield from map(make, jobs)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(make, jobs, chunksize=1)
