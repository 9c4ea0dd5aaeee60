"""One consignment's pages: at most one of each kind, and a page that cannot join is named by its place."""

from __future__ import annotations

import pytest

from kiosk.customs.document_set import DocumentSet, PageRefused

CMR = {"sender": "Kutaisi Nuts LLC, Kutaisi, Georgia", "gross_weight_kg": "18 240"}


def test_identity_pages_are_left_out_and_kinds_are_gathered() -> None:
    documents = DocumentSet.from_pages([("id_document", {"surname": "BERIDZE"}), ("cmr", CMR)])
    assert documents.cmr is not None and documents.invoice is None
    assert len(documents.documents()) == 1


@pytest.mark.parametrize(("pages", "index", "message"), [
    ([("cmr", CMR), ("invoice", {}), ("cmr", CMR)], 2, "two cmr pages"),
    ([("cmr", CMR), ("passport_photo", {})], 1, "unknown document kind 'passport_photo'"),
    ([("other", {}), ("invoice", ["not", "a", "mapping"])], 1, "must be a mapping of field names"),
])
def test_a_page_that_cannot_join_is_refused_with_its_place(pages: list[tuple[str, object]], index: int,
                                                           message: str) -> None:
    with pytest.raises(PageRefused, match=message) as refused:
        DocumentSet.from_pages(pages)  # type: ignore[arg-type]
    assert refused.value.index == index
