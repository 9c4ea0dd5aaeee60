"""Field validators of the customs domain: each takes a value and the field path, and returns findings
(`kiosk.customs.findings.Finding`; an empty list means valid). No validator raises on bad input: a bad
value is what a validator is for.
"""

from __future__ import annotations

from kiosk.customs.validators.containers import normalize_container, validate_container
from kiosk.customs.validators.countries import EU_MEMBER_STATES, normalize_country, validate_country
from kiosk.customs.validators.currencies import normalize_currency, validate_currency
from kiosk.customs.validators.dates import (
    DateFormatError,
    parse_document_date,
    validate_date_order,
    validate_document_date,
    validate_not_expired,
)
from kiosk.customs.validators.eori import normalize_eori, validate_eori
from kiosk.customs.validators.hs_codes import validate_hs_code
from kiosk.customs.validators.incoterms import split_incoterm, validate_incoterm
from kiosk.customs.validators.plates import PlateKind, normalize_plate, validate_plate
from kiosk.customs.validators.taxpayer_ids import validate_taxpayer_id
from kiosk.customs.validators.weights import validate_item_weights, validate_weight_totals, weight_tolerance

__all__ = [
    "EU_MEMBER_STATES",
    "DateFormatError",
    "PlateKind",
    "normalize_container",
    "normalize_country",
    "normalize_currency",
    "normalize_eori",
    "normalize_plate",
    "parse_document_date",
    "split_incoterm",
    "validate_container",
    "validate_country",
    "validate_currency",
    "validate_date_order",
    "validate_document_date",
    "validate_eori",
    "validate_hs_code",
    "validate_incoterm",
    "validate_item_weights",
    "validate_not_expired",
    "validate_plate",
    "validate_taxpayer_id",
    "validate_weight_totals",
    "weight_tolerance",
]
