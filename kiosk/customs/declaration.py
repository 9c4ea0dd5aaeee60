"""The export-declaration draft built from a confirmed CMR, and its human-readable reference.

The Foundation draft carries the four fields the skeleton reads; the customs issue grows it
into the full SAD structure in place.
"""

from __future__ import annotations

import re
import uuid as uuid_module
from datetime import datetime
from typing import Any

DRAFT_KIND = "declaration_draft"


def new_declaration_id() -> str:
    return str(uuid_module.uuid4())


def make_reference(declaration_id: str, created_at: datetime) -> str:
    """Short enough to read out over a phone, unique per kiosk: date + 8 hex digits of the UUID."""
    return f"CEZ-{created_at:%Y%m%d}-{declaration_id.replace('-', '')[:8].upper()}"


def parse_weight_kg(text: str) -> int:
    """'18 240', '18.240' or '18240' -> 18240; anything else, decimals included ('18 240,5'), is refused
    rather than read as ten times the weight."""
    digits = re.sub(r"[\s.,]", "", text)
    if not digits.isdigit() or re.search(r"[.,]\d{1,2}\s*$", text):
        raise ValueError("gross weight must be a whole number of kilograms")
    return int(digits)


def build_draft(
    fields: dict[str, str], *, declaration_id: str, reference: str, kiosk_id: str, created_at: datetime
) -> dict[str, Any]:
    return {
        "type": "export_declaration_draft",
        "uuid": declaration_id,
        "reference": reference,
        "kiosk_id": kiosk_id,
        "created_at": created_at.isoformat(),
        "consignor": fields["sender"],
        "consignee": fields["consignee"],
        "transport": {"vehicle_plate": fields["vehicle_plate"]},
        "gross_weight_kg": parse_weight_kg(fields["gross_weight_kg"]),
        "documents": [{"kind": "cmr"}],
    }


def receipt_qr_payload(declaration_id: str, reference: str) -> str:
    """What the receipt's QR holds: ids only, no personal data, so anyone may scan it."""
    return f"CEZ1;ref={reference};id={declaration_id}"
