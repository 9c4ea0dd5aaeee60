"""Field specs shared by the trade documents: the labels invoices, packing lists and certificates print.

Labels are the generator's English, Russian and Georgian forms plus the wordings real documents use
("Invoice No.", "Gross weight", "Terms of delivery"); a value is parsed by `vision.field_values`.
"""

from __future__ import annotations

from vision.field_values import parse_amount, parse_date, parse_reference
from vision.key_values import FieldSpec

_NO = r"\s*(?:no\b\.?|n[°º]|#|№|number)"

INVOICE_NUMBER = FieldSpec("invoice_number", (
    rf"invoice{_NO}", r"инвойс\s*№", r"сч[её]т(?:-фактура)?\s*№", r"ინვოისის\s*№"), parse_reference)
DATE_LABELS = (r"\bdate\b", r"\bдата\b", r"თარიღი")
TOTAL_NET_KG = FieldSpec("total_net_kg", (
    r"total\s+net", r"net\s+weight", r"вес\s+нетто", r"нетто\s*,?\s*кг\s*:", r"ნეტო\s+წონა"), parse_amount)
TOTAL_GROSS_KG = FieldSpec("total_gross_kg", (
    r"total\s+gross", r"gross\s+weight", r"вес\s+брутто", r"ბრუტო\s+წონა"), parse_amount)
CONSIGNEE_LABELS = (r"\bconsignee\b", r"грузополучатель", r"მიმღები")
ORIGIN_LABELS = (r"country\s+of\s+origin", r"\boriginating\b", r"страна\s+происхождения",
                 r"წარმოშობის\s+ქვეყანა")


def date_spec(name: str, *, anywhere: bool = False) -> FieldSpec:
    """A date field labelled 'Date' in any of the languages (ISO 8601 value)."""
    return FieldSpec(name, DATE_LABELS, parse_date, anywhere=anywhere)
