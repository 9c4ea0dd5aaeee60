"""A certificate of origin's number, countries and total gross mass, by label (`vision.key_values`).

EUR.1 prints its number after "EUR.1 No"; chamber certificates after "Certificate No". Countries
are ISO 3166 alpha-2 codes, the gross mass a decimal string in kg.
"""

from __future__ import annotations

from vision.field_values import parse_country, parse_reference
from vision.key_values import FieldSpec
from vision.trade_labels import COUNTRY_LANGS, ORIGIN_LABELS, parse_decimal

SPECS = (
    FieldSpec("certificate_number", (r"certificate\s*(?:no\b\.?|n[°º]|№|#)", r"сертификат\s*№",
                                     r"სერტიფიკატის\s*№", r"^eur\.?\s*1\b"), parse_reference),
    FieldSpec("origin_country", ORIGIN_LABELS, parse_country, langs=COUNTRY_LANGS),
    FieldSpec("destination_country", (r"country\s+of\s+destination", r"страна\s+назначения",
                                      r"დანიშნულების\s+ქვეყანა"), parse_country,
              langs=COUNTRY_LANGS),
    FieldSpec("gross_mass", (r"total\s+gross", r"gross\s+weight", r"вес\s+брутто", r"ბრუტო\s+წონა"), parse_decimal),
    FieldSpec("gross_mass", (r"gross\s+mass",), parse_decimal, column_total=True),
)
