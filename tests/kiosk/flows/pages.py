"""One consignment's pages written by hand (not by the generator): a Georgian exporter's walnuts to Türkiye.

Fields are as vision gives them: `{"value", "confidence", "accepted"}`; `unsure` lists the fields read below the
acceptance threshold, `wrong` replaces a field's text with a misreading.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

LOADED = (date.today() - timedelta(days=12)).strftime("%d.%m.%Y")
INVOICED = (date.today() - timedelta(days=13)).strftime("%d.%m.%Y")
"""Dates relative to today: documents older than two years are refused, as they should be."""

CMR = {
    "cmr_number": "GE 0457812",
    "sender": "Kakheti Nuts LLC, 12 Chavchavadze Ave, 0179 Tbilisi, Georgia",
    "consignee": "Anadolu Gida A.S., Ataturk Cad. 45, 34000 Istanbul, Turkey",
    "place_of_delivery": "Istanbul, Turkey",
    "taking_over": f"Tbilisi, Georgia, {LOADED}",
    "packages": "40",
    "packing": "Bags",
    "goods": "Walnuts, shelled",
    "statistical_number": "0802.32",
    "gross_weight": "2 040 kg",
    "carrier": "Trans Caucasus LLC, 5 Tsereteli Ave, 0154 Tbilisi, Georgia",
    "vehicle_reg": "AB-123-CD / KA-417-B",
    "established": f"Tbilisi {LOADED}",
}
INVOICE = {
    "invoice_number": "KN-2026-118",
    "invoice_date": INVOICED,
    "seller": "Kakheti Nuts LLC, 12 Chavchavadze Ave, 0179 Tbilisi, Georgia",
    "buyer": "Anadolu Gida A.S., Ataturk Cad. 45, 34000 Istanbul, Turkey",
    "currency": "USD",
    "origin": "Georgia",
    "incoterm": "FCA",
    "incoterm_place": "Tbilisi",
    "total_amount": "16 000.00",
    "total_net_kg": "2 000",
    "total_gross_kg": "2 040",
    "item_1_description": "Walnuts, shelled",
    "item_1_hs_code": "0802.32",
    "item_1_quantity": "2000",
    "item_1_unit": "kg",
    "item_1_unit_price": "8.00",
    "item_1_amount": "16 000.00",
    "item_1_net_kg": "2 000",
    "item_1_gross_kg": "2 040",
}


def read(fields: dict[str, str], unsure: tuple[str, ...] = (), wrong: dict[str, str] | None = None) -> dict[str, Any]:
    """The page as vision would give it: accepted at 0.97, the `unsure` fields at 0.41 and not accepted."""
    given = {**fields, **(wrong or {})}
    return {name: {"value": text, "confidence": 0.41 if name in unsure else 0.97, "accepted": name not in unsure}
            for name, text in given.items()}
