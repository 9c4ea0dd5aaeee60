"""Fields of invoices, certificates of origin and packing lists: one OCR pass, then each kind's specs."""

from __future__ import annotations

import numpy as np

from vision import coo_fields, invoice_fields, packing_fields
from vision.cmr_fields import FieldReading
from vision.key_values import FieldSpec, read_key_values, read_words

SPECS: dict[str, tuple[FieldSpec, ...]] = {
    "invoice": invoice_fields.SPECS,
    "certificate_of_origin": coo_fields.SPECS,
    "packing_list": packing_fields.SPECS,
}
TRADE_KINDS = frozenset(SPECS)


def read_trade_fields(kind: str, page: np.ndarray, *, langs: str = "eng") -> dict[str, FieldReading]:
    """The fields of an upright page of `kind` (one of `TRADE_KINDS`); none found is an empty dict."""
    return read_key_values(SPECS[kind], read_words(page, langs))
