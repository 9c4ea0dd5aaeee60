"""HS code help as a UI-free state machine: IDLE -> CODE (one code looked up) or SUGGESTIONS (codes for a goods
description); every event starts over from the new question.

The nomenclature in force on the day answers what a code means and whether it exists; the suggester (a model of
`edge_models`, injected) proposes six-digit codes for a description, and each proposal is shown with the
nomenclature's text, so the driver never picks a bare number. Bad input (not 2 to 8 digits, an empty or overlong
description) is refused and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from kiosk.customs.nomenclature import Nomenclature, NomenclatureError, normalize_code
from kiosk.flows.consignment_intake import FlowError

MAX_DESCRIPTION = 300
TOP = 5
Suggest = Callable[[str, int], list[tuple[str, float]]]
"""(description, how many) -> (six-digit code, score 0..1), best first."""


class LookupState(StrEnum):
    IDLE = "idle"
    CODE = "code"
    SUGGESTIONS = "suggestions"


@dataclass(frozen=True)
class HsLookup:
    nomenclature: Nomenclature
    suggest: Suggest | None = None
    state: LookupState = LookupState.IDLE
    answer: dict[str, Any] | None = None

    def look_up(self, code: str) -> HsLookup:
        """What `code` is in the nomenclature in force: its text, full text and parents, or `found: false`."""
        try:
            digits = normalize_code(code)
        except NomenclatureError as exc:
            raise FlowError(str(exc)) from None
        return replace(self, state=LookupState.CODE, answer=self._entry(digits))

    def suggestions(self, description: str, top: int = TOP) -> HsLookup:
        """Codes the suggester proposes for a goods description, each with the nomenclature's text."""
        text = description.strip()
        if not text or len(text) > MAX_DESCRIPTION:
            raise FlowError(f"a goods description has 1 to {MAX_DESCRIPTION} characters")
        if not 1 <= top <= 20:
            raise FlowError("ask for 1 to 20 suggestions")
        if self.suggest is None:
            raise FlowError("the HS suggester is not available on this kiosk; look a code up instead")
        found = [{**self._entry(code), "score": round(score, 4)} for code, score in self.suggest(text, top)]
        return replace(self, state=LookupState.SUGGESTIONS,
                       answer={"query": text, "edition": self.nomenclature.edition, "suggestions": found})

    def _entry(self, digits: str) -> dict[str, Any]:
        nomenclature = self.nomenclature
        if digits not in nomenclature:
            return {"code": digits, "found": False, "edition": nomenclature.edition}
        entry = nomenclature.lookup(digits)
        return {**entry.to_dict(), "found": True, "full_description": nomenclature.full_description(digits),
                "section_name": nomenclature.sections.get(entry.section, ""),
                "parents": [parent.to_dict() for parent in nomenclature.parents(digits)],
                "edition": nomenclature.edition}
