"""ISO 6346 freight container numbers (box 31 marks, box 19): owner code, category, serial, check digit.

The check digit itself comes from `vision.iso6346`, so the reader and the validator can never disagree.
"""

from __future__ import annotations

import re

from kiosk.customs.findings import Finding, finding
from vision.iso6346 import check_digit

_SEPARATORS = re.compile(r"[\s\-./]+")
_OWNER = re.compile(r"[A-Z]{3}")
_SERIAL = re.compile(r"[0-9]{6}")
CATEGORIES = {"U": "freight container", "J": "detachable freight container equipment", "Z": "trailer or chassis"}


def normalize_container(number: str) -> str:
    """'csqu 305438-3' -> 'CSQU3054383'."""
    return _SEPARATORS.sub("", number.strip().upper())


def validate_container(number: str, field: str) -> list[Finding]:
    text = normalize_container(number)
    if not text:
        return [finding("container.missing", field, "a container number is required")]
    if len(text) != 11:
        return [finding("container.length", field, "{number} has {length} characters; an ISO 6346 container number "
                        "has 11 (e.g. CSQU3054383)", number=text, length=len(text))]
    owner, category, serial, digit = text[:3], text[3], text[4:10], text[10]
    if not _OWNER.fullmatch(owner):
        return [finding("container.owner", field, "{number} must start with a three-letter owner code, not {owner}",
                        number=text, owner=owner)]
    if category not in CATEGORIES:
        return [finding("container.category", field, "{number}: the fourth letter must be U, J or Z (the equipment "
                        "category), not {category}", number=text, category=category)]
    if not _SERIAL.fullmatch(serial) or digit not in "0123456789":
        return [finding("container.serial", field, "{number}: six digits and a check digit must follow {prefix}",
                        number=text, prefix=owner + category)]
    expected = check_digit(text[:10])
    if expected != int(digit):
        return [finding("container.check_digit", field, "{number}: the check digit should be {expected}, not {found}",
                        number=text, expected=expected, found=int(digit))]
    return []
