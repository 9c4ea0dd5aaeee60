"""Consignment sets: the documents of one set agree, each fault is in the truth and on its page, seeds reproduce."""

from __future__ import annotations

import csv
import json
import random
import re
from functools import cache
from pathlib import Path

import pytest

from vision.iso6346 import is_valid
from vision.synth.consignment_sets import (
    FAULTS,
    SetContent,
    document_fields,
    render_set,
    set_content,
    set_truth,
    unit_value,
    unknown_code,
    write_set,
    wrong_check_digit,
)
from vision.synth.goods import data_dir
from vision.synth.trade_content import COUNTRY_NAMES

UNIT_VALUES = {"08": (1.5, "USD"), "0802": (5.5, "USD"), "080221": (2.8, "USD"), "2204": (3.2, "USD"),
               "7202": (1.1, "USD")}
"""A hand-made table in the reference table's shape: chapters, headings and subheadings, longest prefix first."""
DPI = 100
"""Low enough to draw a set in a second; what is printed does not depend on it."""


@cache
def hs_codes() -> frozenset[str]:
    with (data_dir() / "hs" / "harmonized-system.csv").open(encoding="utf-8", newline="") as handle:
        return frozenset(row["hscode"] for row in csv.DictReader(handle))


def number(text: str) -> float:
    """A printed amount or weight ('12 345,6', '12,345.60', '1 200 kg') as a float, for comparisons."""
    digits = re.sub(r"[^\d.,]", "", text)
    if "," in digits and "." in digits:
        digits = digits.replace(",", "")
    return float(digits.replace(",", "."))


def pages_of(content: SetContent) -> dict[str, dict[str, str]]:
    return {page.truth["kind"]: document_fields(page.truth) for page in render_set(content, dpi=DPI)}


def first_line(text: str) -> str:
    return text.split(", ")[0]


def test_a_seed_and_fault_fix_the_content_and_other_seeds_differ() -> None:
    assert set_content(5, "weights", unit_values=UNIT_VALUES) == set_content(5, "weights", unit_values=UNIT_VALUES)
    assert set_content(5).consignment != set_content(6).consignment


def test_a_set_renders_the_same_pages_again() -> None:
    content = set_content(11, "check_digit", unit_values=UNIT_VALUES)
    first, again = render_set(content, dpi=DPI), render_set(content, dpi=DPI)
    assert [page.png_bytes() for page in first] == [page.png_bytes() for page in again]
    assert set_truth(content, first) == set_truth(content, again)


@pytest.mark.parametrize("seed", [3, 8])
def test_the_documents_of_a_clean_set_agree(seed: int) -> None:
    content = set_content(seed, unit_values=UNIT_VALUES)
    pages = pages_of(content)
    cmr, invoice, certificate = pages["cmr"], pages["invoice"], pages["certificate_of_origin"]
    packing = pages.get("packing_list")
    assert list(pages)[:3] == ["cmr", "invoice", "certificate_of_origin"]
    seller = content.consignment.seller.name
    assert first_line(cmr["sender"]) == seller == first_line(certificate["exporter"])
    assert seller in invoice["seller"]
    lines = len(content.consignment.items)
    codes = [invoice[f"item_{n}_hs_code"] for n in range(1, lines + 1)]
    assert [code.replace(".", "") for code in cmr["statistical_number"].split(", ")] == codes
    gross = number(invoice["total_gross_kg"])
    assert round(gross) == number(cmr["gross_weight"])
    assert number(certificate["gross_mass"]) == gross
    assert invoice["origin"] == COUNTRY_NAMES[content.consignment.seller.country_code]
    assert certificate["origin_country"] == invoice["origin"]
    assert cmr["packages"] == str(content.consignment.total_packages)
    if packing is not None:
        assert packing["invoice_number"] == invoice["invoice_number"]
        assert number(packing["total_gross_kg"]) == gross and packing["total_packages"] == cmr["packages"]
        assert first_line(packing["shipper"]) == seller
        if content.consignment.container:
            assert packing["container"] in cmr["marks"] and is_valid(packing["container"])


def test_covered_goods_are_priced_near_their_reference_and_in_its_currency() -> None:
    covered = [content for seed in range(40)
               if unit_value((content := set_content(seed, unit_values=UNIT_VALUES)).consignment.items[0].hs_code,
                             UNIT_VALUES)]
    assert len(covered) >= 10
    for content in covered:
        item = content.consignment.items[0]
        per_kg, currency = unit_value(item.hs_code, UNIT_VALUES) or (0.0, "")
        assert content.consignment.currency == currency
        assert 0.75 <= item.amount / item.net_kg / per_kg <= 2.1


