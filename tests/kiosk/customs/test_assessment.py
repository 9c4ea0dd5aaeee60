"""The yellow-channel assessment: worked examples computed by hand, the Incoterm groups, rounding, the receipt,
and `cez-kiosk customs assess` through the real CLI."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from stdnum import iso11649

from kiosk.cli import main
from kiosk.customs.assessment import RECEIPT_WIDTH, Assessment, assess, render_text, spread, tetri
from kiosk.customs.findings import Severity
from kiosk.customs.rates import RateTable, load_rates
from kiosk.customs.sad import Draft
from kiosk.customs.tariff import TableError, Tariff, load_tariff

REFERENCE = "CEZ-20261122-1A2B3C4D"

TARIFF = Tariff.model_validate({
    "table": "tariff", "sample": False, "versions": [{
        "version": "t-2026", "valid_from": "2026-01-01",
        "vat": {"rate": "18", "zero_rated_procedures": ["3151"]},
        "default_duty": {"ad_valorem": "0"},
        "lines": [
            {"code": "02", "duty": {"ad_valorem": "12"}},
            {"code": "08", "duty": {"ad_valorem": "5"}},
            {"code": "080810", "duty": {"ad_valorem": "0"}},
            {"code": "1701", "duty": {"specific": {"amount": "0.20", "unit": "kg"}}},
            {"code": "2203", "duty": {"ad_valorem": "0"}, "excise": {"specific": {"amount": "0.12", "unit": "l"}}},
            {"code": "2402", "duty": {"ad_valorem": "12"},
             "excise": {"specific": {"amount": "70.00", "unit": "p/st", "per": "1000"}}},
            {"code": "6403", "duty": {"ad_valorem": "12", "specific": {"amount": "3.00", "unit": "kg"},
                                      "combine": "higher"}},
        ],
    }],
})

RATES = RateTable.model_validate({
    "table": "exchange-rates", "sample": False, "version": "r-1", "publications": [
        {"date": "2026-11-20", "rates": [{"currency": "USD", "gel": "2.7100"}, {"currency": "EUR", "gel": "3.1250"},
                                         {"currency": "TRY", "quantity": 10, "gel": "0.6380"}]},
    ],
})


def item(number: int, hs_code: str, amount: str, net_kg: str = "100", **extra: Any) -> dict[str, Any]:
    return {"number": number, "description": f"goods {number}", "packages": 1, "hs_code": hs_code,
            "origin_country": "GE", "gross_kg": str(Decimal(net_kg) + 10), "net_kg": net_kg,
            "invoice_amount": amount, **extra}


def draft(items: list[dict[str, Any]], incoterm: str = "FOB", currency: str = "GEL", total: str | None = None,
          freight: str | None = None, insurance: str | None = None, on: str = "2026-11-22") -> Draft:
    party = {"name": "Kolkhida Export LLC", "address": "12 Rustaveli Ave, Tbilisi", "country": "GE"}
    invoice_total = total or str(sum(Decimal(line["invoice_amount"]) for line in items))
    return Draft.model_validate({
        "uuid": "0c0ffee0-0000-4000-8000-000000000001", "reference": REFERENCE, "kiosk_id": "sarpi-1",
        "created_at": datetime(2026, 11, 22, 9, 30, tzinfo=UTC).isoformat(),
        "general": {
            "office": "GE-SARPI", "date": on, "exporter": party,
            "consignee": {**party, "name": "Anadolu Gida A.S.", "country": "TR"}, "destination_country": "TR",
            "transport": {"vehicle_plate": "GE-123-AB", "vehicle_country": "GE"},
            "valuation": {"incoterm": incoterm, "incoterm_place": "Sarpi", "currency": currency,
                          "invoice_total": invoice_total, "freight": freight, "insurance": insurance},
            "total_packages": len(items), "total_gross_kg": "1", "documents": [{"kind": "invoice", "number": "INV-1"}],
        },
        "items": items,
    })


def money(text: str) -> Decimal:
    return Decimal(text)


def test_fca_adds_freight_and_insurance_spread_by_invoice_amounts() -> None:
    # FCA, 1000.00 USD; freight 100.00 + insurance 20.00 to the border: +120.00 -> 1120.00 USD.
    # Spread by invoice amounts: 120 × 700/1000 = 84.00 and 120 × 300/1000 = 36.00 -> 784.00 and 336.00 USD.
    # In GEL at 2.7100: 784.00 × 2.71 = 2124.64; 336.00 × 2.71 = 910.56.
    # Beef (chapter 02, 12 %): 2124.64 × 0.12 = 254.9568 -> 254.96; VAT 18 % of 2379.60 = 428.328 -> 428.33.
    # Apples (080810 beats chapter 08's 5 %: 0 %): duty 0.00; VAT 18 % of 910.56 = 163.9008 -> 163.90.
    result = assess(draft([item(1, "020130", "700.00"), item(2, "08081080", "300.00")], "FCA", "USD",
                          freight="100.00", insurance="20.00"), TARIFF, RATES)
    assert result.customs_value == money("1120.00") and result.findings == ()
    assert result.rate.published == date(2026, 11, 20) and result.rate.gel == money("2.7100")
    beef, apples = result.items
    assert (beef.customs_value, beef.customs_value_gel, beef.duty, beef.vat) == (
        money("784.00"), money("2124.64"), money("254.96"), money("428.33"))
    assert (apples.customs_value, apples.customs_value_gel, apples.duty, apples.vat, apples.tariff_line) == (
        money("336.00"), money("910.56"), money("0.00"), money("163.90"), "080810")
    assert result.totals is not None
    assert (result.totals.customs_value_gel, result.totals.duty, result.totals.excise, result.totals.vat,
            result.totals.payable) == (money("3035.20"), money("254.96"), money("0"), money("592.23"),
                                       money("847.19"))


def test_specific_duty_per_kg() -> None:
    # Sugar 1701, 0.20 GEL/kg on 12345.678 kg net = 2469.1356 -> 2469.14; the value (5000.00 GEL) plays no part.
    # VAT: 18 % of (5000.00 + 2469.14) = 18 % of 7469.14 = 1344.4452 -> 1344.45.
    (sugar,) = assess(draft([item(1, "170199", "5000.00", net_kg="12345.678")]), TARIFF, RATES).items
    assert (sugar.duty, sugar.vat) == (money("2469.14"), money("1344.45"))


def test_the_higher_of_ad_valorem_and_specific() -> None:
    # Footwear 6403: 12 % or 3.00 GEL/kg, whichever is higher.
    # Item 1: 1000.00 GEL, 50 kg: 120.00 vs 150.00 -> 150.00; VAT 18 % of 1150.00 = 207.00.
    # Item 2: 2000.00 GEL, 50 kg: 240.00 vs 150.00 -> 240.00; VAT 18 % of 2240.00 = 403.20.
    cheap, dear = assess(draft([item(1, "640399", "1000.00", net_kg="50"), item(2, "640391", "2000.00",
                                                                                net_kg="50")]), TARIFF, RATES).items
    assert (cheap.duty, cheap.vat, dear.duty, dear.vat) == (money("150.00"), money("207.00"), money("240.00"),
                                                            money("403.20"))


def test_excise_per_litre_with_cif_deductions_and_a_rate_for_ten_units() -> None:
    # CIF 100000.00 TRY, freight 5000.00 and insurance 1000.00 beyond the border: 94000.00 TRY at the border.
    # 10 TRY = 0.6380 GEL: 94000.00 × 0.6380 / 10 = 5997.20 GEL. Beer 2203: duty 0 %; excise 0.12 GEL/l
    # × 20000 l = 2400.00; VAT 18 % of (5997.20 + 0.00 + 2400.00) = 18 % of 8397.20 = 1511.496 -> 1511.50.
    # The unit "L" matches the tariff's "l": units compare case-insensitively.
    result = assess(draft([item(1, "220300", "100000.00", quantity="20000", unit="L")], "CIF", "TRY",
                          freight="5000.00", insurance="1000.00"), TARIFF, RATES)
    (beer,) = result.items
    assert (result.customs_value, beer.customs_value_gel, beer.duty, beer.excise, beer.vat) == (
        money("94000.00"), money("5997.20"), money("0.00"), money("2400.00"), money("1511.50"))


def test_excise_per_thousand_pieces_under_dap() -> None:
    # DAP 20000.00 EUR, freight beyond the border 1500.00, no insurance stated: 18500.00 EUR at the border.
    # × 3.1250 = 57812.50 GEL; duty 12 % = 6937.50; excise 70.00 GEL per 1000 × 500000 p/st = 35000.00;
    # VAT 18 % of (57812.50 + 6937.50 + 35000.00) = 18 % of 99750.00 = 17955.00; to pay 59892.50.
    result = assess(draft([item(1, "240220", "20000.00", quantity="500000", unit="p/st")], "DAP", "EUR",
                          freight="1500.00"), TARIFF, RATES)
    (cigarettes,) = result.items
    assert (cigarettes.customs_value_gel, cigarettes.duty, cigarettes.excise, cigarettes.vat) == (
        money("57812.50"), money("6937.50"), money("35000.00"), money("17955.00"))
    assert result.totals is not None and result.totals.payable == money("59892.50")


def test_a_code_no_line_covers_pays_the_zero_default_duty() -> None:
    # Antiques 970600: no line, default 0 %; VAT 18 % of 4321.00 = 777.78.
    (antique,) = assess(draft([item(1, "970600", "4321.00")]), TARIFF, RATES).items
    assert (antique.tariff_line, antique.duty, antique.vat) == (None, money("0.00"), money("777.78"))
    assert str(antique.excise) == "0.00"


def test_a_zero_rated_procedure_pays_no_vat() -> None:
    # Procedure 3151 is zero-rated in this tariff; 1000 (the default) pays 18 %.
    zero, full = assess(draft([item(1, "970600", "100.00", procedure="3151"), item(2, "970600", "100.00")]),
                        TARIFF, RATES).items
    assert (zero.vat_rate, zero.vat, full.vat_rate, full.vat) == (money("0"), money("0.00"), money("18"),
                                                                  money("18.00"))


@pytest.mark.parametrize(("incoterm", "freight", "insurance", "at_border"), [
    ("EXW", "100.00", "20.00", "1120.00"),  # added: the price stops short of the border
    ("FCA", "100.00", None, "1100.00"),     # insurance not stated: nothing to add for it
    ("FAS", "100.00", "20.00", "1000.00"),  # handed over at the border: no adjustment
    ("FOB", "100.00", "20.00", "1000.00"),
    ("CPT", "200.00", "50.00", "800.00"),   # the buyer insures: only the freight is in the price
    ("CFR", "200.00", "50.00", "800.00"),
    ("CIP", "200.00", "50.00", "750.00"),   # freight and insurance both in the price
    ("CIF", "200.00", "50.00", "750.00"),
    ("DAP", "200.00", "50.00", "750.00"),
    ("DPU", "200.00", None, "800.00"),
    ("DDP", "200.00", "50.00", "750.00"),
])
def test_each_incoterm_brings_the_value_to_the_border(incoterm: str, freight: str, insurance: str | None,
                                                      at_border: str) -> None:
    result = assess(draft([item(1, "970600", "1000.00")], incoterm, "USD", freight=freight, insurance=insurance),
                    TARIFF, RATES)
    assert result.customs_value == money(at_border)
    assert result.findings == ()
    assert result.items[0].customs_value == money(at_border)


@pytest.mark.parametrize(("incoterm", "insurance", "missing"), [
    ("EXW", None, ["general.valuation.freight"]),
    ("FCA", "20.00", ["general.valuation.freight"]),
    ("CFR", None, ["general.valuation.freight"]),
    ("DDP", None, ["general.valuation.freight"]),
    ("CIF", None, ["general.valuation.freight", "general.valuation.insurance"]),
])
def test_a_missing_freight_leaves_the_invoice_total_with_a_warning(incoterm: str, insurance: str | None,
                                                                   missing: list[str]) -> None:
    result = assess(draft([item(1, "970600", "1000.00")], incoterm, "USD", insurance=insurance), TARIFF, RATES)
    assert result.customs_value == money("1000.00") and result.payable
    assert [(f.code, f.field, f.severity) for f in result.findings] == [
        ("assessment.adjustment_missing", field, Severity.WARNING) for field in missing]
    assert result.findings[0].params == {"incoterm": incoterm, "cost": missing[0]}
    assert f"{incoterm}: {missing[0]} is not stated" in result.findings[0].message


def test_cif_with_freight_but_no_insurance_is_not_adjusted() -> None:
    result = assess(draft([item(1, "970600", "1000.00")], "CIF", "USD", freight="200.00"), TARIFF, RATES)
    assert result.customs_value == money("1000.00")
    assert [f.field for f in result.findings] == ["general.valuation.insurance"]


def test_costs_beyond_the_border_above_the_invoice_total_make_it_unpayable() -> None:
    result = assess(draft([item(1, "970600", "1000.00")], "CIF", "USD", freight="900.00", insurance="200.00"),
                    TARIFF, RATES)
    assert not result.payable and result.totals is None and result.payment_reference is None
    assert result.customs_value is None and result.items == ()
    (error,) = result.findings
    assert (error.code, error.severity, error.params["costs"]) == (
        "assessment.adjustment_exceeds_value", Severity.ERROR, "1100.00")


def test_a_quantity_the_tariff_needs_but_the_item_lacks_is_an_error_per_item() -> None:
    result = assess(draft([item(1, "970600", "10.00"), item(2, "220300", "10.00"),
                           item(3, "240220", "10.00", quantity="1000", unit="kg")]), TARIFF, RATES)
    assert not result.payable and result.items == () and result.payment_reference is None
    assert [(f.code, f.field, f.params["unit"]) for f in result.findings] == [
        ("assessment.quantity_missing", "items[1].quantity", "l"),
        ("assessment.quantity_missing", "items[2].quantity", "p/st")]


def test_items_that_do_not_add_up_to_the_invoice_total_get_the_difference_spread() -> None:
    # Invoice total 990.00 (a 10.00 discount) over items 600.00 + 400.00: -10.00 spread 6.00/4.00 ->
    # 594.00 and 396.00; the warning names both sums.
    result = assess(draft([item(1, "970600", "600.00"), item(2, "970600", "400.00")], total="990.00"),
                    TARIFF, RATES)
    assert [i.customs_value for i in result.items] == [money("594.00"), money("396.00")]
    (warning,) = result.findings
    assert (warning.code, warning.severity, warning.params["items_total"], warning.params["invoice_total"]) == (
        "assessment.items_total_mismatch", Severity.WARNING, "1000.00", "990.00")


def test_the_spread_sums_exactly_with_the_largest_remainder() -> None:
    # 1.00 over 1:2:3: exact 0.1666…, 0.3333…, 0.50 -> floors 0.16, 0.33, 0.50 leave one cent, which goes to the
    # largest remainder (0.0066… of the first).
    assert spread(money("1.00"), [money("1.00"), money("2.00"), money("3.00")]) == [
        money("0.17"), money("0.33"), money("0.50")]
    # 0.10 in three equal parts: 0.0333… each; the one cent left goes to the earliest on the tie.
    assert spread(money("0.10"), [money("5"), money("5"), money("5")]) == [money("0.04"), money("0.03"),
                                                                           money("0.03")]
    # A deduction: -0.10 -> floors -0.04 each (remainder 0.0066…), two cents back to the first two.
    assert spread(money("-0.10"), [money("5"), money("5"), money("5")]) == [money("-0.03"), money("-0.03"),
                                                                            money("-0.04")]
    # All amounts zero: equal parts.
    assert spread(money("0.05"), [money("0"), money("0")]) == [money("0.03"), money("0.02")]


def test_the_spread_refuses_a_fraction_of_a_cent() -> None:
    with pytest.raises(ValueError, match="not a whole number of cents"):
        spread(money("0.005"), [money("1")])


@given(st.integers(-10**9, 10**9), st.lists(st.integers(0, 10**8), min_size=1, max_size=30))
def test_spread_parts_add_up_and_stay_within_a_cent(total_cents: int, weight_cents: list[int]) -> None:
    total = Decimal(total_cents) / 100
    weights = [Decimal(cents) / 100 for cents in weight_cents]
    parts = spread(total, weights)
    assert sum(parts, Decimal(0)) == total
    whole = sum(weights) or len(weights)
    for part, weight in zip(parts, weights, strict=True):
        exact = total * (weight if sum(weights) else 1) / whole
        assert abs(part - exact) < Decimal("0.01")


def test_rounding_is_half_up_to_the_tetri() -> None:
    assert [tetri(money(x)) for x in ("0.125", "2.675", "0.124999", "-0.125")] == [
        money("0.13"), money("2.68"), money("0.12"), money("-0.13")]


def test_the_value_in_gel_is_rounded_half_up_before_the_taxes() -> None:
    # 0.50 USD × 2.7100 = 1.355 -> 1.36 GEL (half up); VAT is taken on the rounded 1.36: 0.2448 -> 0.24.
    (tiny,) = assess(draft([item(1, "970600", "0.50")], currency="USD"), TARIFF, RATES).items
    assert (tiny.customs_value_gel, tiny.vat) == (money("1.36"), money("0.24"))


def test_the_tariff_version_follows_the_declaration_date() -> None:
    # The shipped sample: sugar pays 0.15 GEL/kg in 2025 and 0.20 GEL/kg from 2026; 1000 kg -> 150.00 and 200.00.
    sugar = [item(1, "170199", "900.00", net_kg="1000")]
    old = assess(draft(sugar, on="2025-07-01"), load_tariff(), load_rates())
    new = assess(draft(sugar, on="2026-07-01"), load_tariff(), load_rates())
    assert (old.tariff_version, old.items[0].duty) == ("sample-2025.1", money("150.00"))
    assert (new.tariff_version, new.items[0].duty) == ("sample-2026.1", money("200.00"))


def test_totals_are_sums_of_rounded_item_taxes() -> None:
    # Three items of 1000.25 GEL, duty free: VAT 18 % of 1000.25 = 180.045 -> 180.05 each (half up, where
    # half-even would give 180.04). The total is 3 × 180.05 = 540.15, not 18 % of 3000.75 = 540.135 -> 540.14.
    result = assess(draft([item(n, "970600", "1000.25") for n in (1, 2, 3)]), TARIFF, RATES)
    assert [i.vat for i in result.items] == [money("180.05")] * 3
    assert result.totals is not None and result.totals.vat == money("540.15")


def test_the_tables_must_cover_the_date_and_the_currency() -> None:
    with pytest.raises(TableError, match="no tariff version in force on 2025-12-31"):
        assess(draft([item(1, "970600", "1.00")], on="2025-12-31"), TARIFF, RATES)
    with pytest.raises(TableError, match="no USD rate in force on 2026-11-19"):
        assess(draft([item(1, "970600", "1.00")], currency="USD", on="2026-11-19"), TARIFF, RATES)
    with pytest.raises(TableError, match="no exchange rate for CHF"):
        assess(draft([item(1, "970600", "1.00")], currency="CHF"), TARIFF, RATES)


def test_the_payment_reference_is_an_iso_11649_reference_of_the_declaration() -> None:
    result = assess(draft([item(1, "970600", "1.00")]), TARIFF, RATES)
    assert result.payment_reference is not None
    assert iso11649.validate(result.payment_reference) == result.payment_reference
    assert result.payment_reference[4:] == REFERENCE.replace("-", "")


def _fca_receipt() -> tuple[Assessment, list[str]]:
    result = assess(draft([item(1, "020130", "700.00"), item(2, "08081080", "300.00")], "FCA", "USD",
                          freight="100.00", insurance="20.00"), TARIFF, RATES)
    return result, render_text(result)


def test_the_receipt_fits_the_printer_and_carries_the_totals_and_reference() -> None:
    result, lines = _fca_receipt()
    assert all(len(line) <= RECEIPT_WIDTH and line.isascii() for line in lines)
    assert "TOTAL TO PAY                    847.19 GEL" in lines
    assert "Rate       1 USD = 2.7100 GEL (2026-11-20)" in lines
    assert "Excise                            0.00 GEL" in lines
    assert "  VAT 18%                           428.33" in lines
    assert result.payment_reference is not None
    reference = lines[lines.index("Payment reference") + 1]
    assert iso11649.compact(reference) == result.payment_reference and reference.startswith("RF")
    assert not any("SAMPLE" in line for line in lines)


def test_a_long_tariff_version_goes_on_its_own_line() -> None:
    long_name = "national-tariff-2026-amendment-07-rev-12"
    tariff = Tariff.model_validate({**TARIFF.model_dump(mode="json"),
                                    "versions": [{**TARIFF.versions[0].model_dump(mode="json"),
                                                  "version": long_name}]})
    lines = render_text(assess(draft([item(1, "970600", "1.00")]), tariff, RATES))
    assert lines[lines.index("Tariff") + 1] == long_name.rjust(RECEIPT_WIDTH)
    assert all(len(line) <= RECEIPT_WIDTH for line in lines)


def test_an_unpayable_receipt_says_so_and_lists_the_findings() -> None:
    lines = render_text(assess(draft([item(1, "220300", "10.00")]), TARIFF, RATES))
    assert "NOT PAYABLE: correct the declaration" in lines
    assert "Payment reference" not in lines
    notes = " ".join(lines[lines.index("NOT PAYABLE: correct the declaration") + 1:])
    assert notes == "ERROR: HS 220300: the tariff charges per l, but the item states no quantity in l"
    assert all(len(line) <= RECEIPT_WIDTH for line in lines)


# The CLI, with the shipped sample tables (2026: beef 12 %, rates of 2026-11-20: 1 USD = 2.7100 GEL).


@pytest.fixture()
def declaration(tmp_path: Path) -> Path:
    path = tmp_path / "declaration.json"
    path.write_text(json.dumps(draft([item(1, "020130", "700.00"), item(2, "08081080", "300.00")], "FCA", "USD",
                                     freight="100.00", insurance="20.00").to_json()), encoding="utf-8")
    return path


def test_cli_assess_prints_the_assessment_as_json(declaration: Path) -> None:
    # The sample tariff has the same beef and apple lines and the same USD rate as the worked FCA example above.
    result = CliRunner().invoke(main, ["customs", "assess", str(declaration), "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["totals"] == {"customs_value_gel": "3035.20", "duty": "254.96", "excise": "0.00",
                                  "vat": "592.23", "payable": "847.19"}
    assert document["sample"] is True and document["tariff_version"] == "sample-2026.1"
    assert document["rate"] == {"currency": "USD", "quantity": 1, "gel": "2.7100", "published": "2026-11-20"}
    assert iso11649.is_valid(document["payment_reference"]) and document["findings"] == []


def test_cli_assess_prints_the_receipt_without_json(declaration: Path) -> None:
    result = CliRunner().invoke(main, ["customs", "assess", str(declaration)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "SAMPLE TABLES - NOT FOR PAYMENT" in lines[1] and "TOTAL TO PAY                    847.19 GEL" in lines
    assert all(len(line) <= RECEIPT_WIDTH for line in lines)


def test_cli_assess_exits_1_when_the_draft_cannot_be_paid(tmp_path: Path) -> None:
    path = tmp_path / "beer.json"
    path.write_text(json.dumps(draft([item(1, "220300", "10.00")]).to_json()), encoding="utf-8")
    result = CliRunner().invoke(main, ["customs", "assess", str(path), "--json"])
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["totals"] is None and document["findings"][0]["code"] == "assessment.quantity_missing"


def test_cli_assess_uses_the_tables_it_is_given(tmp_path: Path, declaration: Path) -> None:
    rates = tmp_path / "rates.json"
    rates.write_text(json.dumps({**RATES.model_dump(mode="json"), "publications": [
        {"date": "2026-11-21", "rates": [{"currency": "USD", "quantity": 1, "gel": "3.0000"}]}]}), encoding="utf-8")
    tariff = tmp_path / "tariff.json"
    tariff.write_text(json.dumps(TARIFF.model_dump(mode="json")), encoding="utf-8")
    result = CliRunner().invoke(main, ["customs", "assess", str(declaration), "--json", "--rates", str(rates),
                                       "--tariff", str(tariff)])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    # 1120.00 USD × 3.0000 = 3360.00 GEL (784.00 × 3 = 2352.00 plus 336.00 × 3 = 1008.00).
    assert document["totals"]["customs_value_gel"] == "3360.00" and document["sample"] is False


def _with(draft_json: dict[str, Any], **general: Any) -> dict[str, Any]:
    return {**draft_json, "general": {**draft_json["general"], **general}}


BASE = draft([item(1, "970600", "10.00")], "FOB", "USD").to_json()


@pytest.mark.parametrize(("content", "message"), [
    ("{\"uuid\": ", "not JSON"),
    (json.dumps({**BASE, "reference": "XYZ-1"}), "reference: String should match pattern"),
    (json.dumps({key: value for key, value in BASE.items() if key != "items"}), "items: Field required"),
    (json.dumps(_with(BASE, valuation={**BASE["general"]["valuation"], "currency": "CHF"})),
     "no exchange rate for CHF in rates sample-2026-11"),
    (json.dumps(_with(BASE, date="2024-06-01")), "no tariff version in force on 2024-06-01"),
    (json.dumps(_with(BASE, date="2025-03-01")), "no USD rate in force on 2025-03-01"),
])
def test_cli_assess_bad_input_exits_2_with_one_line(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "declaration.json"
    path.write_text(content, encoding="utf-8")
    result = CliRunner().invoke(main, ["customs", "assess", str(path), "--json"])
    assert result.exit_code == 2
    assert message in result.stderr and len(result.stderr.splitlines()) == 1
    assert result.stdout == ""


def test_cli_assess_refuses_a_missing_file_and_a_bad_table(tmp_path: Path, declaration: Path) -> None:
    missing = CliRunner().invoke(main, ["customs", "assess", str(tmp_path / "none.json")])
    assert missing.exit_code == 2 and "cannot read" in missing.stderr
    bad = tmp_path / "tariff.json"
    bad.write_text(json.dumps({"table": "tariff", "sample": True, "versions": [{
        "version": "x", "valid_from": "2026-01-01", "vat": {"rate": "-18"}, "default_duty": {"ad_valorem": "0"},
        "lines": []}]}), encoding="utf-8")
    refused = CliRunner().invoke(main, ["customs", "assess", str(declaration), "--tariff", str(bad)])
    assert refused.exit_code == 2
    assert "versions.0.vat.rate: Input should be greater than or equal to 0" in refused.stderr
    assert refused.stdout == ""
