"""The shipped HS suggester bundle, the FTS5 baseline and the evaluation arithmetic."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from edge_models.hs.baseline import Fts5Baseline
from edge_models.hs.evaluate import accuracy, load_queries
from edge_models.hs.suggester import MODEL_NAME, HsSuggester, Suggestion
from edge_models.hs.texts import IndexText, default_data_dir, index_texts
from edge_models.registry import Registry

HAVE_DATA = (default_data_dir() / "harmonized-system.csv").is_file()
needs_data = pytest.mark.skipif(not HAVE_DATA, reason="shared data ../shared/data/hs is not beside the checkout")


@pytest.fixture(scope="module")
def suggester(tmp_path_factory: pytest.TempPathFactory) -> HsSuggester:
    return HsSuggester(Registry(tmp_path_factory.mktemp("registry")).active(MODEL_NAME))


def test_clear_descriptions_land_in_their_heading(suggester: HsSuggester) -> None:
    cases = {"frozen shrimp, peeled": "0306", "laptop computer": "8471", "red dry wine in bottles": "2204"}
    for text, heading in cases.items():
        codes = [item.code[:4] for item in suggester.suggest(text, 5)]
        assert heading in codes, (text, codes)


def test_suggestions_are_ranked_distinct_six_digit_codes(suggester: HsSuggester) -> None:
    answers = suggester.suggest_many(["steel rebar 12mm", "Креветки"], 7)
    for answer in answers:
        assert len(answer) == 7 and len({item.code for item in answer}) == 7
        assert all(len(item.code) == 6 and item.code.isdigit() for item in answer)
        assert [item.score for item in answer] == sorted((item.score for item in answer), reverse=True)
    with pytest.raises(ValueError, match="top must be at least 1"):
        suggester.suggest("steel", 0)


def test_baseline_quotes_user_input() -> None:
    baseline = Fts5Baseline([IndexText("030617", "Crustaceans; frozen, shrimps and prawns", "hs6"),
                             IndexText("870323", "Motor cars, spark-ignition engine", "hs6")])
    assert [s.code for s in baseline.suggest("frozen shrimps")] == ["030617"]
    for hostile in ['"; DROP TABLE texts', "NEAR(a b)", "shrimp*", "OR AND NOT", "col:value", "^x"]:
        baseline.suggest(hostile)  # FTS5 syntax in a description is data, never a query error
    assert baseline.suggest("  ,;  ") == []


def test_accuracy_counts_each_level() -> None:
    queries = load_queries()[:2]
    first = queries[0].code
    answers = [
        [Suggestion(first[:4] + "99", 0.9), Suggestion(first, 0.8)],  # heading at 1, subheading at 2
        [Suggestion("990000", 0.9)],  # nothing right
    ]
    figures = accuracy(queries, answers)
    assert figures["chapter"] == {"top1": 0.5, "top5": 0.5}
    assert figures["heading"] == {"top1": 0.5, "top5": 0.5}
    assert figures["subheading"] == {"top1": 0.0, "top5": 0.5}


@needs_data
def test_eval_queries_are_many_varied_and_valid() -> None:
    with (default_data_dir() / "harmonized-system.csv").open(encoding="utf-8") as file:
        subheadings = {row["hscode"] for row in csv.DictReader(file) if row["level"] == "6"}
    queries = load_queries()
    assert len(queries) >= 300
    assert {q.code for q in queries} <= subheadings
    assert sum(q.language == "ru" for q in queries) >= 30
    assert len({q.code[:2] for q in queries}) >= 55  # chapters covered
    descriptions = {q.text.casefold() for q in queries}
    with (default_data_dir() / "harmonized-system.csv").open(encoding="utf-8") as file:
        texts = {row["description"].casefold() for row in csv.DictReader(file)}
    assert not descriptions & texts  # none copied from the nomenclature


def test_eval_queries_file_errors_name_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "queries.tsv"
    bad.write_text("# header\n030617\ten\tshrimp\n3061\ten\tno leading zero\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"queries.tsv:3: expected"):
        load_queries(bad)


@needs_data
def test_index_texts_are_six_digit_and_named() -> None:
    texts = index_texts(default_data_dir())
    assert {t.source for t in texts} == {"hs6", "cn8"}
    assert all(len(t.code) == 6 and t.code.isdigit() for t in texts)
    assert not [t for t in texts if t.source == "cn8" and t.text.casefold().startswith("other")]
    assert len({(t.code, t.text) for t in texts}) == len(texts)
