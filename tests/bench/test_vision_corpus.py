"""The corpus benchmark's scoring: which fields a page owes, what counts as right and as accepted, the splits."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from vision.pool import Outcome

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _cmr_truth_value(truth: dict[str, Any], name: str) -> str | None:
    """The CMR reader's truth in its simplest form (the reader's own, `vision.cmr_fields.truth_value`, evolves)."""
    value = truth["fields"].get(name) or truth["boxes"].get(name)
    return str(value) if value else None


@pytest.fixture
def bench(monkeypatch: pytest.MonkeyPatch) -> tuple[ModuleType, ModuleType]:
    """bench/vision_corpus.py and its scoring module; bench/ last on the path, so the real packages still win."""
    monkeypatch.setattr(sys, "path", [*sys.path, str(BENCH)])
    score = importlib.import_module("vision_corpus_score")
    monkeypatch.setattr(score, "cmr_truth_value", _cmr_truth_value)
    return importlib.import_module("vision_corpus"), score


def _result(fields: dict[str, tuple[str, float, bool]], doc_type: str = "cmr", problem: str | None = None
            ) -> dict[str, Any]:
    return {"doc_type": doc_type, "quality": {"problem": problem},
            "fields": {name: {"value": v, "confidence": c, "accepted": a} for name, (v, c, a) in fields.items()}}


def _cmr_truth(held_out_layout: bool = False) -> dict[str, Any]:
    return {"fields": {"sender": "ООО Арго, Тбилиси", "consignee": "Kara Ltd, İzmir", "vehicle_plate": "GE-123-AB",
                       "gross_weight_kg": "18500"},
            "boxes": {"established": "Poti", "goods_received": ""}, "handwriting": ["established", "goods_received"],
            "variant": {"held_out": {"layout": held_out_layout, "font": False}}}


def test_trade_truth_is_compared_in_the_readers_normal_form(bench: tuple[ModuleType, ModuleType]) -> None:
    _, score = bench
    truth = {"fields": {"certificate_number": "A 123456", "origin_country": "Georgia",
                        "destination_country": "Türkiye", "gross_mass": "1 234,50 kg"}}
    assert score.expected_fields("certificate_of_origin", truth) == {
        "certificate_number": "A 123456", "origin_country": "GE", "destination_country": "TR", "gross_mass": "1234.50"}
    outcomes = score.page_outcomes("certificate_of_origin", truth, _result(
        {"origin_country": ("GE", 0.9, True), "gross_mass": ("1 234,50", 0.9, True)}, "certificate_of_origin"))
    assert {o.name: o.right for o in outcomes} == {"certificate_number": False, "destination_country": False,
                                                   "gross_mass": False, "origin_country": True}


def test_id_truth_is_the_mrz_s_latin_name_nationality_and_dates_by_digits(bench: tuple[ModuleType, ModuleType]
                                                                        ) -> None:
    _, score = bench
    line2 = "A12345678" + "0" + "GEO" + "9001011M3001012" + "<" * 14 + "02"
    truth = {"fields": {"surname": "ბერიძე / BERIDZE", "birth_date": "01.01.1990", "mrz_line2": line2}}
    expected = score.expected_fields("id_document", truth)
    assert expected == {"surname": "BERIDZE", "birth_date": "01.01.1990", "nationality_code": "GEO"}
    assert score.is_right("birth_date", "01 01 1990", expected["birth_date"])
    assert not score.is_right("surname", "BERIDZF", expected["surname"])
    # a TD1 card's second line: birth date, check, sex, expiry date, check, then the nationality
    card = {"fields": {"mrz_line2": "9001011M3001012" + "GEO" + "<" * 11 + "4", "mrz_line3": "BERIDZE<<NINO"}}
    assert score.expected_fields("id_document", card)["nationality_code"] == "GEO"


def test_unprinted_accepted_field_is_a_wrong_acceptance(bench: tuple[ModuleType, ModuleType]) -> None:
    _, score = bench
    result = _result({"sender": ("ООО Арго, Тбилиси", 0.97, True), "consignee": ("Kara Ltd, Izmir", 0.96, True),
                      "vehicle_plate": ("GE-123-AB", 0.5, False), "invoice_number": ("77", 0.99, True)})
    tally = score.Tally()
    for outcome in score.page_outcomes("cmr", _cmr_truth(), result):
        tally.add(outcome)
    # four printed fields: sender right, consignee wrong (İ), plate right but not accepted, weight not read
    assert (tally.fields, tally.right, tally.accepted, tally.accepted_right) == (4, 2, 2, 1)
    assert tally.accepted_unprinted == 1
    assert tally.accepted_accuracy == pytest.approx(1 / 3, abs=1e-4)
    assert tally.auto_accepted_fraction == 0.5


def test_calibration_samples_only_values_read_on_trusted_pages(bench: tuple[ModuleType, ModuleType]) -> None:
    _, score = bench
    result = _result({"sender": ("ООО Арго, Тбилиси", 0.97, True), "consignee": ("", 0.0, False)})
    samples = score.calibration_samples(score.page_outcomes("cmr", _cmr_truth(), result))
    assert samples == [("sender", 0.97, True)]
    assert score.trusted(result)
    assert not score.trusted(_result({}, problem="blurred"))
    assert not score.trusted(None)


def test_targets_say_met_not_met_or_not_measured(bench: tuple[ModuleType, ModuleType]) -> None:
    _, score = bench
    figures = score.targets([score.Target("speed", 1.6, 1.5, at_most=True), score.Target("share", 0.8, 0.8),
                             score.Target("cmr", None, 0.98)])
    assert figures == {"speed": {"measured": 1.6, "target": "<= 1.5", "met": False},
                       "share": {"measured": 0.8, "target": ">= 0.8", "met": True},
                       "cmr": {"measured": None, "target": ">= 0.98", "met": None}}


def test_plan_spreads_each_kind_over_the_levels_with_its_own_seeds(bench: tuple[ModuleType, ModuleType],
                                                                   tmp_path: Path) -> None:
    corpus, _ = bench
    jobs = corpus.plan(("cmr", "invoice"), 7, 200, tmp_path, tmp_path / "out")
    assert len(jobs) == 400
    cmr = [job for job in jobs if job.kind == "cmr"]
    assert [job.seed for job in cmr] == list(range(7, 207))
    assert {level: sum(job.degrade == level for job in cmr) for level in ("none", "scan", "camera")} == {
        "none": 67, "scan": 67, "camera": 66}


def test_score_reports_handwriting_and_held_out_pages_apart(bench: tuple[ModuleType, ModuleType]) -> None:
    corpus, _ = bench
    right = {"sender": ("ООО Арго, Тбилиси", 0.9, False), "consignee": ("Kara Ltd, İzmir", 0.9, False),
             "vehicle_plate": ("GE-123-AB", 0.9, False), "gross_weight_kg": ("18500", 0.9, False)}
    rows = [
        corpus.Row("cmr", "scan", _cmr_truth(), Outcome(Path("a.png"), 1, _result(right))),
        corpus.Row("cmr", "scan", _cmr_truth(held_out_layout=True), Outcome(
            Path("b.png"), 1, _result({**right, "established": ("Poti", 0.4, False)}, doc_type="other"))),
    ]
    scores = corpus.score(rows)
    figures = scores.figures
    assert figures["handwriting"]["cmr"]["established"]["scan"]["fields"] == 2
    assert figures["handwriting"]["cmr"]["established"]["scan"]["exact_match"] == 0.5
    assert "established" not in figures["fields"]["cmr"]
    assert figures["held_out"]["cmr"]["held_out_layout"]["scan"]["doc_type_accuracy"] == 0.0
    # the reader returned `established` on one page, so every page printing it owes it: 4 of 5 on the other
    assert figures["held_out"]["cmr"]["seen"]["scan"]["exact_match"] == 0.8
    assert figures["cmr_scored_fields"] == ["consignee", "established", "gross_weight_kg", "sender", "vehicle_plate"]
    assert scores.by_kind[("cmr", "scan")].fields == 10
    assert figures["cmr_customs_fields"]["scan"]["fields"] == 8
    assert figures["handwriting_not_read"] == {"cmr": ["goods_received"]}


def test_line_items_are_reported_by_column(bench: tuple[ModuleType, ModuleType]) -> None:
    corpus, _ = bench
    truth = {"fields": {"item_1_amount": "1 200,00", "item_2_amount": "300,50"}, "handwriting": [],
             "variant": {"held_out": {"layout": False, "font": False}}}
    read = _result({"item_1_amount": ("1200.00", 0.9, False), "item_2_amount": ("300.00", 0.9, False)}, "invoice")
    figures = corpus.score([corpus.Row("invoice", "none", truth, Outcome(Path("i.png"), 1, read))]).figures
    assert set(figures["fields"]["invoice"]) == {"item_*_amount"}
    assert figures["fields"]["invoice"]["item_*_amount"]["none"]["exact_match"] == 0.5


def test_thresholds_are_fitted_per_kind_the_pipeline_saw(bench: tuple[ModuleType, ModuleType]) -> None:
    corpus, _ = bench
    held = {"layout": False, "font": False}
    invoice = {"fields": {"invoice_number": "INV-2025-0071"}, "handwriting": [], "variant": {"held_out": held}}
    rows = [corpus.Row("invoice", "scan", invoice, Outcome(Path(f"i{i}.png"), 1, _result(
        {"invoice_number": ("INV-2025-0071", 0.9, False)}, "invoice"))) for i in range(30)]
    # packing lists quoting an invoice number read wrong at top confidence: their threshold, not the invoice's
    misread = ("INV-2025-0011", 0.99, False)
    rows += [corpus.Row("packing_list", "scan", invoice, Outcome(Path(f"p{i}.png"), 1, _result(
        {"invoice_number": misread if i < 5 else ("INV-2025-0071", 0.9, False)}, "packing_list")))
        for i in range(30)]
    fitted = corpus.fit(rows)
    thresholds = fitted.thresholds
    assert {name: len(values) for name, values in fitted.samples.items()} == {
        "invoice/invoice_number": 30, "packing_list/invoice_number": 30}
    assert fitted.aim.aim == min(corpus.AIMS)  # every reading the fit accepts is right: the boldest aim holds
    assert thresholds.fields == {"invoice/invoice_number": 0.9, "packing_list/invoice_number": 1.0}
    assert thresholds.accepts("invoice_number", 0.9, "invoice")
    assert not thresholds.accepts("invoice_number", 0.99, "packing_list")
