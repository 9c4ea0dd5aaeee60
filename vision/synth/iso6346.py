"""Container numbers for generated documents, with valid ISO 6346 check digits (`vision.iso6346`)."""

from __future__ import annotations

import random

from vision.iso6346 import check_digit

OWNER_CODES = ("MSK", "MSC", "CMA", "HLX", "COS", "ONE", "EGH", "TGH", "CAI", "TRH", "SEG", "BMO")
"""Owner prefixes seen on the Poti and Batumi lines (real BIC prefixes; the serials are invented)."""


def container_number(rng: random.Random) -> str:
    """A container number with a valid check digit, e.g. 'MSKU1234565'."""
    first_ten = f"{rng.choice(OWNER_CODES)}U{rng.randrange(10**6):06d}"
    return f"{first_ten}{check_digit(first_ten)}"
