"""A generated page's ground truth in the trade readers' normal form, so readings compare exactly.

The generator's truth is the text as printed ("04/02/2025", "101 808,00 TRY"); each field's own
parser turns it into the form the reader returns. The Incoterm's place is printed after its code.
Line items (`item_<n>_<column>`) count for the columns the kind's table reader knows.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from vision.trade_fields import SPECS, TABLES

_ITEM = re.compile(r"item_\d+_(\w+)")


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
    table = TABLES.get(kind)
    if table is not None:
        columns = {column.key: column for column in table.columns}
        for name, text in printed.items():
            found = _ITEM.fullmatch(name)
            column = columns.get(found.group(1)) if found else None
            value = column.parse(text) if column is not None and text else None
            if value is not None:
                expected[name] = value
    return expected
