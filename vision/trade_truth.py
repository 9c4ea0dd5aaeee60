"""A generated page's ground truth in the trade readers' normal form, so readings compare exactly.

The generator's truth is the text as printed ("04/02/2025", "101 808,00 TRY"); each field's own
parser turns it into the form the reader returns. The Incoterm's place is printed after its code.
"""

from __future__ import annotations

from collections.abc import Mapping

from vision.trade_fields import SPECS


def expected_fields(kind: str, truth: Mapping[str, str]) -> dict[str, str]:
    """Normalised truth of every field the `kind`'s reader knows and the page prints."""
    printed = dict(truth)
    if "incoterm_place" in printed:
        printed["incoterm_place"] = f"{printed.get('incoterm', '')} {printed['incoterm_place']}"
    expected: dict[str, str] = {}
    for spec in SPECS[kind]:
        value = spec.parse(printed[spec.name]) if printed.get(spec.name) else None
        if value is not None:
            expected[spec.name] = value
    return expected
