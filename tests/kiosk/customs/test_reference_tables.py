"""Central's tables are judged on arrival by the same parsers the flows read them with."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kiosk.customs.rates import SAMPLE_RATES
from kiosk.customs.reference_tables import check_table
from kiosk.customs.risk import SAMPLE_REFERENCE_VALUES
from kiosk.customs.tariff import SAMPLE_TARIFF, TableError

SAMPLES = {"tariffs": SAMPLE_TARIFF, "rates": SAMPLE_RATES, "reference_values": SAMPLE_REFERENCE_VALUES}


@pytest.mark.parametrize("dataset", sorted(SAMPLES))
def test_the_shipped_tables_pass(dataset: str) -> None:
    check_table(dataset, json.loads(Path(SAMPLES[dataset]).read_text(encoding="utf-8")))


@pytest.mark.parametrize("dataset", sorted(SAMPLES))
def test_a_table_of_the_wrong_shape_is_refused_with_its_name(dataset: str) -> None:
    with pytest.raises(TableError, match=f"^central's {dataset}"):
        check_table(dataset, {"table": dataset, "versions": "all of them"})


def test_a_negative_duty_is_refused() -> None:
    table = json.loads(Path(SAMPLE_TARIFF).read_text(encoding="utf-8"))
    table["versions"][0]["default_duty"] = {"ad_valorem": "-5"}
    with pytest.raises(TableError, match=r"central's tariffs: versions\.0\.default_duty\.ad_valorem"):
        check_table("tariffs", table)


def test_datasets_the_customs_layer_does_not_read_are_not_judged_here() -> None:
    check_table("revocations", {"anything": ["goes"]})
