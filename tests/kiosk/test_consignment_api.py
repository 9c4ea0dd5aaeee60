"""The full intake, tax assessment and HS lookup through the local API of a running core, against real mosquitto
and the reference central; and end to end from generated page images to central's registration number."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import httpx
import pytest

from kiosk.api.client import ApiError, CoreUnavailable, KioskApiClient
from kiosk.core.store import Store
from kiosk.customs.document_set import DocumentSet
from kiosk.customs.tariff import SAMPLE_TARIFF
from kiosk.flows.consignment_intake import field_read
from tests.fixtures.core import KIOSK_ID, KioskRig, audited, wait_until
from tests.kiosk.flows.pages import CMR, INVOICE, read
from vision.synth.cmr import png_bytes
from vision.synth.consignment_sets import document_fields, render_set, set_content

E2E_SEED = 2
"""A set of a CMR, an invoice and a certificate of origin, dated within the last two years."""
READ_TIMEOUT_S = 180.0
"""Reading a 300 dpi page takes seconds on two cores; the bound only keeps a hung core from hanging the test."""


def _needs(view: dict[str, Any]) -> list[str]:
    return [item["field"] for item in view["needs_driver"]]


def _acknowledged(rig: KioskRig, api: KioskApiClient, uuid: str) -> dict[str, Any]:
    wait_until(lambda: api.declaration(uuid)["central_acked"], "central's acknowledgement", timeout=30)
    status = api.declaration(uuid)
    assert status["registration_number"] == rig.central.registration_of(uuid)
    assert status["registration_number"].startswith("GE-EX-")
    return status


def test_readings_reviewed_corrected_submitted_acknowledged_and_assessed(kiosk_rig: KioskRig) -> None:
    kiosk_rig.core.start()
    api = kiosk_rig.core.api
    consignment = api.start_consignment()
    view = api.add_page_reading(consignment, "cmr", read(CMR, unsure=("packages",)))
    assert view["state"] == "collecting" and view["documents"] == ["cmr"]
    view = api.add_page_reading(consignment, "invoice", read(INVOICE, wrong={"item_1_hs_code": "0802.38"}))
    assert view["state"] == "review"
    assert _needs(view) == ["cmr.packages", "invoice.items[1].hs_code", "sets.hs_code"]
    assert [item["correctable"] for item in view["needs_driver"]] == [True, True, False]  # the CMR and invoice differ
    packages = next(item for item in view["fields"] if item["field"] == "cmr.packages")
    assert packages == {"field": "cmr.packages", "value": 40, "confidence": 0.41, "accepted": False, "raw": "40"}
    assert any(item["code"] == "hs.unknown" for item in view["findings"])

    with pytest.raises(ApiError) as refused:
        api.submit_consignment(consignment)
    assert refused.value.status == 409 and "cmr.packages" in refused.value.detail

    view = api.correct(consignment, [("cmr.packages", "40"), ("invoice.items[1].hs_code", "0802.32")])
    assert view["needs_driver"] == []
    submitted = api.submit_consignment(consignment)
    assert submitted["reference"].startswith("CEZ-") and submitted["receipt_printed"] in (True, False)
    _acknowledged(kiosk_rig, api, submitted["uuid"])
    body = kiosk_rig.central.body(submitted["uuid"])
    assert body is not None and body["draft"]["items"][0]["hs_code"] == "080232"
    assert body["draft"]["general"]["transport"]["vehicle_plate"] == "AB123CD"
    assert api.consignment(consignment)["state"] == "submitted"
    assert api.consignment(consignment)["declaration"] == submitted["uuid"]

    assessed = api.assess(declaration=submitted["uuid"])
    assert assessed["payable"] is True and assessed["assessment"]["declaration"] == submitted["reference"]
    assert any(line.startswith("TOTAL TO PAY") for line in assessed["printable"])
    by_draft = api.assess(draft=body["draft"])
    assert by_draft["assessment"]["totals"] == assessed["assessment"]["totals"]

    assert api.hs_code("0802.32")["found"] is True
    assert api.hs_code("080238")["found"] is False
    suggestions = api.hs_suggest("shelled walnuts", 3)["suggestions"]
    assert len(suggestions) == 3 and all(item["code"].isdigit() for item in suggestions)


def test_bad_input_gets_a_clear_4xx_and_changes_nothing(kiosk_rig: KioskRig) -> None:
    kiosk_rig.core.start()
    api = kiosk_rig.core.api
    consignment = api.start_consignment()
    api.add_page_reading(consignment, "cmr", read(CMR))
    before = api.consignment(consignment)

    def refused(call: Any, status: int, words: str) -> None:
        with pytest.raises(ApiError) as error:
            call()
        assert error.value.status == status and words in error.value.detail

    refused(lambda: api.consignment("no-such-id"), 404, "no such consignment")
    refused(lambda: api.add_page_reading("no-such-id", "cmr", {}), 404, "no such consignment")
    refused(lambda: api.add_page_reading(consignment, "passport", {}), 422, "unknown document kind")
    refused(lambda: api.add_page_reading(consignment, "cmr", read(CMR)), 422, "already has a cmr page")
    refused(lambda: api.add_page_image(consignment, b"not an image at all"), 422, "cannot be read")
    refused(lambda: api.add_page_image(consignment, b""), 422, "no page")
    garbled = httpx.post(f"{kiosk_rig.api_url}/api/v1/consignments/{consignment}/pages", content=b"{not json",
                         headers={"content-type": "application/json"})
    assert garbled.status_code == 422 and "not a page reading" in garbled.json()["detail"]
    refused(lambda: api.correct(consignment, [("cmr.colour", "red")]), 422, "a cmr has no field 'colour'")
    refused(lambda: api.correct(consignment, [("cmr.packages", "41"), ("cmr.gross_weight", "heavy")]), 422,
            "cmr.gross_weight")
    refused(lambda: api.correct(consignment, []), 422, "")
    refused(lambda: api.submit_consignment(consignment), 422, "at least a CMR and an invoice")
    refused(lambda: api.assess(), 422, "either a draft or a declaration")
    refused(lambda: api.assess(draft={"uuid": "x"}), 422, "the draft: ")
    refused(lambda: api.assess(declaration="00000000-0000-0000-0000-000000000000"), 404, "no consignment declaration")
    refused(lambda: api.hs_code("08x2"), 422, "expected 2, 4, 6 or 8 digits")
    refused(lambda: api.hs_suggest(""), 422, "1 to 300 characters")
    assert api.consignment(consignment) == before

    api.add_page_reading(consignment, "invoice", read(INVOICE))
    uuid = api.submit_consignment(consignment)["uuid"]
    refused(lambda: api.submit_consignment(consignment), 409, "already submitted")
    refused(lambda: api.correct(consignment, [("cmr.packages", "41")]), 409, "already submitted")
    assert api.consignment(consignment)["declaration"] == uuid


def _pushed(api: KioskApiClient, dataset: str) -> bool:
    try:
        api.reference(dataset)
    except ApiError:
        return False
    return True


def _ready_set(api: KioskApiClient) -> str:
    consignment = api.start_consignment()
    api.add_page_reading(consignment, "cmr", read(CMR))
    api.add_page_reading(consignment, "invoice", read(INVOICE))
    return consignment


def test_the_tariff_central_pushed_is_the_one_assessments_use(kiosk_rig: KioskRig) -> None:
    kiosk_rig.core.start()
    api = kiosk_rig.core.api
    central = kiosk_rig.central
    wait_until(lambda: KIOSK_ID in central.fleet(), "the birth")
    draft = api.assess(declaration=api.submit_consignment(_ready_set(api))["uuid"])
    assert draft["assessment"]["sample"] is True  # nothing pushed yet: the shipped sample

    table = json.loads(SAMPLE_TARIFF.read_text(encoding="utf-8"))
    table["sample"] = False
    for version in table["versions"]:
        version["version"] = version["version"].replace("sample-", "central-")
    central.publish_command(KIOSK_ID, kiosk_rig.signer.sign(KIOSK_ID, "reference.update",
                                                            {"dataset": "tariffs", "version": "c1", "data": table}))
    wait_until(lambda: _pushed(api, "tariffs"), "the tariff applied")
    uuid = api.submit_consignment(_ready_set(api))["uuid"]
    assessed = api.assess(declaration=uuid)["assessment"]
    assert assessed["tariff_version"].startswith("central-")

    broken = kiosk_rig.signer.sign(KIOSK_ID, "reference.update", {"dataset": "rates", "version": "r1",
                                                                   "data": {"table": "rates"}})
    central.publish_command(KIOSK_ID, broken)
    wait_until(lambda: broken["id"] in audited(kiosk_rig, "command.refused"), "the broken rates refused")
    assert not _pushed(api, "rates")  # refused on arrival: the rates in force (the sample) keep serving
    assert api.assess(declaration=uuid)["assessment"]["tariff_version"].startswith("central-")


def test_a_stored_table_that_no_longer_validates_is_refused_not_replaced(kiosk_rig: KioskRig) -> None:
    """A table an older core stored before tables were checked on arrival: assessments say so (503) rather than
    fall back to a sample, and the intake goes on."""
    kiosk_rig.core.start()
    api = kiosk_rig.core.api
    wait_until(lambda: KIOSK_ID in kiosk_rig.central.fleet(), "the birth")
    uuid = api.submit_consignment(_ready_set(api))["uuid"]
    store = Store(kiosk_rig.data_dir / "kiosk.db")
    try:
        with store.durable() as db:
            db.execute("INSERT INTO reference_data (dataset, version, issued_at, command_id, data, updated_at)"
                       " VALUES ('rates', 'old', '2026-01-01T00:00:00+00:00', 'c-old', '{\"table\": \"rates\"}',"
                       " '2026-01-01T00:00:00+00:00')")
    finally:
        store.close()
    with pytest.raises(ApiError) as refused:
        api.assess(declaration=uuid)
    assert refused.value.status == 503 and "central's rates" in refused.value.detail
    assert api.consignment(_ready_set(api))["state"] == "review"



def test_a_core_killed_right_after_the_commit_delivers_the_declaration_after_restart(kiosk_rig: KioskRig) -> None:
    kiosk_rig.core.start({"CEZ_CRASH_AT": "after_commit"})
    api = kiosk_rig.core.api
    consignment = _ready_set(api)
    with contextlib.suppress(CoreUnavailable):
        api.submit_consignment(consignment)
    assert kiosk_rig.core.wait(timeout=20) == -9
    store = Store(kiosk_rig.data_dir / "kiosk.db")
    try:
        (uuid,) = [row[0] for row in store.db.execute("SELECT uuid FROM declarations WHERE session_id = ?",
                                                      [consignment])]
    finally:
        store.close()
    kiosk_rig.core.start()
    _acknowledged(kiosk_rig, api, uuid)
    assert kiosk_rig.central.received_uuids() == [uuid]
    assert api.consignment(consignment)["state"] == "submitted"


def test_end_to_end_from_page_images_to_centrals_registration_number(kiosk_rig: KioskRig) -> None:
    content = set_content(E2E_SEED)
    pages = render_set(content)
    assert [page.truth["kind"] for page in pages] == ["cmr", "invoice", "certificate_of_origin"]
    truth = DocumentSet.from_pages((page.truth["kind"], document_fields(page.truth)) for page in pages)
    kiosk_rig.core.start()
    api = KioskApiClient(kiosk_rig.api_url, timeout=READ_TIMEOUT_S)
    consignment = api.start_consignment()
    for page in pages:
        view = api.add_page_image(consignment, png_bytes(page))
    assert sorted(view["documents"]) == ["certificate_of_origin", "cmr", "invoice"]
    assert view["state"] == "review"

    corrections = []
    for item in view["needs_driver"]:
        if not item["correctable"]:
            continue  # the set as a whole (a consistency finding): fixed by correcting the fields themselves
        printed = field_read(truth, item["field"])
        value = printed.value if printed is not None and isinstance(printed.value, str) else \
            (printed.raw if printed is not None else None)
        corrections.append((item["field"], value or ""))
    assert len(view["fields"]) > 3 * len(corrections)  # vision read most fields; the driver typed few
    if corrections:
        view = api.correct(consignment, corrections)
    assert view["needs_driver"] == [], view["needs_driver"]

    submitted = api.submit_consignment(consignment)
    status = _acknowledged(kiosk_rig, api, submitted["uuid"])
    assert status["central_acked"] and status["broker_acked"]
    body = kiosk_rig.central.body(submitted["uuid"])
    assert body is not None
    draft = body["draft"]
    invoice = truth.invoice
    assert invoice is not None
    assert [item["hs_code"] for item in draft["items"]] == [line.hs_code.value for line in invoice.lines]
    assert draft["general"]["valuation"]["currency"] == invoice.currency.value
    assert {doc["kind"] for doc in draft["general"]["documents"]} == {"cmr", "invoice", "certificate_of_origin"}
