from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image


def _synth(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kiosk.cli", "vision", "synth", *args],
                          capture_output=True, text=True, timeout=300)


def test_writes_n_pages_with_truth_and_a_json_summary(tmp_path: Path) -> None:
    out = tmp_path / "corpus"
    done = _synth("--kind", "id_document", "--count", "3", "--seed", "40", "--degrade", "scan", "--out", str(out),
                  "--dpi", "100", "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["pages"] == 3 and summary["kinds"] == ["id_document"] and summary["degrade"] == "scan"
    assert sum(summary["layouts"].values()) == 3
    stems = [f"id_document-{seed:06d}" for seed in (40, 41, 42)]
    assert sorted(path.name for path in out.iterdir()) == sorted([f"{s}.json" for s in stems] +
                                                                 [f"{s}.png" for s in stems])
    for stem in stems:
        truth = json.loads((out / f"{stem}.json").read_text(encoding="utf-8"))
        assert truth["image"] == f"{stem}.png" and truth["kind"] == "id_document"
        assert truth["degradation"]["level"] == "scan" and "skew_deg" in truth["degradation"]
        with Image.open(out / f"{stem}.png") as image:
            assert list(image.size) == truth["size_px"]


def test_a_chosen_variant_is_used_for_every_page(tmp_path: Path) -> None:
    done = _synth("--kind", "invoice", "--count", "2", "--variant", "invoice-boxed:c059", "--dpi", "72",
                  "--out", str(tmp_path), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["layouts"] == {"invoice-boxed": 2}
    for path in tmp_path.glob("*.json"):
        variant = json.loads(path.read_text(encoding="utf-8"))["variant"]
        assert variant == {"layout": "invoice-boxed", "font": "c059", "held_out": {"layout": True, "font": True}}


def test_a_tuning_corpus_holds_no_held_out_variant(tmp_path: Path) -> None:
    done = _synth("--kind", "cmr", "--count", "6", "--held-out", "exclude", "--dpi", "72", "--out", str(tmp_path),
                  "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["held_out"] == "exclude" and "iru-ruled" not in summary["layouts"] and "c059" not in summary["fonts"]
    for path in tmp_path.glob("*.json"):
        assert json.loads(path.read_text(encoding="utf-8"))["variant"]["held_out"] == {"layout": False, "font": False}


def test_kind_all_writes_every_kind(tmp_path: Path) -> None:
    done = _synth("--kind", "all", "--count", "1", "--out", str(tmp_path), "--dpi", "72", "--json")
    assert done.returncode == 0, done.stderr
    kinds = {json.loads(path.read_text(encoding="utf-8"))["kind"] for path in tmp_path.glob("*.json")}
    assert kinds == {"cmr", "invoice", "certificate_of_origin", "packing_list", "id_document"}


def test_two_workers_write_the_same_pages_as_one(tmp_path: Path) -> None:
    for name, jobs in (("one", "1"), ("two", "2")):
        done = _synth("--kind", "invoice", "--count", "2", "--seed", "3", "--dpi", "72", "--jobs", jobs,
                      "--out", str(tmp_path / name))
        assert done.returncode == 0, done.stderr
    for stem in ("invoice-000003", "invoice-000004"):
        assert (tmp_path / "one" / f"{stem}.png").read_bytes() == (tmp_path / "two" / f"{stem}.png").read_bytes()


def test_the_same_seed_writes_the_same_bytes(tmp_path: Path) -> None:
    for name in ("a", "b"):
        done = _synth("--kind", "packing_list", "--count", "1", "--seed", "9", "--degrade", "camera",
                      "--dpi", "72", "--out", str(tmp_path / name))
        assert done.returncode == 0, done.stderr
    for suffix in ("png", "json"):
        first = (tmp_path / "a" / f"packing_list-000009.{suffix}").read_bytes()
        assert first == (tmp_path / "b" / f"packing_list-000009.{suffix}").read_bytes()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--count", "1"], "--kind is required"),
        (["--kind", "passport"], "unknown kind 'passport'"),
        (["--kind", "cmr", "--count", "0"], "--count must be between"),
        (["--kind", "cmr", "--count", "many"], "--count must be a whole number"),
        (["--kind", "cmr", "--degrade", "fax"], "unknown --degrade 'fax'"),
        (["--kind", "cmr", "--dpi", "5000"], "--dpi must be between"),
        (["--kind", "cmr", "--variant", "nope"], "--variant: cmr has no layout 'nope'"),
        (["--kind", "cmr"], "--out is required"),
        (["--kind", "cmr", "--held-out", "maybe"], "unknown --held-out 'maybe'"),
        (["--kind", "cmr", "--held-out", "only", "--variant", "iru-classic"], "exclude each other"),
    ],
    ids=["no-kind", "bad-kind", "zero-count", "word-count", "bad-degrade", "huge-dpi", "bad-variant", "no-out",
         "bad-held-out", "variant-and-held-out"],
)
def test_bad_arguments_exit_2_with_one_line_and_write_nothing(tmp_path: Path, args: list[str], message: str) -> None:
    out = tmp_path / "out"
    full = [*args, "--out", str(out)] if "--out is required" not in message else args
    done = _synth(*full)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], done.stderr
    assert done.stdout == ""
    assert not out.exists()


def test_a_data_folder_without_hs_is_refused(tmp_path: Path) -> None:
    done = _synth("--kind", "invoice", "--out", str(tmp_path / "out"), "--data", str(tmp_path))
    assert done.returncode == 2
    assert "no hs/ folder" in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_an_out_path_that_is_a_file_is_refused(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    done = _synth("--kind", "cmr", "--out", str(blocker))
    assert done.returncode == 2 and "cannot create the folder" in done.stderr
    assert blocker.read_text() == "x"
