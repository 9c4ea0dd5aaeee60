"""Central's versioned reference tables, by the dataset name of its `reference.update` command.

The same parser judges a table when it arrives, so a bad one is refused and the version in force keeps
serving, and when a flow reads it back from the store.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kiosk.customs.rates import rates_from
from kiosk.customs.risk import reference_values_from
from kiosk.customs.tariff import tariff_from

PARSERS: dict[str, Callable[[Any, str], object]] = {
    "tariffs": tariff_from,
    "rates": rates_from,
    "reference_values": reference_values_from,
}


def check_table(dataset: str, data: Any) -> None:
    """TableError (one line) when `dataset` is a table the customs layer reads and `data` is not a valid one;
    other datasets (revocations, …) are their readers' to judge."""
    parse = PARSERS.get(dataset)
    if parse is not None:
        parse(data, f"central's {dataset}")
