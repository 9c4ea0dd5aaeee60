"""A commercial invoice's header and totals, by label (`vision.key_values`).

Field names are the generator's ground-truth keys; values are normalised: `invoice_date` ISO 8601,
`currency` ISO 4217, `incoterm` an Incoterms 2020 code and `incoterm_place` the named place after it,
`origin` ISO 3166 alpha-2, amounts and weights decimal strings.
"""

from __future__ import annotations

import re

from vision.field_values import (
    parse_country,
    parse_currency,
    parse_incoterm,
    parse_incoterm_place,
    parse_reference,
)
from vision.key_values import DISAGREE_CAP, FieldSpec
from vision.trade_labels import (
    COUNTRY_LANGS,
    INVOICE_NUMBER,
    ORIGIN_LABELS,
    TOTAL_GROSS_KG,
    TOTAL_NET_KG,
    date_spec,
    parse_decimal,
)

_INCOTERM_LABELS = (r"\bincoterms?\b", r"инкотермс", r"ინკოტერმს", r"terms\s+of\s+delivery", r"delivery\s+terms")
_TOTAL_LABELS = (r"\b(?:grand\s+)?total\b(?!\s*(?:net|gross|weight|packages))", r"amount\s+due", r"итого",
                 r"\bსულ\b")

PLACE_LANGS = "aze+tur+deu+fra+rus+kat"
"""A named place is read with the languages of the region's towns, Azerbaijani first: with English among
them Tesseract wrote `Baki`, `izmir`, `Ggncg` for `Bakı`, `İzmir`, `Gəncə` (Polish `Kraków` has no pack)."""


def _incoterm_place(text: str) -> str | None:
    """`parse_incoterm_place`, after the `VV` Azerbaijani reads for the `W` of `EXW`."""
    return parse_incoterm_place(re.sub(r"^\s*EXVV\b", "EXW", text))


SPECS = (
    INVOICE_NUMBER,
    date_spec("invoice_date"),
    FieldSpec("currency", (r"\bcurre\w{2,3}\b", r"валюта", r"ვალუტა"), parse_currency),
    FieldSpec("contract", (r"contract\s*(?:no\b\.?|№|#)?", r"контракт", r"კონტრაქტის"), parse_reference),
    FieldSpec("origin", ORIGIN_LABELS, parse_country, langs=COUNTRY_LANGS),
    FieldSpec("incoterm", _INCOTERM_LABELS, parse_incoterm),
    FieldSpec("incoterm_place", _INCOTERM_LABELS, _incoterm_place, langs=PLACE_LANGS, cap=DISAGREE_CAP),
    FieldSpec("total_amount", _TOTAL_LABELS, parse_decimal),
    TOTAL_NET_KG,
    TOTAL_GROSS_KG,
)
