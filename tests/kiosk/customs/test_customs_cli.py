"""`cez-kiosk customs validate` and `declare` through the real CLI, on files of vision results (the literal
consignment of test_validation): the JSON documents, the exit codes 0, 1 and 2, and each kind of bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from kiosk.cli import main
from tests.kiosk.customs.test_validation import ON, vision_results
from vision.synth.consignment_sets import set_content, write_set


def write_jsonl(path: Path, results: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(result) + "\n" for result in results), encoding="utf-8")
    return path


def run(*args: str) -> Result:
    return CliRunner().invoke(main, ["customs", *args])


@pytest.fixture
def clean(tmp_path: Path) -> Path:
    return write_jsonl(tmp_path / "pages.jsonl", vision_results())


def test_validate_a_clean_set_exits_0_with_no_finding(clean: Path) -> None:
    result = run("validate", str(clean), "--date", ON, "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {"findings": []}


def test_validate_reads_one_page_per_json_file_or_a_list_of_them(tmp_path: Path) -> None:
    results = vision_results({"packing_list": {"container": "TGHU 761498-5"}})
    files = []
    for result in results:
        files.append(tmp_path / f"{result['doc_type']}.json")
        files[-1].write_text(json.dumps(result), encoding="utf-8")
    listed = tmp_path / "all.json"
    listed.write_text(json.dumps(results), encoding="utf-8")
    for arguments in ([str(file) for file in files], [str(listed)]):
        result = run("validate", *arguments, "--date", ON, "--json")
        assert result.exit_code == 1
        findings = json.loads(result.stdout)["findings"]
        assert [(found["code"], found["field"], found["severity"]) for found in findings] == [
            ("container.check_digit", "packing_list.container", "error"),
            ("consistency.container", "sets.container", "warning")]  # the CMR's marks name the right one


def test_validate_without_json_prints_a_line_per_finding(tmp_path: Path) -> None:
    pages = write_jsonl(tmp_path / "pages.jsonl", vision_results({"invoice": {"invoice_date": "17.11.2027"}}))
    result = run("validate", str(pages), "--date", ON)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "error invoice.invoice_date: 2027-11-17 is in the future (today is 2026-11-20) [dates.future]",
        "1 finding(s), 1 error(s)"]


def test_validate_checks_the_dates_against_the_date_given(clean: Path) -> None:
    result = run("validate", str(clean), "--date", "2029-01-10", "--json")
    assert result.exit_code == 1
    assert {(found["code"], found["field"]) for found in json.loads(result.stdout)["findings"]} >= {
        ("dates.too_old", "invoice.invoice_date"), ("dates.too_old", "cmr.established")}


def test_declare_a_clean_set_exits_0_with_the_draft(clean: Path) -> None:
    result = run("declare", str(clean), "--date", ON, "--json", "--office", "GE-KUT-02")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert set(document) == {"draft", "findings", "flags"}
    assert (document["findings"], document["flags"]) == ([], [])
    draft = document["draft"]
    assert (draft["kiosk_id"], draft["general"]["office"], draft["general"]["date"]) == ("kiosk-001", "GE-KUT-02", ON)
    assert [item["hs_code"] for item in draft["items"]] == ["08023100", "08131000"]
    assert draft["general"]["valuation"]["invoice_total"] == "45800.00"


def test_declare_without_an_invoice_exits_1_with_no_draft(tmp_path: Path) -> None:
    pages = write_jsonl(tmp_path / "pages.jsonl", vision_results(without=("invoice",)))
    result = run("declare", str(pages), "--date", ON, "--json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["draft"] is None
    assert [(found["code"], found["field"]) for found in document["findings"]] == [
        ("set.missing_document", "invoice"), ("draft.missing", "invoice")]


def test_declare_with_a_fault_exits_1_with_the_draft_and_its_flags(tmp_path: Path) -> None:
    pages = write_jsonl(tmp_path / "pages.jsonl",
                        vision_results({"certificate_of_origin": {"origin_country": "Armenia"}}))
    result = run("declare", str(pages), "--date", ON, "--json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["draft"] is not None
    assert [found["code"] for found in document["findings"]] == ["consistency.origin"]
    assert [flag["code"] for flag in document["flags"]] == ["risk.origin"]


def test_declare_goes_on_without_the_hs_suggester_and_says_so(tmp_path: Path, clean: Path) -> None:
    registry = tmp_path / "models"
    (registry / "hs-minilm").mkdir(parents=True)
    (registry / "hs-minilm" / "state.json").write_text(json.dumps({"active": "9.9.9"}), encoding="utf-8")
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[models]\nregistry_dir = "{registry}"\n', encoding="utf-8")
    result = run("declare", str(clean), "--date", ON, "--json", "--config", str(config))
    assert result.exit_code == 0
    assert "HS suggester not available" in result.stderr and "9.9.9" in result.stderr
    assert json.loads(result.stdout)["draft"] is not None


@pytest.mark.parametrize("command", ["validate", "declare"])
@pytest.mark.parametrize(("name", "content", "message"), [
    ("pages.json", "{\"doc_type\": ", "pages.json: not JSON"),
    ("pages.jsonl", "{\"doc_type\": \"cmr\", \"fields\": {}}\nnot json\n", "pages.jsonl line 2: not JSON"),
    ("pages.json", json.dumps({"fields": {"sender": "A"}}), "pages.json: not a page result"),
    ("pages.json", json.dumps([{"doc_type": "cmr", "fields": {}}, {"doc_type": 7, "fields": {}}]),
     "pages.json page 2: not a page result"),
    ("pages.json", json.dumps({"doc_type": "customs_seal", "fields": {}}), "unknown document kind 'customs_seal'"),
    ("pages.json", json.dumps({"doc_type": "cmr", "fields": ["sender"]}), "fields must be a mapping"),
    ("pages.json", "[]", "pages.json: no page results"),
    ("pages.json", "[" * 100_000 + "]" * 100_000, "pages.json: nested too deeply"),
    ("pages.json", "\udcff", "pages.json: cannot read"),
])
def test_bad_input_exits_2_with_one_line(tmp_path: Path, command: str, name: str, content: str,
                                         message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8", "surrogateescape"))
    result = run(command, str(path), "--json")
    assert result.exit_code == 2
    assert message in result.stderr and len(result.stderr.splitlines()) == 1
    assert result.stdout == ""


def test_a_results_file_too_large_for_a_consignment_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "pages.jsonl"
    path.write_bytes(b" " * 5_000_001)
    result = run("validate", str(path), "--json")
    assert result.exit_code == 2 and "pages.jsonl: larger than 5000000 bytes" in result.stderr


@pytest.mark.parametrize("command", ["validate", "declare"])
def test_two_cmrs_are_refused_naming_the_second(tmp_path: Path, command: str, clean: Path) -> None:
    second = write_jsonl(tmp_path / "second.jsonl", vision_results(without=("invoice", "certificate_of_origin",
                                                                            "packing_list")))
    result = run(command, str(clean), str(second), "--json")
    assert result.exit_code == 2
    assert result.stderr.strip() == (f"cez-kiosk: {second} line 1: two cmr pages in one consignment: "
                                     "scan one of them only")
    assert result.stdout == ""


@pytest.mark.parametrize("command", ["validate", "declare"])
def test_a_directory_a_missing_file_and_a_bad_date_are_refused(tmp_path: Path, command: str, clean: Path) -> None:
    directory = run(command, str(tmp_path), "--json")
    assert directory.exit_code == 2 and "is a directory" in directory.stderr
    missing = run(command, str(clean), str(tmp_path / "none.jsonl"), "--json")
    assert missing.exit_code == 2 and f"{tmp_path / 'none.jsonl'}: no such file" in missing.stderr
    bad_date = run(command, str(clean), "--date", "20.11.2026", "--json")
    assert bad_date.exit_code == 2 and "--date" in bad_date.stderr
    for result in (directory, missing, bad_date):
        assert result.stdout == ""


def test_declare_refuses_a_bad_office_and_a_bad_reference_table(tmp_path: Path, clean: Path) -> None:
    office = run("declare", str(clean), "--office", "GE-" + "X" * 20, "--json")
    assert office.exit_code == 2 and "a customs office code has 1 to 20 characters" in office.stderr
    table = tmp_path / "references.json"
    table.write_text(json.dumps({"table": "reference-values"}), encoding="utf-8")
    references = run("declare", str(clean), "--references", str(table), "--json")
    assert references.exit_code == 2 and str(table) in references.stderr
    assert len(references.stderr.splitlines()) == 1 and references.stdout == ""


def test_validate_reads_page_images_as_vision_read_does(tmp_path: Path) -> None:
    """A generated CMR and invoice as PNG pages: both are identified and read into one consignment."""
    truth = write_set(set_content(11), tmp_path)
    images = [str(tmp_path / page["image"]) for page in truth["pages"] if page["kind"] in ("cmr", "invoice")]
    result = run("validate", *images, "--date", truth["declared_on"], "--json")
    assert result.exit_code in (0, 1), result.stderr
    codes = [found["code"] for found in json.loads(result.stdout)["findings"]]
    assert "set.missing_document" not in codes


def test_a_file_that_is_no_page_image_is_refused(tmp_path: Path, clean: Path) -> None:
    page = tmp_path / "page.png"
    page.write_text("not an image", encoding="utf-8")
    result = run("validate", str(clean), str(page), "--json")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"cez-kiosk: {page}: ") and len(result.stderr.splitlines()) == 1


def test_the_group_help_names_every_command() -> None:
    result = CliRunner().invoke(main, ["customs", "--help"])
    assert result.exit_code == 0
    for command in ("validate", "declare", "assess"):
        assert f"  {command} " in result.stdout
