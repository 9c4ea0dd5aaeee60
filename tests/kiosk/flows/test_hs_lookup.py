"""HS help: the nomenclature in force today and the suggester model shipped with the code."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from edge_models.hs.suggester import MODEL_NAME, HsSuggester
from edge_models.registry import Registry
from kiosk.customs.nomenclature import Nomenclature
from kiosk.flows.consignment_intake import FlowError
from kiosk.flows.hs_lookup import MAX_DESCRIPTION, HsLookup, LookupState

NOMENCLATURE = Nomenclature.load(None, date.today())


def test_a_code_is_looked_up_with_its_parents() -> None:
    flow = HsLookup(NOMENCLATURE).look_up("0802.32")
    assert flow.state is LookupState.CODE and flow.answer is not None
    assert flow.answer["found"] is True and flow.answer["code"] == "080232"
    assert [parent["code"] for parent in flow.answer["parents"]] == ["08", "0802"]
    missing = flow.look_up("080238").answer
    assert missing == {"code": "080238", "found": False, "edition": NOMENCLATURE.edition}


@pytest.mark.parametrize("code", ["802", "0802x32", "", "123456789"])
def test_a_malformed_code_is_refused(code: str) -> None:
    with pytest.raises(FlowError, match="expected 2, 4, 6 or 8 digits"):
        HsLookup(NOMENCLATURE).look_up(code)


def test_suggestions_carry_the_nomenclatures_text(tmp_path: Path) -> None:
    suggester = HsSuggester(Registry(tmp_path).active(MODEL_NAME))
    flow = HsLookup(NOMENCLATURE, lambda text, top: [(s.code, s.score) for s in suggester.suggest(text, top)])
    answer = flow.suggestions("fresh apples", 3).answer
    assert answer is not None and len(answer["suggestions"]) == 3
    best = answer["suggestions"][0]
    assert best["code"] == "080810" and best["found"] is True and "pples" in best["full_description"]


@pytest.mark.parametrize(("text", "top", "message"), [
    ("   ", 5, "1 to 300 characters"),
    ("x" * (MAX_DESCRIPTION + 1), 5, "1 to 300 characters"),
    ("apples", 0, "1 to 20 suggestions"),
])
def test_a_bad_question_is_refused(text: str, top: int, message: str) -> None:
    with pytest.raises(FlowError, match=message):
        HsLookup(NOMENCLATURE, lambda text, top: []).suggestions(text, top)


def test_without_a_suggester_the_driver_is_told_to_look_a_code_up() -> None:
    with pytest.raises(FlowError, match="suggester is not available"):
        HsLookup(NOMENCLATURE).suggestions("apples")
