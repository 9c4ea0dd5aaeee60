"""Field specs shared by the trade documents: the labels invoices, packing lists and certificates print.

Labels are the generator's English, Russian and Georgian forms plus the wordings real documents use
("Invoice No.", "Gross weight", "Terms of delivery"); a value is parsed by `vision.field_values`.
"""

from __future__ import annotations

import re
import string

from vision.field_values import parse_amount, parse_date, parse_reference
from vision.key_values import FieldSpec

_NO = r"\s*(?:no\b\.?|n[°º]|#|№|number)"


def parse_decimal(text: str) -> str | None:
    """`parse_amount`, refusing a number whose decimal mark ends it (`10 225,"`): its decimals were lost."""
    return None if re.search(r"\d[.,](?!\d)", text) else parse_amount(text)


def code_part(part: str, *, prefix: bool = False) -> str:
    """One part of a document number or code between separators, `O` and `0` put right by position.

    A short leading `prefix` part holding a letter is a country or series code (`R0` -> `RO`). Otherwise the digits
    after the part's leading letters are digits (`O1` -> `01`, `TRO019834` -> `TR0019834`); the letters keep at
    least two unless they are all `O` (`RO1234567` stays), since country prefixes are two letters."""
    if prefix and len(part) <= 3 and any(ch.isalpha() and ch != "O" for ch in part):
        return part.replace("0", "O")
    head = part[:len(part) - len(part.lstrip(string.ascii_uppercase))]
    while head.endswith("O") and (len(head) > 2 or not head.strip("O")):
        head = head[:-1]
    tail = part[len(head):]
    return head + tail.replace("O", "0") if re.fullmatch(r"[0-9O]*\d[0-9O]*", tail) else part


def parse_invoice_number(text: str) -> str | None:
    """An invoice number: `parse_reference` after a stray leading mark of the label (`y EXP-2025...`, `-EXP...`).

    No invoice numbering starts with a lone character or a dash; a certificate's `A 1234567` may, so this is
    for invoices only. `O` and `0` are put right by position (`code_part`: `TRO019834` -> `TR0019834`)."""
    tokens = text.strip().lstrip("-–—.,;:|").split()
    if len(tokens) > 1 and len(tokens[0]) == 1 and sum(ch.isdigit() for ch in tokens[1]) >= 3:
        tokens = tokens[1:]
    value = parse_reference(" ".join(tokens))
    if value is None:
        return None
    parts = re.split(r"([/\-. ])", value)
    return "".join(code_part(part, prefix=i == 0 and len(parts) > 1) if i % 2 == 0 else part
                   for i, part in enumerate(parts))


INVOICE_NUMBER = FieldSpec("invoice_number", (
    rf"invoice{_NO}", r"инвойс\s*№", r"сч[её]т(?:-фактура)?\s*№", r"ინვოისის\s*№"), parse_invoice_number)
DATE_LABELS = (r"\bdate\b", r"\bдата\b", r"თარიღი")
TOTAL_NET_KG = FieldSpec("total_net_kg", (
    r"total\s+net", r"net\s+weight", r"вес\s+нетто", r"нетто\s*,?\s*кг\s*:", r"ნეტო\s+წონა"), parse_decimal)
TOTAL_GROSS_KG = FieldSpec("total_gross_kg", (
    r"total\s+gross", r"gross\s+weight", r"вес\s+брутто", r"ბრუტო\s+წონა"), parse_decimal)
CONSIGNEE_LABELS = (r"\bconsignee\b", r"грузополучатель", r"მიმღები")
COUNTRY_LANGS = "eng+tur"
"""Countries are printed by their English names, and `Türkiye`'s `ü` needs Turkish (English reads `Tiirkiye`)."""
ORIGIN_LABELS = (r"country\s+of\s+origin", r"\boriginating\b", r"\bconsidered\s+as\b", r"страна\s+происхождения",
                 r"წარმოშობის\s+ქვეყანა")


def date_spec(name: str, *, anywhere: bool = False) -> FieldSpec:
    """A date field labelled 'Date' in any of the languages (ISO 8601 value)."""
    return FieldSpec(name, DATE_LABELS, parse_date, anywhere=anywhere)
