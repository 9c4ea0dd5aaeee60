"""A packing list's numbers, date, vehicle, container and totals, by label (`vision.key_values`).

The list's own date is often printed without a label: the first date on the page is taken then.
Package totals need their colon ("Packages:"), so the package column's header is not taken for them.
"""

from __future__ import annotations

from vision.field_values import parse_container, parse_count, parse_plate, parse_reference
from vision.key_values import FieldSpec
from vision.trade_labels import INVOICE_NUMBER, TOTAL_GROSS_KG, TOTAL_NET_KG, date_spec

SPECS = (
    FieldSpec("packing_list_number", (r"packing\s+list\s*(?:no\b\.?|№|#)", r"упаковочный\s+лист\s*№",
                                      r"^n[o°º]\b\.?"), parse_reference),
    INVOICE_NUMBER,
    date_spec("packing_date", anywhere=True),
    FieldSpec("vehicle_plate", (r"means\s+of\s+transport", r"\bvehicle\b", r"\btruck\b", r"транспортное",
                                r"სატრანსპორტო"), parse_plate, spaced=True),
    FieldSpec("container", (r"\bcontainer\b", r"контейнер", r"კონტეინერის"), parse_container),
    FieldSpec("total_packages", (r"packages\s*:", r"total\s+packages", r"мест\s*:", r"ადგილი\s*:"), parse_count),
    TOTAL_NET_KG,
    TOTAL_GROSS_KG,
)
