"""Reading many files: one page per worker process, results in input order, bad files reported and skipped.

Tesseract runs single-threaded (`OMP_THREAD_LIMIT=1`), so a 2-core box reads two pages at once by
running two workers. Each worker decodes its own page from the file (a PDF page is rasterised in
the worker), so only paths and small results cross process boundaries. With one worker everything
runs in this process, which is what a memory-limited caller (`prlimit`) wants.
"""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vision.images import UnreadableImage
from vision.pages import load_page, page_count
from vision.pipeline import Settings, read_page


@dataclass(frozen=True)
class Outcome:
    """One page's JSON-ready result, or why its file could not be read (`page` 0: the file as a whole)."""

    file: Path
    page: int
    result: dict[str, Any] | None
    error: str | None = None
    seconds: float = 0.0
    """Wall time of decoding and reading the page in its worker (benchmarks: latency under the pool's load)."""
    cpu_seconds: float = 0.0
    """CPU time the worker (its threads and finished children) spent on the page: unlike `seconds`, other load
    on the box does not inflate it."""


def _cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def read_one(file: Path, page: int, settings: Settings) -> Outcome:
    started, cpu_started = time.perf_counter(), _cpu_seconds()
    try:
        image = load_page(file, page)
    except UnreadableImage as exc:
        return Outcome(file, page, None, str(exc))
    result = read_page(image.gray, settings).to_dict(str(file), page)
    return Outcome(file, page, result, seconds=time.perf_counter() - started,
                   cpu_seconds=_cpu_seconds() - cpu_started)


def _init_worker() -> None:
    os.environ["OMP_THREAD_LIMIT"] = "1"


def _jobs(files: Iterable[Path]) -> Iterator[tuple[Path, int] | Outcome]:
    for file in files:
        try:
            count = page_count(file)
        except UnreadableImage as exc:
            yield Outcome(file, 0, None, str(exc))
            continue
        for page in range(1, count + 1):
            yield file, page


def read_files(files: Iterable[Path], settings: Settings, *, workers: int = 1) -> Iterator[Outcome]:
    """Every page of every file, in order; at most `2 * workers` pages in flight."""
    if workers <= 1:
        for job in _jobs(files):
            yield job if isinstance(job, Outcome) else read_one(*job, settings)
        return
    with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker) as pool:
        pending: deque[Future[Outcome] | Outcome] = deque()
        for job in _jobs(files):
            pending.append(job if isinstance(job, Outcome) else pool.submit(read_one, *job, settings))
            while len(pending) > 2 * workers:
                yield _result(pending.popleft())
        while pending:
            yield _result(pending.popleft())


def _result(item: Future[Outcome] | Outcome) -> Outcome:
    return item if isinstance(item, Outcome) else item.result()
