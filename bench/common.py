"""What every benchmark's JSON records besides its figures: when, where, which commit."""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def git_commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True,
            cwd=Path(__file__).resolve().parent,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.machine()


def machine() -> dict[str, Any]:
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu_model(),
        "python": platform.python_version(),
        "commit": git_commit(),
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"median": round(statistics.median(ordered), 3), "p95": round(p95, 3), "max": round(ordered[-1], 3)}


def readings_by_field_and_level(rows: list[dict[str, Any]]) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """The tuning scripts' page rows (`{"level", "fields": {name: {"value", "confidence", "right"}}}`)
    regrouped as each field's readings per level."""
    grouped: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for row in rows:
        for name, reading in row["fields"].items():
            grouped.setdefault(name, {}).setdefault(row["level"], []).append(reading)
    return grouped


def separation(readings: list[dict[str, Any]]) -> dict[str, Any]:
    """How well confidence tells a field's right readings from its wrong ones: the lowest confidence of a right
    reading, the highest of a wrong (non-empty) one, and the share of right readings above every wrong one."""
    right = [r["confidence"] for r in readings if r["right"]]
    wrong = [r["confidence"] for r in readings if not r["right"] and r["value"]]
    return {"pages": len(readings), "exact_match": round(len(right) / len(readings), 3),
            "min_right_conf": min(right, default=None), "max_wrong_conf": max(wrong, default=None),
            "above_wrong": round(sum(c > max(wrong, default=0.0) for c in right) / len(readings), 3),
            "unread": sum(not r["value"] for r in readings)}


def tuning_parser(description: str, levels: tuple[str, ...]) -> argparse.ArgumentParser:
    """The options every reader-tuning script takes: pages per level from a seed (500000 and up, apart from the
    corpus bench's), which held-out variants to draw, the shared data, and whether to list wrong readings."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--pages", type=int, default=30, help="pages per level")
    parser.add_argument("--seed", type=int, default=500_000)
    parser.add_argument("--levels", nargs="+", default=list(levels), choices=levels)
    parser.add_argument("--held-out", default="exclude", choices=("exclude", "only", "include"))
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    parser.add_argument("--wrong", action="store_true", help="list every wrong reading")
    parser.add_argument("--json", action="store_true", help="JSON on stdout (the only output form)")
    return parser


def tuning_report(args: argparse.Namespace, langs: str, rows: list[dict[str, Any]],
                  summary: dict[str, Any]) -> dict[str, Any]:
    """A tuning script's JSON: the machine, the sample drawn, its summary and, with --wrong, every wrong reading."""
    report: dict[str, Any] = {**machine(), "seed": args.seed, "pages_per_level": args.pages, "langs": langs,
                              "held_out": args.held_out, "levels": args.levels, **summary}
    if args.wrong:
        report["wrong"] = [{"seed": r["seed"], "level": r["level"], "layout": r["layout"], "font": r["font"],
                            "field": name, **reading}
                           for r in rows for name, reading in r["fields"].items() if not reading["right"]]
    return report
