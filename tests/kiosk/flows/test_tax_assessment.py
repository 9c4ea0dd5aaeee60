"""The tax assessment flow over a real draft (drafted from hand-written pages) and the shipped sample tables."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from kiosk.customs.document_set import DocumentSet
from kiosk.customs.drafting import declare
from kiosk.customs.nomenclature import Nomenclature
from kiosk.customs.rates import load_rates
from kiosk.customs.tariff import load_tariff
from kiosk.flows.consignment_intake import FlowError
from kiosk.flows.tax_assessment import AssessmentState, TaxAssessment
from tests.kiosk.flows.pages import CMR, INVOICE


def draft_json() -> dict[str, Any]:
    documents = DocumentSet.from_pages([("cmr", CMR), ("invoice", INVOICE)])
    draft = declare(documents, on=date.today(), nomenclature=Nomenclature.load(None, date.today()), kiosk_id="k-1",
                    office="GE-CEZ-01").draft
    assert draft is not None
    return draft.to_json()


def flow() -> TaxAssessment:
    return TaxAssessment(load_tariff(), load_rates())


def test_a_draft_is_assessed_with_printable_lines_and_a_payment_reference() -> None:
    assessed = flow().take_draft(draft_json())
    assert assessed.state is AssessmentState.ASSESSED
    result = assessed.result()
    assessment = result["assessment"]
    assert result["payable"] is True and assessment["payment_reference"].startswith("RF")
    printable = result["printable"]
    assert assessment["sample"] is True and any("SAMPLE TABLES - NOT FOR PAYMENT" in line for line in printable)
    assert any(line.startswith("TOTAL TO PAY") for line in result["printable"])
    assert all(len(line) <= 42 for line in result["printable"])


def test_nothing_to_show_before_a_draft() -> None:
    assert flow().state is AssessmentState.AWAITING_DRAFT
    with pytest.raises(FlowError, match="no draft has been assessed yet"):
        flow().result()


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: {**d, "items": []}, "the draft: items: "),
    (lambda d: {k: v for k, v in d.items() if k != "general"}, "the draft: general: Field required"),
    (lambda d: {**d, "general": {**d["general"], "valuation": {**d["general"]["valuation"], "currency": "XYZ"}}},
     "cannot be assessed: no exchange rate for XYZ"),
    (lambda d: {**d, "general": {**d["general"], "date": "1999-01-04"}}, "cannot be assessed: no tariff version"),
])
def test_a_draft_that_cannot_be_assessed_is_refused_and_the_flow_stays_as_it_was(change: Any, message: str) -> None:
    start = flow()
    with pytest.raises(FlowError, match=message):
        start.take_draft(change(draft_json()))
    assert start.state is AssessmentState.AWAITING_DRAFT
