"""Fields of invoices, certificates of origin and packing lists: one quick page pass, then each kind's specs.

The page is read once (`vision.trade_ocr`); labelled values are found and re-read alone
(`vision.key_values`). Only when two or more of a kind's labels are missing is the page's
low-confidence text read again in its other scripts: a packing list may print some labels in
Russian or Georgian only, which the English pass cannot spell.
"""

from __future__ import annotations

import statistics

import cv2
import numpy as np

from vision import coo_fields, invoice_fields, packing_fields
from vision.cmr_values import FieldReading
from vision.key_values import FieldSpec, read_key_values
from vision.trade_checks import check_sums, check_weights
from vision.trade_items import COO_TABLE, INVOICE_TABLE, Table, read_items
from vision.trade_ocr import PageText, read_page_text
from vision.trade_scripts import with_other_scripts

SPECS: dict[str, tuple[FieldSpec, ...]] = {
    "invoice": invoice_fields.SPECS,
    "certificate_of_origin": coo_fields.SPECS,
    "packing_list": packing_fields.SPECS,
}
TRADE_KINDS = frozenset(SPECS)
TABLES: dict[str, Table] = {"invoice": INVOICE_TABLE, "certificate_of_origin": COO_TABLE}
"""The kinds whose line items are read. Packing lists are not yet: one of their layouts prints a block per
package, not a table, and their table's header rows in Georgian still pass for items now and then."""
SUMS: dict[str, tuple[tuple[str, str], ...]] = {
    "invoice": (("total_amount", "amount"), ("total_net_kg", "net_kg"), ("total_gross_kg", "gross_kg")),
    "certificate_of_origin": (("gross_mass", "gross_kg"),),
}
"""Per kind, (total field, item column) pairs whose total is the column's sum (`vision.trade_checks`)."""
TURNS = (cv2.ROTATE_180, cv2.ROTATE_90_CLOCKWISE, cv2.ROTATE_90_COUNTERCLOCKWISE)
UPSIDE_DOWN_MEDIAN = 0.5
"""A page whose quick pass has a median word confidence below this is read upside down (upright pages of
every kind, Georgian labels included, measured 0.89-0.96; one turned by straightening 0.21)."""


def _median(text: PageText) -> float:
    return statistics.median(word.confidence for word in text.words) if text.words else 0.0


def _unsure(text: PageText) -> bool:
    return bool(text.words) and _median(text) < UPSIDE_DOWN_MEDIAN


def _labelled(kind: str, text: PageText) -> dict[str, FieldReading]:
    if not text.words:
        return {}
    found = read_key_values(SPECS[kind], text.words, text.reread, text.langs)
    missing = [spec for spec in SPECS[kind] if spec.name not in found]
    if found and len(missing) >= 2:
        words = with_other_scripts(text)
        if words is not text.words:
            found.update(read_key_values(missing, words, text.reread, text.langs))
    return found


def read_trade_fields(kind: str, page: np.ndarray, *, langs: str = "eng") -> dict[str, FieldReading]:
    """The fields of an upright page of `kind` (one of `TRADE_KINDS`); none found is an empty dict."""
    if kind not in SPECS:
        raise ValueError(f"no trade reader for {kind!r}; choose one of {', '.join(sorted(SPECS))}")
    text = read_page_text(page, langs)
    for turn in TURNS:
        if not _unsure(text):
            break
        # a page straightening left upside down or sideways reads as noise: read it turned instead
        turned = read_page_text(cv2.rotate(page, turn), langs)
        if _median(turned) > _median(text):
            text = turned
    found = _labelled(kind, text)
    check_weights(found)
    table = TABLES.get(kind)
    if table is not None:
        found.update(read_items(table, text.words, text.reread))
        check_sums(found, SUMS[kind], products=kind == "invoice")
    return found
