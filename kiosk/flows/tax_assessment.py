"""The yellow-channel tax assessment as a UI-free state machine: AWAITING_DRAFT -> ASSESSED.

A driver brings a declaration (its draft, or the kiosk's own declaration by its UUID, which the service resolves
to the draft); the assessment is what `kiosk.customs.assessment.assess` computes with the tariff and rates in
force, and the printable lines are what the receipt printer prints. A draft that is no SAD, or a date or currency
the tables do not cover, is refused and leaves the flow as it was, so the driver can bring another.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from pydantic import ValidationError

from kiosk.customs.assessment import Assessment, assess, render_text
from kiosk.customs.rates import RateTable
from kiosk.customs.sad import Draft
from kiosk.customs.tariff import TableError, Tariff, describe
from kiosk.flows.consignment_intake import FlowError


class AssessmentState(StrEnum):
    AWAITING_DRAFT = "awaiting_draft"
    ASSESSED = "assessed"


@dataclass(frozen=True)
class TaxAssessment:
    tariff: Tariff
    rates: RateTable
    assessment: Assessment | None = None

    @property
    def state(self) -> AssessmentState:
        return AssessmentState.AWAITING_DRAFT if self.assessment is None else AssessmentState.ASSESSED

    def take_draft(self, document: object) -> TaxAssessment:
        """Assess a draft (a `Draft` or its JSON); FlowError names what is wrong with it."""
        try:
            draft = document if isinstance(document, Draft) else Draft.model_validate(document)
        except ValidationError as exc:
            raise FlowError(describe(exc, "the draft")) from None
        try:
            return replace(self, assessment=assess(draft, self.tariff, self.rates))
        except TableError as exc:
            raise FlowError(f"the draft cannot be assessed: {exc}") from None

    def result(self) -> dict[str, Any]:
        """The assessment, whether it can be paid, and the lines to print (FlowError before a draft)."""
        if self.assessment is None:
            raise FlowError("no draft has been assessed yet")
        return {"state": self.state.value, "payable": self.assessment.payable,
                "assessment": self.assessment.to_json(), "printable": render_text(self.assessment)}