def _printed_fault(fault: str, content: SetContent, pages: dict[str, dict[str, str]]) -> None:
    detail = content.fault_detail
    if fault == "check_digit":
        assert not is_valid(detail["container"]) and is_valid(detail["valid"])
        assert pages["packing_list"]["container"] == detail["container"]
        assert detail["container"] in pages["cmr"]["marks"]
    elif fault == "unknown_hs":
        assert detail["hs_code"] not in hs_codes() and detail["replaces"] in hs_codes()
        assert pages["invoice"][f"item_{detail['line']}_hs_code"] == detail["hs_code"]
    elif fault == "weights":
        shown = number(pages["cmr"]["gross_weight"])
        assert shown == int(detail["cmr_gross_kg"])
        assert shown >= 1.15 * number(pages["invoice"]["total_gross_kg"])
    elif fault == "undervalued":
        invoice = pages["invoice"]
        assert invoice["item_1_hs_code"] == detail["hs_code"]
        per_kg = number(invoice["item_1_amount"]) / content.consignment.items[0].net_kg
        assert per_kg <= 0.08 * float(detail["reference_per_kg"])
        assert invoice["currency"] == detail["currency"]
    else:
        assert pages["certificate_of_origin"]["origin_country"] == COUNTRY_NAMES[detail["certificate_origin"]]
        assert pages["invoice"]["origin"] == COUNTRY_NAMES[detail["invoice_origin"]]
        assert detail["certificate_origin"] != detail["invoice_origin"]


@pytest.mark.parametrize("fault", FAULTS)
def test_each_fault_is_in_the_truth_and_printed_on_its_page(fault: str) -> None:
    content = set_content(21, fault, unit_values=UNIT_VALUES)
    assert content.fault == fault and content.fault_detail
    _printed_fault(fault, content, pages_of(content))


def test_a_written_set_has_an_image_per_page_and_its_truth(tmp_path: Path) -> None:
    content = set_content(2, "origin", unit_values=UNIT_VALUES)
    truth = write_set(content, tmp_path, dpi=DPI)
    assert truth["fault"] == "origin" and truth["fault_detail"] == content.fault_detail
    assert truth["declared_on"] >= content.consignment.issued.isoformat()
    assert json.loads((tmp_path / "set-000002.json").read_text()) == truth
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(
        [page["image"] for page in truth["pages"]] + ["set-000002.json"])


def test_a_fault_changes_only_what_it_is_about() -> None:
    clean, faulty = set_content(13), set_content(13, "weights")
    assert clean.consignment.items == faulty.consignment.items
    assert clean.cmr["gross_weight"] != faulty.cmr["gross_weight"]


def test_an_unknown_code_stays_under_its_heading_and_a_wrong_digit_is_wrong() -> None:
    rng = random.Random(1)
    for code in ("080221", "220421", "847130", "010121"):
        made = unknown_code(code, hs_codes(), rng)
        assert made[:4] == code[:4] and made not in hs_codes() and len(made) == 6
    for container in ("CSQU3054383", "MSKU1234565"):
        wrong = wrong_check_digit(container, rng)
        assert wrong[:10] == container[:10] and not is_valid(wrong)


def test_the_longest_prefix_of_the_table_prices_a_code() -> None:
    assert unit_value("080221", UNIT_VALUES) == (2.8, "USD")
    assert unit_value("080211", UNIT_VALUES) == (5.5, "USD")
    assert unit_value("081010", UNIT_VALUES) == (1.5, "USD")
    assert unit_value("610910", UNIT_VALUES) is None


@pytest.mark.parametrize(("fault", "values", "message"), [
    ("typo", UNIT_VALUES, "unknown fault 'typo'"),
    ("undervalued", None, "needs unit values"),
    ("undervalued", {}, "needs unit values"),
])
def test_bad_arguments_are_refused(fault: str, values: dict[str, tuple[float, str]] | None, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        set_content(1, fault, unit_values=values)


def test_unknown_hs_needs_the_nomenclature(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="needs the HS nomenclature"):
        set_content(1, "unknown_hs", data=tmp_path)
