"""The customs benchmark: which rules a set's codes fire, recall and precision per rule, the clean sets' false
ERRORs, the fault plan, one set through the real customs steps, and a tiny run of its truth pass."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from datetime import date
from pathlib import Path
from types import ModuleType

import pytest

from kiosk.customs.risk import load_reference_values

REPO = Path(__file__).resolve().parents[2]
BENCH = REPO / "bench"
DATA = REPO.parent / "shared" / "data"


@pytest.fixture
def score(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.setattr(sys, "path", [*sys.path, str(BENCH)])
    return importlib.import_module("customs_score")


@pytest.fixture
def bench(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """bench/customs.py; bench/ last on the path, so the real packages still win."""
    monkeypatch.setattr(sys, "path", [*sys.path, str(BENCH)])
    return importlib.import_module("customs")


def test_each_rule_fires_on_its_own_codes_only(score: ModuleType) -> None:
    assert score.fired(["container.check_digit"]) == {"check_digit"}
    assert score.fired(["hs.unknown", "hs.leading_zero"]) == {"unknown_hs"}
    assert score.fired(["weights.gross_below_net"]) == {"weights"}
    assert score.fired(["consistency.gross_weight"]) == {"weights"}
    assert score.fired(["risk.undervaluation"]) == {"undervalued"}
    assert score.fired(["risk.origin"]) == score.fired(["consistency.origin"]) == {"origin"}
    assert score.fired(["consistency.net_weight", "risk.weights", "container.length", "hs.unknownish",
                        "consistency.origin_x", "plate.format"]) == frozenset()


def test_recall_and_precision_per_rule(score: ModuleType) -> None:
    outcome = score.SetOutcome
    outcomes = [
        outcome(1, "check_digit", frozenset({"check_digit"})),
        outcome(2, "check_digit", frozenset({"check_digit", "weights"})),
        outcome(3, "check_digit", frozenset()),
        outcome(4, None, frozenset({"check_digit"}), ("container.check_digit",)),
        outcome(5, "weights", frozenset({"weights"})),
        outcome(6, None, frozenset()),
    ]
    rules = score.rule_scores(outcomes)
    assert rules["check_digit"] | {"recall": None, "precision": None} == {
        "injected": 3, "tp": 2, "fp": 1, "fn": 1, "recall": None, "precision": None,
        "missed_seeds": [3], "false_positive_seeds": [4]}
    assert rules["check_digit"]["recall"] == rules["check_digit"]["precision"] == pytest.approx(0.6667)
    assert rules["weights"] | {"missed_seeds": [], "false_positive_seeds": [2]} == rules["weights"]
    assert (rules["weights"]["recall"], rules["weights"]["precision"]) == (1.0, 0.5)
    assert rules["origin"]["recall"] is None and rules["origin"]["precision"] is None
    assert rules["origin"]["injected"] == 0


def test_clean_sets_false_errors_count_each_set_once_per_code(score: ModuleType) -> None:
    outcome = score.SetOutcome
    outcomes = [outcome(1, None, frozenset(), ("plate.format", "plate.format")),
                outcome(2, None, frozenset(), ()),
                outcome(3, None, frozenset(), ("plate.format", "hs.unknown")),
                outcome(4, None, frozenset(), ()),
                outcome(5, "origin", frozenset({"origin"}), ("consistency.origin",))]
    assert score.clean_errors(outcomes) == {"clean_sets": 4, "with_error": 2, "rate": 0.5,
                                            "codes": {"plate.format": 2, "hs.unknown": 1}, "seeds": [1, 3]}
    assert score.clean_errors(outcomes[4:])["rate"] is None
    figures = score.summary([*outcomes, outcome(6, "weights", frozenset(), refused=True)])
    assert figures["refused"] == 1
    assert figures["error_codes"] == {"plate.format": 2, "hs.unknown": 1, "consistency.origin": 1}


def test_a_third_of_the_sets_are_clean_and_the_faults_share_the_rest(bench: ModuleType) -> None:
    plan = [bench.customs_sets.fault_for(i) for i in range(30)]
    assert plan.count(None) == 10
    assert {fault: plan.count(fault) for fault in bench.RULES} == dict.fromkeys(bench.RULES, 4)
    assert set(plan[:15]) == {None, *bench.RULES}


def test_targets_need_every_fault_found_and_few_false_errors(bench: ModuleType) -> None:
    def figures(recall: float, rate: float) -> dict[str, object]:
        return {"rules": {"check_digit": {"recall": 1.0}, "weights": {"recall": recall}, "origin": {"recall": None}},
                "clean_false_error": {"rate": rate}}

    assert bench.targets(figures(1.0, 0.01)) == {
        "every_fault_found": True, "clean_false_error_rate": {"value": 0.01, "at_most": 0.01, "met": True}}
    assert bench.targets(figures(0.9, 0.0))["every_fault_found"] is False
    assert bench.targets(figures(1.0, 0.02))["clean_false_error_rate"]["met"] is False


def _invoice(hs_code: str) -> dict[str, str]:
    return {"invoice_number": "INV 2025/117", "invoice_date": "14.03.2025", "currency": "USD",
            "seller": "Imereti Walnut LLC, 4 Tamar Mepe Street, 4600 Kutaisi, Georgia",
            "buyer": "Marmara Kuruyemis A.S., Cumhuriyet Cad. 9, 34000 Istanbul, Turkey",
            "origin": "Georgia", "incoterm": "FCA", "incoterm_place": "Kutaisi",
            "item_1_description": "Walnuts, in shell", "item_1_hs_code": hs_code, "item_1_quantity": "1000",
            "item_1_unit": "KG", "item_1_unit_price": "3.10", "item_1_amount": "3,100.00",
            "item_1_net_kg": "1000.0", "item_1_gross_kg": "1040.0",
            "total_amount": "3,100.00 USD", "total_net_kg": "1000.0", "total_gross_kg": "1040.0"}


def test_a_set_goes_through_the_real_customs_steps(bench: ModuleType) -> None:
    references = load_reference_values()
    on = date(2025, 3, 15)
    cmr = {"gross_weight": "1 040 kg", "statistical_number": "0802.31", "packages": "40"}
    unknown = bench.check_set([("cmr", cmr), ("invoice", _invoice("080233"))], 7, "unknown_hs", on, DATA, references)
    assert unknown.fired == {"unknown_hs"} and "hs.unknown" in unknown.error_codes and not unknown.refused
    heavy = bench.check_set([("cmr", cmr | {"gross_weight": "1 300 kg"}), ("invoice", _invoice("080231"))], 8,
                            "weights", on, DATA, references)
    assert "weights" in heavy.fired and "unknown_hs" not in heavy.fired


def test_a_set_with_two_pages_of_one_kind_is_refused_not_checked(bench: ModuleType) -> None:
    refused = bench.check_set([("invoice", _invoice("080231")), ("invoice", _invoice("080231"))], 9, None,
                              date(2025, 3, 15), DATA, load_reference_values())
    assert refused.refused and refused.fired == frozenset() and refused.error_codes == ()


def test_the_truth_pass_of_a_tiny_run_finds_its_faults() -> None:
    run = subprocess.run([sys.executable, str(BENCH / "customs.py"), "--json", "--sets", "3", "--part", "truth",
                          "--data", str(DATA)], capture_output=True, text=True, timeout=60, check=True)
    report = json.loads(run.stdout)
    assert (report["benchmark"], report["sets"], report["parts"]) == ("customs", 3, ["truth"])
    assert report["faults"] == {"None": 1, "check_digit": 1, "unknown_hs": 1, "weights": 0, "undervalued": 0,
                                "origin": 0}
    assert {"nproc", "commit"} <= report["machine"].keys() and report["generation"]["images"] is False
    rules = report["truth"]["rules"]
    assert rules["check_digit"]["recall"] == rules["unknown_hs"]["recall"] == 1.0
    assert report["truth"]["clean_false_error"] == {"clean_sets": 1, "with_error": 0, "rate": 0.0, "codes": {},
                                                    "seeds": []}
    assert "e2e" not in report


def test_bad_options_exit_2_with_one_line(tmp_path: Path) -> None:
    for options in (["--sets", "0"], ["--data", str(tmp_path)]):
        run = subprocess.run([sys.executable, str(BENCH / "customs.py"), "--json", *options], capture_output=True,
                             text=True, timeout=60)
        assert run.returncode == 2 and run.stdout == "" and len(run.stderr.strip().splitlines()) == 1


def test_after_the_driver_accepted_readings_stay_and_the_others_are_the_page(bench: ModuleType) -> None:
    page = {"kind": "invoice", "fields": {"invoice_number": "INV-2026-0042", "currency": "EUR",
                                          "container": "HLXU5714219"},
            "handwriting": [], "variant": {"held_out": {"layout": False, "font": False}}}
    result = {"doc_type": "invoice", "fields": {
        "invoice_number": {"value": "INV-2026-0O42", "confidence": 0.4, "accepted": False},
        "currency": {"value": "EUR", "confidence": 0.99, "accepted": True},
        "incoterm": {"value": "FCA", "confidence": 0.5, "accepted": False},  # a box this page leaves empty
        "container": {"value": "HLXU5714219", "confidence": 0.3, "accepted": False},  # printed, not scored by vision
    }}
    confirmed = bench.confirmed(page, result, set())
    assert confirmed == {"invoice_number": "INV-2026-0042", "currency": result["fields"]["currency"],
                         "container": "HLXU5714219"}
