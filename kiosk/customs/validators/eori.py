"""EORI numbers (Economic Operators Registration and Identification): the issuing state's code and up to 15
letters or digits, the structure the EU sets for the numbers its states and the UK issue.

Only EU member states, the United Kingdom (GB) and Northern Ireland (XI) issue them. HMRC's GB and XI
numbers are the prefix and 12 digits. Greece issues EORI numbers under its ISO code GR, although its VAT
numbers start with EL, which is the usual mistake.
"""

from __future__ import annotations

import re

from kiosk.customs.findings import Finding, finding
from kiosk.customs.validators.countries import EU_MEMBER_STATES

ISSUERS = EU_MEMBER_STATES | {"GB", "XI"}
_SEPARATORS = re.compile(r"[\s\-./]+")
_NATIONAL_PART = re.compile(r"[A-Z0-9]{1,15}")
_UK_NATIONAL_PART = re.compile(r"\d{12}")


def normalize_eori(value: str) -> str:
    return _SEPARATORS.sub("", value.strip().upper())


def validate_eori(value: str, field: str) -> list[Finding]:
    text = normalize_eori(value)
    if not text:
        return [finding("eori.missing", field, "an EORI number is required")]
    prefix, national = text[:2], text[2:]
    if prefix == "EL":
        return [finding("eori.greek_prefix", field, "{value}: Greek EORI numbers start with GR (EL is the VAT prefix)",
                        value=text)]
    if prefix not in ISSUERS:
        return [finding("eori.country", field, "{value} must start with the code of an EU member state, GB or XI; "
                        "{prefix} issues no EORI numbers", value=text, prefix=prefix)]
    if prefix in {"GB", "XI"} and not _UK_NATIONAL_PART.fullmatch(national):
        return [finding("eori.uk_format", field, "{value}: a {prefix} EORI number is {prefix} and 12 digits",
                        value=text, prefix=prefix)]
    if not _NATIONAL_PART.fullmatch(national):
        return [finding("eori.format", field, "{value}: after {prefix} an EORI number has 1 to 15 letters or digits",
                        value=text, prefix=prefix)]
    return []
