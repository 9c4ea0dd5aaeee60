"""Arithmetic a trade document must satisfy, turned into confidence: numbers that add up are right.

OCR's own confidence says how crisp the letters were, not whether `1 773,6` lost a space. An
invoice's numbers check each other: an item's amount is its quantity times its unit price, and the
totals are the sums of the items' amounts and weights. Values a check holds for are raised to
`CHECKED`; values a check fails for are capped at `DISAGREE_CAP` (one of them is wrong, OCR cannot say which).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation

from vision.cmr_values import FieldReading
from vision.key_values import DISAGREE_CAP

CHECKED = 0.995
"""Confidence of a value an arithmetic check holds for."""
_ITEM = re.compile(r"item_(\d+)_")


def _number(fields: dict[str, FieldReading], name: str) -> Decimal | None:
    reading = fields.get(name)
    if reading is None:
        return None
    try:
        return Decimal(reading.value)
    except InvalidOperation:
        return None


def _judge(fields: dict[str, FieldReading], names: Iterable[str], holds: bool) -> None:
    for name in names:
        reading = fields[name]
        confidence = max(reading.confidence, CHECKED) if holds else min(reading.confidence, DISAGREE_CAP)
        fields[name] = FieldReading(reading.value, confidence)


def item_numbers(fields: dict[str, FieldReading]) -> list[int]:
    return sorted({int(found.group(1)) for name in fields if (found := _ITEM.match(name))})


def _sum_holds(fields: dict[str, FieldReading], items: list[int], total: str, column: str) -> bool | None:
    """Whether the column's items add up to the total; None when a number is missing."""
    values = [_number(fields, f"item_{n}_{column}") for n in items]
    expected = _number(fields, total)
    if not items or expected is None or any(value is None for value in values):
        return None
    return sum(v for v in values if v is not None) == expected


def check_sums(fields: dict[str, FieldReading], pairs: Sequence[tuple[str, str]], *, products: bool) -> None:
    """Check, in place, each item's amount against quantity x unit price (`products`), and each (total field,
    item column) pair's total against the column's sum over every item.

    The first pair also vouches for the item list itself: an item missed or a header row taken for one
    shifts every `item_<n>` after it, and each shifted row still multiplies out. So unless that first
    sum holds, no item field is trusted beyond `DISAGREE_CAP`."""
    items = item_numbers(fields)
    if products:
        for n in items:
            names = [f"item_{n}_quantity", f"item_{n}_unit_price", f"item_{n}_amount"]
            values = [_number(fields, name) for name in names]
            if all(value is not None for value in values):
                quantity, price, amount = values
                assert quantity is not None and price is not None and amount is not None
                _judge(fields, names, (quantity * price).quantize(Decimal("0.01")) == amount)
    for total, column in pairs:
        holds = _sum_holds(fields, items, total, column)
        if holds is not None:
            _judge(fields, [total, *(f"item_{n}_{column}" for n in items)], holds)
    if items and pairs and not _sum_holds(fields, items, *pairs[0]):
        _judge(fields, [name for name in fields if _ITEM.match(name)], False)


WEIGHTS = ("total_net_kg", "total_gross_kg")


def check_weights(fields: dict[str, FieldReading]) -> None:
    """Check, in place, that the gross weight is at least the net, and that both print the same decimals: a
    `10 225,7` read as `10225` beside a net of `9 727,3` lost its decimals (nothing else on a camera page says so)."""
    values = {name: _number(fields, name) for name in WEIGHTS}
    net, gross = values["total_net_kg"], values["total_gross_kg"]
    if net is None or gross is None:
        return
    places = {name: fields[name].value.partition(".")[2] for name in WEIGHTS}
    if gross < net:
        _judge(fields, WEIGHTS, False)
    elif len(set(map(len, places.values()))) > 1:
        _judge(fields, [name for name in WEIGHTS if len(places[name]) < max(map(len, places.values()))], False)
