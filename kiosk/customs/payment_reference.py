"""The payment reference of an assessment: an ISO 11649 structured creditor reference ("RF").

Built from the declaration's reference so the bank payment finds its declaration without a lookup
table, and checked by two digits (ISO 7064 MOD 97-10) so a mistyped reference is refused at the bank
rather than booked to nobody. `CEZ-20261122-1A2B3C4D` becomes `RFkkCEZ202611221A2B3C4D`: the body keeps
the reference's letters and digits, which fit the 21 characters the standard allows.
"""

from __future__ import annotations

import re

from stdnum import iso11649
from stdnum.iso7064 import mod_97_10

MAX_BODY = 21
_SEPARATORS = re.compile(r"[\s-]")


class PaymentReferenceError(ValueError):
    """A declaration reference that cannot become a creditor reference."""


def creditor_reference(declaration_reference: str) -> str:
    """'RF' + two check digits + the reference's letters and digits, in the compact (electronic) form."""
    body = _SEPARATORS.sub("", declaration_reference).upper()
    if not body or not body.isascii() or not body.isalnum() or len(body) > MAX_BODY:
        raise PaymentReferenceError(f"reference {declaration_reference!r}: a creditor reference needs 1 to "
                                    f"{MAX_BODY} letters or digits (separators '-' and spaces are dropped)")
    # The check digits make the number `body + "RF" + check`, letters read as A=10 … Z=35, equal 1 modulo 97.
    return "RF" + mod_97_10.calc_check_digits(body + "RF") + body


def printed(reference: str) -> str:
    """Groups of four, as ISO 11649 prints it on paper: 'RF18 5390 0754 7034'."""
    return str(iso11649.format(reference))
