"""The payment reference: an ISO 11649 creditor reference built from the declaration's reference."""

from __future__ import annotations

import pytest
from stdnum import iso11649

from kiosk.customs.payment_reference import PaymentReferenceError, creditor_reference, printed


def test_the_standards_published_example() -> None:
    # ISO 11649's example: body 539007547034; 539007547034 R=27 F=15 00 -> 539007547034271500 mod 97 = 80,
    # 98 - 80 = 18, so the reference is RF18539007547034.
    assert creditor_reference("539007547034") == "RF18539007547034"
    assert printed("RF18539007547034") == "RF18 5390 0754 7034"


def test_a_declaration_reference_becomes_a_valid_creditor_reference() -> None:
    reference = creditor_reference("CEZ-20261122-1A2B3C4D")
    assert reference.startswith("RF") and reference[4:] == "CEZ202611221A2B3C4D"
    assert iso11649.validate(reference) == reference
    assert len(reference) == 23


@pytest.mark.parametrize("declaration", [
    "CEZ-20260101-00000000", "CEZ-20261231-FFFFFFFF", "CEZ-20270615-0A0B0C0D", "CEZ-20261122-98765432"])
def test_every_reference_checks_out_with_stdnum(declaration: str) -> None:
    assert iso11649.is_valid(creditor_reference(declaration))


def test_one_changed_character_is_caught() -> None:
    reference = creditor_reference("CEZ-20261122-1A2B3C4D")
    for position in range(4, len(reference)):
        swapped = "7" if reference[position] != "7" else "8"
        assert not iso11649.is_valid(reference[:position] + swapped + reference[position + 1:]), position


def test_two_references_that_differ_get_different_check_digits() -> None:
    # Two adjacent characters swapped: the check digits change, so the bank refuses the mistyped reference.
    assert creditor_reference("CEZ-20261122-1A2B3C4D")[2:4] != creditor_reference("CEZ-20261122-A12B3C4D")[2:4]


@pytest.mark.parametrize("bad", ["", "---", "CEZ-2026-1122-1A2B3C4D-EXTRA", "CEZ/2026", "CEZ-ÄÖ"])
def test_a_reference_that_cannot_fit_is_refused(bad: str) -> None:
    with pytest.raises(PaymentReferenceError, match="1 to 21 letters or digits"):
        creditor_reference(bad)
