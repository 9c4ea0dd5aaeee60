"""What a validator, a cross-document check or a risk rule found: one record per field and rule.

A finding's `message` is English for logs and the CLI; the touchscreen translates by `code` and `params`
(the message's placeholders), so no sentence is ever assembled from translated fragments. Findings never
carry a field's value in `code`; `params` may, since they are shown only to the driver who read the page.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Severity(StrEnum):
    ERROR = "error"
    """The value is wrong or impossible; the draft cannot be submitted until the driver fixes it."""
    WARNING = "warning"
    """Plausible but odd; the driver is asked to look, and may submit as it is."""


class Finding(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str = Field(description="stable identifier of the rule and outcome, e.g. 'container.check_digit'")
    field: str = Field(description="where: 'cmr.vehicle_plate', 'invoice.items[2].hs_code', 'sets.origin'")
    severity: Severity = Severity.ERROR
    message: str = Field(description="English, precise, built from `message_template` and `params`")
    params: dict[str, Any] = Field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


def finding(code: str, field: str, template: str, severity: Severity = Severity.ERROR, **params: Any) -> Finding:
    """A finding whose message is `template` filled from `params` ('{expected} expected, {found} found')."""
    return Finding(code=code, field=field, severity=severity, message=template.format(**params), params=params)


def errors(findings: list[Finding]) -> list[Finding]:
    return [item for item in findings if item.severity is Severity.ERROR]
