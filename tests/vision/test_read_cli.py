"""`cez-kiosk vision read` and `vision ocr` as the rest of the project calls them, on real files."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from PIL import Image

from kiosk.cli import main
from tests.fresh_interpreter import run_cli_without_torch
from tests.vision.bad_inputs import write_bad_files
from vision.cmr_fields import truth_value as cmr_truth_value
from vision.synth import generate_cmr
from vision.synth.generator import KINDS, generate
from vision.trade_fields import TRADE_KINDS
from vision.trade_truth import expected_fields

CONTRACT = {"file", "page", "doc_type", "quality", "codes", "fields", "timings_ms"}


def _run(*args: str) -> tuple[int, list[dict[str, Any]], list[str]]:
    result = CliRunner().invoke(main, ["vision", *args])
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    return result.exit_code, lines, result.stderr.splitlines()


def _truth_value(truth: dict[str, Any], name: str) -> str | None:
    """The ground truth of a field as the reader names it (an MRZ gives Latin names and country codes)."""
    fields = truth["fields"]
    if name in fields:
        value = str(fields[name])
        return value.split(" / ")[-1] if name in ("surname", "given_names") else value
    if name == "nationality_code":  # TD1 cards (three lines) print it after the expiry date, TD3 passports before
        return str(fields["mrz_line2"][15:18] if "mrz_line3" in fields else fields["mrz_line2"][10:13]).rstrip("<")
    return cmr_truth_value(truth, name)  # a CMR box beyond the four `fields` (None on other kinds)


@pytest.fixture(scope="module")
def cmr_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, Any]]:
    folder = tmp_path_factory.mktemp("cmr")
    page = generate_cmr(11)
    png = folder / "cmr.png"
    page.image.save(png)
    pdf = folder / "cmr.pdf"
    page.image.save(pdf, resolution=300)
    return png, pdf, page.truth


def test_read_prints_one_contract_line_per_page(cmr_files: tuple[Path, Path, dict[str, Any]]) -> None:
    png, pdf, truth = cmr_files
    code, lines, errors = _run("read", str(png), str(pdf), "--json")
    assert code == 0 and errors == []
    assert [(line["file"], line["page"]) for line in lines] == [(str(png), 1), (str(pdf), 1)]
    for line in lines:
        assert set(line) >= CONTRACT
        assert line["doc_type"] == "cmr"
        assert line["quality"]["ok"] is True
        assert set(line["fields"]) >= set(truth["fields"])
        for name, reading in line["fields"].items():
            assert set(reading) == {"value", "confidence", "accepted"}
            assert 0.0 <= reading["confidence"] <= 1.0
            if reading["accepted"]:
                assert reading["value"] == cmr_truth_value(truth, name), name
        assert {"quality", "straighten", "codes", "layout", "doc_type", "fields", "total"} <= set(line["timings_ms"])


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS)
def test_read_names_every_kind_and_its_accepted_fields_are_true(tmp_path: Path, kind: str) -> None:
    page = generate(kind, 5)
    path = tmp_path / f"{kind}.png"
    page.image.save(path)
    code, lines, errors = _run("read", str(path), "--json", "--scan")
    assert code == 0 and errors == []
    (line,) = lines
    assert line["doc_type"] == kind
    accepted = {name: reading["value"] for name, reading in line["fields"].items() if reading["accepted"]}
    for name, value in accepted.items():
        if kind in TRADE_KINDS:  # trade readers return normal forms (country codes, ISO dates)
            assert value == expected_fields(kind, page.truth["fields"]).get(name), name
        elif name.endswith("_date"):  # the visual zone prints dates with dots or spaces; the MRZ has none
            assert re.sub(r"\D", "", value) == re.sub(r"\D", "", str(_truth_value(page.truth, name))), name
        else:
            assert value == _truth_value(page.truth, name), name
    if kind == "id_document":  # the fields check digits guard are read right, accepted or not (how sure the
        # reader is depends on the whole zone: a misread first line leaves its document number at 0.6)
        assert line["fields"]["document_number"]["value"] == _truth_value(page.truth, "document_number")
        for name in ("birth_date", "expiry_date"):
            digits = re.sub(r"\D", "", line["fields"][name]["value"])
            assert digits == re.sub(r"\D", "", str(_truth_value(page.truth, name))), name


def test_every_bad_input_exits_2_with_one_line_and_the_next_file_is_read(
    tmp_path: Path, cmr_files: tuple[Path, Path, dict[str, Any]]
) -> None:
    png = cmr_files[0]
    bad = write_bad_files(tmp_path, Image.open(png))
    code, lines, errors = _run("read", *(str(path) for path, _ in bad.values()), str(png), "--json")
    assert code == 2
    assert [line["file"] for line in lines] == [str(png)]
    assert len(errors) == len(bad)
    for error, (path, phrase) in zip(errors, bad.values(), strict=True):
        assert error.startswith(f"cez-kiosk: {path}: ") and phrase in error


@pytest.mark.parametrize("name", ["40mb-image", "zero-bytes", "truncated-jpeg", "pdf-bomb", "one-pixel", "huge-header"])
def test_bad_input_under_a_2gb_address_space_exits_2_not_a_crash(tmp_path: Path, name: str) -> None:
    path, phrase = write_bad_files(tmp_path, generate_cmr(1, dpi=100).image)[name]
    result = subprocess.run(
        ["prlimit", "--as=2000000000", sys.executable, "-m", "kiosk.cli", "vision", "read", str(path), "--json"],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"cez-kiosk: {path}: ") and phrase in line


def test_read_refuses_a_bad_calibration_file(tmp_path: Path, cmr_files: tuple[Path, Path, dict[str, Any]]) -> None:
    calibration = tmp_path / "calibration.json"
    calibration.write_text('{"default": 0.9, "fields": {"sender": 7}}')
    code, lines, errors = _run("read", str(cmr_files[0]), "--calibration", str(calibration))
    assert code == 2 and lines == []
    assert errors == [f"cez-kiosk: {calibration}: threshold for 'sender' must be a number in 0..1, got 7"]


def test_read_refuses_an_unknown_engine_and_a_missing_language(cmr_files: tuple[Path, Path, dict[str, Any]]) -> None:
    code, _, errors = _run("read", str(cmr_files[0]), "--engine", "sender=paddle")
    assert code == 2 and len(errors) == 1 and "FIELD=ENGINE" in errors[0]
    code, _, errors = _run("read", str(cmr_files[0]), "--lang", "eng+xyz")
    assert code == 2 and errors == ["cez-kiosk: tesseract has no language pack for xyz"]


def test_ocr_prints_text_words_lines_and_timings_of_a_turned_page(ocr_pages: Path) -> None:
    code, lines, errors = _run("ocr", str(ocr_pages / "phototest-rotated-180.png"), "--lang", "eng", "--json")
    assert code == 0 and errors == []
    (line,) = lines
    assert "The quick brown dog jumped over the" in line["text"]
    assert line["engine"] == "tesseract" and line["lang"] == "eng"
    assert line["lines"] and line["words"]
    assert {"straighten", "ocr"} == set(line["timings_ms"])


def test_ocr_with_rapidocr_refuses_georgian(ocr_pages: Path) -> None:
    code, lines, errors = _run("ocr", str(ocr_pages / "phototest.tif"), "--engine", "rapidocr", "--lang", "kat+eng")
    assert code == 2 and lines == []
    assert errors == ["cez-kiosk: rapidocr cannot read kat+eng"]


def test_ocr_of_a_bad_file_exits_2(tmp_path: Path) -> None:
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    code, lines, errors = _run("ocr", str(empty), "--json")
    assert code == 2 and lines == []
    assert errors == [f"cez-kiosk: {empty}: empty input"]


def test_read_classifies_with_the_shipped_model_and_never_imports_torch(
    tmp_path: Path, cmr_files: tuple[Path, Path, dict[str, Any]]
) -> None:
    png, _, _ = cmr_files
    lines = run_cli_without_torch(["vision", "read", str(png), "--json"], tmp_path / "registry")
    line = json.loads(lines[0])
    assert line["doc_type"] == "cmr" and line["doc_type_rule"].startswith("model:")


def test_read_uses_the_classifier_active_in_the_configured_registry(
    tmp_path: Path, cmr_files: tuple[Path, Path, dict[str, Any]]
) -> None:
    """A version central activated in the kiosk's registry is the one `vision read` classifies with."""
    import shutil

    from edge_models.registry import FACTORY_DIR, Registry

    incoming = tmp_path / "incoming" / "doc_classifier" / "1.2.0"
    shutil.copytree(FACTORY_DIR / "doc_classifier" / "1.1.0", incoming)
    manifest = json.loads((incoming / "manifest.json").read_text())
    (incoming / "manifest.json").write_text(json.dumps({**manifest, "version": "1.2.0"}))
    registry_dir = tmp_path / "registry"
    registry = Registry(registry_dir)
    registry.install(incoming)
    registry.activate("doc_classifier", "1.2.0")
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[models]\nregistry_dir = "{registry_dir}"\n')
    png, _, _ = cmr_files
    code, lines, errors = _run("read", str(png), "--json", "--config", str(config))
    assert code == 0, errors
    assert lines[0]["doc_type"] == "cmr" and lines[0]["doc_type_rule"].startswith("model:1.2.0:")
