"""A commercial invoice's header and totals, by label (`vision.key_values`).

Field names are the generator's ground-truth keys; values are normalised: `invoice_date` ISO 8601,
`currency` ISO 4217, `incoterm` an Incoterms 2020 code and `incoterm_place` the named place after it,
`origin` ISO 3166 alpha-2, amounts and weights decimal strings.
"""

from __future__ import annotations

from vision.field_values import (
    parse_amount,
    parse_country,
    parse_currency,
    parse_incoterm,
    parse_incoterm_place,
    parse_reference,
)
from vision.key_values import FieldSpec
from vision.trade_labels import INVOICE_NUMBER, ORIGIN_LABELS, TOTAL_GROSS_KG, TOTAL_NET_KG, date_spec

_INCOTERM_LABELS = (r"\bincoterms?\b", r"инкотермс", r"ინკოტერმს", r"terms\s+of\s+delivery", r"delivery\s+terms")
_TOTAL_LABELS = (r"\b(?:grand\s+)?total\b(?!\s*(?:net|gross|weight|packages))", r"amount\s+due", r"итого",
                 r"\bსულ\b")

SPECS = (
    INVOICE_NUMBER,
    date_spec("invoice_date"),
    FieldSpec("currency", (r"\bcurrency\b", r"валюта", r"ვალუტა"), parse_currency),
    FieldSpec("contract", (r"contract\s*(?:no\b\.?|№|#)?", r"контракт", r"კონტრაქტის"), parse_reference),
    FieldSpec("origin", ORIGIN_LABELS, parse_country),
    FieldSpec("incoterm", _INCOTERM_LABELS, parse_incoterm),
    FieldSpec("incoterm_place", _INCOTERM_LABELS, parse_incoterm_place),
    FieldSpec("total_amount", _TOTAL_LABELS, parse_amount),
    TOTAL_NET_KG,
    TOTAL_GROSS_KG,
)
