"""Document kind: the keyword rule on its own, whole pages of every generated kind by rules, and by the classifier."""

from __future__ import annotations

import numpy as np
import pytest

from vision.doc_type import MODEL_MIN_CONFIDENCE, active_classifier, classify, keyword_kind
from vision.form_cells import find_cells, locate_cmr_boxes
from vision.synth.generator import generate


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("INTERNATIONAL CONSIGNMENT NOTE\nCMR No 123", "cmr"),
        ("МЕЖДУНАРОДНАЯ ТОВАРНО-ТРАНСПОРТНАЯ НАКЛАДНАЯ", "cmr"),
        ("PACKING LIST No PL-1\nInvoice No 42", "packing_list"),
        ("MOVEMENT CERTIFICATE EUR.1\ninvoices: 77", "certificate_of_origin"),
        ("COMMERCIAL INVOICE", "invoice"),
        ("Счёт-фактура", "invoice"),
        ("PASSPORT / ПАСПОРТ", "id_document"),
    ],
)
def test_keywords_name_the_kind(text: str, kind: str) -> None:
    found = keyword_kind(text)
    assert found is not None and found[0] == kind


def test_text_without_keywords_is_no_kind() -> None:
    assert keyword_kind("Dear Sir, thank you for your letter.") is None


@pytest.mark.parametrize("kind", ["cmr", "invoice", "certificate_of_origin", "packing_list"])
def test_a_generated_page_is_named_its_kind(kind: str) -> None:
    page = np.asarray(generate(kind, 3).image.convert("L"))
    doc = classify(page, locate_cmr_boxes(find_cells(page)))
    assert doc.kind == kind, doc.rule


def test_a_blank_page_is_other() -> None:
    page = np.full((3508, 2480), 255, np.uint8)
    doc = classify(page, locate_cmr_boxes(find_cells(page)))
    assert (doc.kind, doc.rule) == ("other", "none")


@pytest.mark.parametrize("kind", ["cmr", "invoice", "id_document"])
def test_the_classifier_decides_when_a_bundle_is_active_and_sure(kind: str) -> None:
    model = active_classifier()
    assert model is not None, "the factory doc_classifier bundle should load"
    page = np.asarray(generate(kind, 3, held_out="exclude").image.convert("L"))
    doc = classify(page, locate_cmr_boxes(find_cells(page)), model=model)
    assert doc.kind == kind
    assert doc.rule.startswith(f"model:{model.version}:")
    assert float(doc.rule.rsplit(":", 1)[1]) >= MODEL_MIN_CONFIDENCE
