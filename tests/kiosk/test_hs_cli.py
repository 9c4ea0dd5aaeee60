"""`cez-kiosk hs`: the shipped suggester bundle and the shared nomenclature, through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kiosk.cli import main
from kiosk.customs.nomenclature import Nomenclature, default_data_dir
from tests.fresh_interpreter import run_cli_without_torch

pytestmark = pytest.mark.skipif(not (default_data_dir() / "harmonized-system.csv").is_file(),
                                reason="shared data ../shared/data/hs is not beside the checkout")


@pytest.fixture()
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("CEZ_MODELS__REGISTRY_DIR", str(tmp_path / "registry"))
    monkeypatch.delenv("CEZ_CONFIG", raising=False)
    return CliRunner()


def test_suggest_prints_codes_scores_and_descriptions(runner: CliRunner) -> None:
    result = runner.invoke(main, ["hs", "suggest", "frozen shrimp, peeled", "--top", "5", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["query"] == "frozen shrimp, peeled"
    suggestions = document["suggestions"]
    assert len(suggestions) == 5
    assert "0306" in [s["code"][:4] for s in suggestions]
    nomenclature = Nomenclature.load()
    for item in suggestions:
        assert item["description"] == nomenclature.lookup(item["code"]).description
    assert [s["score"] for s in suggestions] == sorted((s["score"] for s in suggestions), reverse=True)


def test_suggest_file_prints_json_lines_in_order(runner: CliRunner, tmp_path: Path) -> None:
    queries = tmp_path / "queries.txt"
    queries.write_text("frozen shrimp, peeled\n\nLaptop computers 15.6 inch\nВино красное сухое\n", encoding="utf-8")
    result = runner.invoke(main, ["hs", "suggest", "--file", str(queries), "--top", "3", "--json"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["query"] for line in lines] == ["frozen shrimp, peeled", "Laptop computers 15.6 inch",
                                                 "Вино красное сухое"]
    assert all(len(line["suggestions"]) == 3 for line in lines)


@pytest.mark.parametrize(("args", "message"), [
    (["hs", "suggest"], "not both or neither"),
    (["hs", "suggest", "shrimp", "--file", "x.txt"], "not both or neither"),
    (["hs", "suggest", "   "], "empty goods description"),
    (["hs", "suggest", "shrimp", "--top", "0"], "0 is not in the range"),
    (["hs", "suggest", "--file", "/nonexistent/queries.txt"], "cannot read"),
    (["hs", "suggest", "x" * 1001], "longer than 1000 characters"),
    (["hs", "lookup", "30617"], "leading zero lost"),
    (["hs", "lookup", "030617", "--date", "2021-06-01"], "no nomenclature in force"),
])
def test_bad_input_exits_2_with_one_line(runner: CliRunner, args: list[str], message: str) -> None:
    result = runner.invoke(main, args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_empty_queries_file_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("\n  \n", encoding="utf-8")
    result = runner.invoke(main, ["hs", "suggest", "--file", str(empty), "--json"])
    assert result.exit_code == 2 and "no descriptions" in result.stderr


def test_lookup_gives_text_parents_and_edition(runner: CliRunner) -> None:
    result = runner.invoke(main, ["hs", "lookup", "030617", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["code"] == "030617" and document["level"] == 6 and document["found"] is True
    assert [p["code"] for p in document["parents"]] == ["03", "0306"]
    assert document["section"] == "I"


def test_lookup_of_a_cn_other_leaf_by_date(runner: CliRunner) -> None:
    result = runner.invoke(main, ["hs", "lookup", "0306 17 99", "--date", "2026-02-01", "--json"])
    document = json.loads(result.stdout)
    assert document["description"] == "Other" and "shrimps and prawns" in document["full_description"]
    assert document["edition"] == "HS 2022 + CN 2026"
    older = runner.invoke(main, ["hs", "lookup", "03061799", "--date", "2024-02-01", "--json"])
    assert older.exit_code == 1 and json.loads(older.stdout) == {"code": "03061799", "found": False,
                                                                 "edition": "HS 2022"}


def test_suggest_never_imports_torch(tmp_path: Path) -> None:
    lines = run_cli_without_torch(["hs", "suggest", "frozen shrimp, peeled", "--json"], tmp_path / "registry")
    assert json.loads(lines[0])["suggestions"]
