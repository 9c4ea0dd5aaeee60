"""The consignment intake's rules, driven event by event with the real validation and drafting of kiosk.customs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pytest

from kiosk.customs.document_set import DocumentSet
from kiosk.customs.drafting import declare
from kiosk.customs.findings import Finding
from kiosk.customs.nomenclature import Nomenclature
from kiosk.flows.consignment_intake import (
    MAX_CORRECTION_CHARS,
    AlreadySubmitted,
    Consignment,
    ConsignmentState,
    FlowError,
    SubmitRefused,
    field_read,
)
from tests.kiosk.flows.pages import CMR, INVOICE, read

TODAY = date.today()
NOMENCLATURE = Nomenclature.load(None, TODAY)


def check(documents: DocumentSet) -> Sequence[Finding]:
    return declare(documents, on=TODAY, nomenclature=NOMENCLATURE, kiosk_id="k-1", office="GE-CEZ-01").findings


def both(cmr: dict[str, object] | None = None, invoice: dict[str, object] | None = None) -> Consignment:
    return Consignment().add_page("cmr", cmr or read(CMR)).add_page("invoice", invoice or read(INVOICE))


def test_states_follow_the_pages_and_the_submission() -> None:
    flow = Consignment()
    assert flow.state is ConsignmentState.COLLECTING
    flow = flow.add_page("cmr", read(CMR))
    assert flow.state is ConsignmentState.COLLECTING
    with pytest.raises(FlowError, match="at least a CMR and an invoice"):
        flow.submit(check)
    flow = flow.add_page("invoice", read(INVOICE))
    assert flow.state is ConsignmentState.REVIEW
    submitted, review = flow.submit(check)
    assert submitted.state is ConsignmentState.SUBMITTED and review.needs_driver == []
    with pytest.raises(AlreadySubmitted):
        submitted.add_page("packing_list", {})
    with pytest.raises(AlreadySubmitted):
        submitted.correct("cmr.packages", "41", check)
    with pytest.raises(AlreadySubmitted):
        submitted.submit(check)


@pytest.mark.parametrize(("doc_type", "fields", "message"), [
    ("passport", {}, "unknown document kind 'passport'"),
    ("other", {}, "identified as 'other'"),
    ("id_document", {}, "identified as 'id_document'"),
    ("invoice", ["not", "a", "mapping"], "must be an object of field names"),
    ("invoice", {"": "x"}, "field names are texts of 1 to 100"),
    ("invoice", {"n" * 101: "x"}, "field names are texts of 1 to 100"),
    ("cmr", read(CMR), "already has a cmr page"),
])
def test_a_page_the_flow_cannot_take_is_refused_and_nothing_changes(doc_type: str, fields: object,
                                                                    message: str) -> None:
    flow = Consignment().add_page("cmr", read(CMR))
    with pytest.raises(FlowError, match=message):
        flow.add_page(doc_type, fields)
    assert [page.doc_type for page in flow.pages] == ["cmr"]


def test_unaccepted_readings_and_error_findings_need_the_driver_and_block_the_submission() -> None:
    flow = both(cmr=read(CMR, unsure=("packages",)),
                invoice=read(INVOICE, wrong={"item_1_hs_code": "0802.38"}))
    review = flow.review(check)
    needs = {item.field: item for item in review.needs_driver}
    assert needs["cmr.packages"].unconfirmed and needs["cmr.packages"].codes == ()
    assert not needs["invoice.items[1].hs_code"].unconfirmed
    assert "hs.unknown" in needs["invoice.items[1].hs_code"].codes
    with pytest.raises(SubmitRefused) as refused:
        flow.submit(check)
    assert {item.field for item in refused.value.blocking} == set(needs)
    assert "cmr.packages" in str(refused.value)

    flow = flow.correct("cmr.packages", "40", check).correct("invoice.items[1].hs_code", "0802.32", check)
    submitted, review = flow.submit(check)
    assert review.needs_driver == [] and submitted.state is ConsignmentState.SUBMITTED
    packages = field_read(review.documents, "cmr.packages")
    assert packages is not None and packages.value == 40 and packages.accepted and packages.confidence == 1.0


def test_a_warning_is_shown_but_does_not_block() -> None:
    review = both().review(check)
    assert [item.code for item in review.findings] == ["hs.national_code_expected"]
    assert review.needs_driver == []


@pytest.mark.parametrize(("path", "value", "message"), [
    ("cmr.colour", "red", "a cmr has no field 'colour'"),
    ("cmr.findings", "x", "a cmr has no field 'findings'"),
    ("invoice.items[2].hs_code", "080232", "the invoice has no line 2"),
    ("invoice.items[1].colour", "red", "a invoice line has no column 'colour'"),
    ("certificate_of_origin.origin_country", "GE", "no certificate_of_origin page"),
    ("CMR.packages", "40", "a field path looks like"),
    ("cmr.packages; drop", "40", "a field path looks like"),
    ("cmr.packages", "4" * (MAX_CORRECTION_CHARS + 1), f"at most {MAX_CORRECTION_CHARS} characters"),
    ("cmr.packages", "forty", "cannot be read"),
    ("invoice.items[1].hs_code", "0802.38", "is not in the nomenclature"),
    ("invoice.currency", "XYZ", "invoice.currency: .*no ISO 4217 currency code"),
])
def test_a_bad_correction_is_refused_with_its_reason_and_changes_nothing(path: str, value: str,
                                                                         message: str) -> None:
    flow = both()
    with pytest.raises(FlowError, match=message):
        flow.correct(path, value, check)
    assert flow.corrections == ()


def test_a_corrected_plate_keeps_the_other_plate_of_box_16() -> None:
    flow = both(cmr=read(CMR, unsure=("vehicle_reg",)))
    needs = [item.field for item in flow.review(check).needs_driver]
    assert needs == ["cmr.vehicle_plate", "cmr.trailer_plate"]
    flow = flow.correct("cmr.trailer_plate", "KA-418-B", check)
    documents = flow.documents()
    assert documents.cmr is not None
    assert (documents.cmr.vehicle_plate.value, documents.cmr.trailer_plate.value) == ("AB-123-CD", "KA-418-B")
    flow = flow.correct("cmr.vehicle_plate", "AB-124-CD", check)
    documents = flow.documents()
    assert documents.cmr is not None
    assert (documents.cmr.vehicle_plate.value, documents.cmr.trailer_plate.value) == ("AB-124-CD", "KA-418-B")
    assert flow.review(check).needs_driver == []


def test_an_empty_correction_says_the_box_is_empty() -> None:
    flow = both(cmr=read({**CMR, "goods_received": "Recieved"}, unsure=("goods_received",)))
    assert [item.field for item in flow.review(check).needs_driver] == ["cmr.goods_received"]
    flow = flow.correct("cmr.goods_received", "  ", check)
    assert flow.review(check).needs_driver == []
    read_now = field_read(flow.documents(), "cmr.goods_received")
    assert read_now is not None and read_now.value is None and read_now.raw is None


def test_a_cross_document_error_is_not_the_corrections_fault_but_blocks_the_submission() -> None:
    flow = both().correct("cmr.gross_weight", "3 900 kg", check)  # accepted: the CMR may be the right one
    review = flow.review(check)
    assert any(item.code.startswith("consistency.") for item in review.findings)
    with pytest.raises(SubmitRefused):
        flow.submit(check)


def test_a_certificate_lines_packages_are_corrected_through_its_description() -> None:
    flow = both().add_page("certificate_of_origin", {"certificate_number": "GE 2026 004417",
                                                     "item_1_description": "Walnuts, shelled"})
    with pytest.raises(FlowError, match=r"correct certificate_of_origin.items\[1\].description"):
        flow.correct("certificate_of_origin.items[1].packages", "40", check)
    corrected = flow.correct("certificate_of_origin.items[1].description", "Walnuts in shell", check)
    line = field_read(corrected.documents(), "certificate_of_origin.items[1].description")
    assert line is not None and line.value == "Walnuts in shell" and line.accepted
