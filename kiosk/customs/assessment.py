"""The yellow-channel tax assessment of a declaration draft: customs value, duty, excise and VAT in GEL.

Customs value. The basis is the value of the goods at the Georgian border, so the price is adjusted by
the Incoterm (2020) for the costs the seller's price includes or leaves out:
- EXW, FCA: the price stops short of the border; the freight (and insurance, when stated) to the border
  are added. Without a stated freight no adjustment can be made.
- FAS, FOB: the goods are handed over at the Georgian port or border point; the price is the value.
- CPT, CFR: the price carries the goods beyond the border; the freight beyond it is deducted. The buyer
  insures under these terms, so a stated insurance is not part of the price and is not deducted.
- CIP, CIF: freight and insurance beyond the border are both in the price and both deducted; both must be
  stated.
- DAP, DPU, DDP: the freight beyond the border is deducted, and the insurance when stated.
For the deducting terms the draft's `freight` and `insurance` are read as the part beyond the border.
When a needed cost is not stated the invoice total is the customs value and a WARNING says which cost;
a deduction larger than the invoice total is an ERROR. The difference between the customs value and the
sum of the items' invoice amounts is spread over the items in proportion to their amounts (equally when
all are zero), in cents of the invoice currency, the cents left by rounding down going to the largest
remainders (the earlier item on a tie), so the items' values add up to the consignment's exactly.

Taxes, per item, from the tariff version and the exchange rate in force on the declaration's date:
- customs value in GEL = item value × rate;
- duty and excise = ad valorem % of the customs value in GEL, or a specific amount per kg of net mass or
  per supplementary unit (the item's `unit`, compared case-insensitively), or the higher of both where
  the tariff line says so; a line without excise charges none;
- VAT = the version's rate (18 % in Georgia) of customs value + duty + excise. Georgia zero-rates
  exports, but the issue asks the kiosk to assess VAT at 18 %; the tariff therefore carries the rate and
  a list of zero-rated procedure codes (SAD box 37), and the shipped sample lists none, so every
  procedure pays 18 % until central's table says otherwise.

Rounding: the customs value in GEL and each tax of each item are rounded to the tetri (0.01 GEL), half
up, from the exact amount (the higher of two duty rules is chosen before rounding); VAT is computed on
the rounded customs value, duty and excise; every total is the sum of the rounded item amounts.

An assessment with an ERROR finding has no items, totals or payment reference: it cannot be paid.
"""

from __future__ import annotations

import textwrap
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict

from kiosk.customs.findings import Finding, Severity, errors, finding
from kiosk.customs.payment_reference import creditor_reference, printed
from kiosk.customs.rates import NATIONAL_CURRENCY, ExchangeRate, RateTable
from kiosk.customs.sad import Draft, Item, Valuation
from kiosk.customs.tariff import MASS_UNIT, Charge, Tariff, Version

TETRI = Decimal("0.01")
"""The smallest GEL amount: taxes are rounded to it."""
CENT = Decimal("0.01")
"""The step of the invoice currency's amounts (the draft's money has two decimals): the spread works in it."""
RECEIPT_WIDTH = 42

_ADD_TO_BORDER = frozenset({"EXW", "FCA"})
_AT_BORDER = frozenset({"FAS", "FOB"})
_BUYER_INSURES = frozenset({"CPT", "CFR"})
_INSURANCE_REQUIRED = frozenset({"CIP", "CIF"})


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ItemTax(_Model):
    number: int
    hs_code: str
    tariff_line: str | None
    """The tariff line's code that matched; None when the version's default duty applied."""
    procedure: str
    customs_value: Decimal
    """In the invoice currency, at the border."""
    customs_value_gel: Decimal
    duty: Decimal
    excise: Decimal
    vat_rate: Decimal
    vat: Decimal


class Totals(_Model):
    customs_value_gel: Decimal
    duty: Decimal
    excise: Decimal
    vat: Decimal
    payable: Decimal


class Assessment(_Model):
    declaration: str
    date: date
    incoterm: str
    currency: str
    invoice_total: Decimal
    customs_value: Decimal | None
    """The consignment's value at the border in the invoice currency; None when it cannot be determined."""
    rate: ExchangeRate
    tariff_version: str
    sample: bool
    """True when the tariff or the rates are sample tables: such an assessment is never for payment."""
    items: tuple[ItemTax, ...]
    totals: Totals | None
    payment_reference: str | None
    findings: tuple[Finding, ...]

    @property
    def payable(self) -> bool:
        return self.totals is not None

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


def tetri(amount: Decimal) -> Decimal:
    return amount.quantize(TETRI, rounding=ROUND_HALF_UP)


def spread(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """`total` (whole cents, may be negative) split in proportion to `weights` by the largest remainder.

    Each part is first rounded down to the cent; the cents that leaves go one each to the parts with the
    largest remainders, the earlier part first on a tie. All-zero weights share equally.
    """
    cents = int(total / CENT)
    if Decimal(cents) * CENT != total:
        raise ValueError(f"{total} is not a whole number of cents")
    units = [int(weight / CENT) for weight in weights]
    if not any(units):
        units = [1] * len(weights)
    whole = sum(units)
    parts = [divmod(cents * unit, whole) for unit in units]
    left = cents - sum(quotient for quotient, _ in parts)
    by_remainder = sorted(range(len(parts)), key=lambda index: (-parts[index][1], index))
    lucky = set(by_remainder[:left])
    return [Decimal(quotient + (index in lucky)) * CENT for index, (quotient, _) in enumerate(parts)]


def _border_adjustment(valuation: Valuation) -> tuple[Decimal, list[Finding]]:
    """The amount to add to the invoice total for the value at the border, and warnings for missing costs."""
    term = valuation.incoterm
    if term in _AT_BORDER:
        return Decimal(0), []
    needed = ["freight"] + (["insurance"] if term in _INSURANCE_REQUIRED else [])
    missing = [name for name in needed if getattr(valuation, name) is None]
    if missing:
        return Decimal(0), [finding(
            "assessment.adjustment_missing", f"general.valuation.{name}",
            "{incoterm}: {cost} is not stated, so the value cannot be brought to the Georgian border; "
            "the invoice total is taken as the customs value",
            Severity.WARNING, incoterm=term, cost=f"general.valuation.{name}",
        ) for name in missing]
    costs = valuation.freight or Decimal(0)
    if term not in _BUYER_INSURES:
        costs += valuation.insurance or Decimal(0)
    return (costs if term in _ADD_TO_BORDER else -costs), []


class _QuantityMissing(Exception):
    def __init__(self, unit: str) -> None:
        super().__init__(unit)
        self.unit = unit


def _measure(item: Item, unit: str) -> Decimal:
    if unit == MASS_UNIT:
        return item.net_kg
    if item.quantity is None or item.unit is None or item.unit.casefold() != unit.casefold():
        raise _QuantityMissing(unit)
    return item.quantity


def _charge(charge: Charge, value_gel: Decimal, item: Item) -> Decimal:
    """The exact charge, before rounding."""
    amounts: list[Decimal] = []
    if charge.ad_valorem is not None:
        amounts.append(value_gel * charge.ad_valorem / 100)
    if charge.specific is not None:
        amounts.append(charge.specific.amount * _measure(item, charge.specific.unit) / charge.specific.per)
    return max(amounts)


def _item_tax(index: int, item: Item, value: Decimal, rate: ExchangeRate, version: Version) -> ItemTax | Finding:
    line = version.line_for(item.hs_code)
    excise_charge = line.excise if line is not None else None
    value_gel = tetri(rate.to_gel(value))
    try:
        duty = tetri(_charge(line.duty if line is not None else version.default_duty, value_gel, item))
        excise = tetri(Decimal(0)) if excise_charge is None else tetri(_charge(excise_charge, value_gel, item))
    except _QuantityMissing as missing:
        return finding("assessment.quantity_missing", f"items[{index}].quantity",
                       "HS {hs_code}: the tariff charges per {unit}, but the item states no quantity in {unit}",
                       hs_code=item.hs_code, unit=missing.unit)
    vat_rate = version.vat.rate_for(item.procedure)
    return ItemTax(
        number=item.number, hs_code=item.hs_code, tariff_line=line.code if line is not None else None,
        procedure=item.procedure, customs_value=value, customs_value_gel=value_gel, duty=duty, excise=excise,
        vat_rate=vat_rate, vat=tetri((value_gel + duty + excise) * vat_rate / 100),
    )


def assess(draft: Draft, tariff: Tariff, rates: RateTable) -> Assessment:
    """The assessment on the declaration's date. TableError when the tables do not cover the date or currency."""
    general = draft.general
    valuation = general.valuation
    version = tariff.version_on(general.date)
    rate = rates.rate_on(valuation.currency, general.date)
    adjustment, findings = _border_adjustment(valuation)
    items_total = sum((item.invoice_amount for item in draft.items), Decimal(0))
    if items_total != valuation.invoice_total:
        findings.append(finding(
            "assessment.items_total_mismatch", "general.valuation.invoice_total",
            "the items add up to {items_total} {currency}, the invoice total is {invoice_total} {currency}; "
            "the difference is spread over the items",
            Severity.WARNING, items_total=str(items_total), invoice_total=str(valuation.invoice_total),
            currency=valuation.currency,
        ))
    at_border = valuation.invoice_total + adjustment
    customs_value = at_border if at_border >= 0 else None
    taxes: list[ItemTax] = []
    if customs_value is None:
        findings.append(finding(
            "assessment.adjustment_exceeds_value", "general.valuation.freight",
            "the costs beyond the border ({costs} {currency}) exceed the invoice total ({invoice_total} {currency})",
            costs=str(-adjustment), invoice_total=str(valuation.invoice_total), currency=valuation.currency,
        ))
    else:
        shares = spread(customs_value - items_total, [item.invoice_amount for item in draft.items])
        for index, (item, share) in enumerate(zip(draft.items, shares, strict=True)):
            outcome = _item_tax(index, item, item.invoice_amount + share, rate, version)
            if isinstance(outcome, Finding):
                findings.append(outcome)
            else:
                taxes.append(outcome)
    payable = not errors(findings)
    return Assessment(
        declaration=draft.reference, date=general.date, incoterm=valuation.incoterm, currency=valuation.currency,
        invoice_total=valuation.invoice_total, customs_value=customs_value, rate=rate,
        tariff_version=version.version, sample=tariff.sample or rates.sample,
        items=tuple(taxes) if payable else (), totals=_totals(taxes) if payable else None,
        payment_reference=creditor_reference(draft.reference) if payable else None, findings=tuple(findings),
    )


def _totals(taxes: list[ItemTax]) -> Totals:
    def total(name: str) -> Decimal:
        return sum((getattr(tax, name) for tax in taxes), Decimal(0))

    duty, excise, vat = total("duty"), total("excise"), total("vat")
    return Totals(customs_value_gel=total("customs_value_gel"), duty=duty, excise=excise, vat=vat,
                  payable=duty + excise + vat)


def _row(label: str, value: str) -> list[str]:
    """`label ... value` on one line, or the value right-aligned under its label when both do not fit."""
    if len(label) + 1 + len(value) <= RECEIPT_WIDTH:
        return [label + value.rjust(RECEIPT_WIDTH - len(label))]
    return [label, value[-RECEIPT_WIDTH:].rjust(RECEIPT_WIDTH)]


def render_text(assessment: Assessment) -> list[str]:
    """Lines for the receipt printer, none wider than RECEIPT_WIDTH; plain ASCII, which ESC/POS prints as is."""
    rule = "-" * RECEIPT_WIDTH
    rate = assessment.rate
    lines = ["TAX ASSESSMENT (YELLOW CHANNEL)".center(RECEIPT_WIDTH).rstrip()]
    if assessment.sample:
        lines.append("SAMPLE TABLES - NOT FOR PAYMENT".center(RECEIPT_WIDTH).rstrip())
    lines += [rule,
              *_row("Declaration", assessment.declaration),
              *_row("Date", assessment.date.isoformat()),
              *_row("Tariff", assessment.tariff_version),
              *_row("Incoterm", f"{assessment.incoterm}, value at GE border"),
              *_row("Invoice total", f"{assessment.invoice_total} {assessment.currency}")]
    if assessment.currency != NATIONAL_CURRENCY:
        lines += _row("Rate", f"{rate.quantity} {rate.currency} = {rate.gel} GEL ({rate.published})")
    for item in assessment.items:
        lines += [rule,
                  f"Item {item.number}  HS {item.hs_code}",
                  *_row("  Customs value", f"{item.customs_value_gel} GEL"),
                  *_row("  Duty", str(item.duty)),
                  *_row("  Excise", str(item.excise)),
                  *_row(f"  VAT {item.vat_rate.normalize():f}%", str(item.vat))]
    lines.append(rule)
    totals = assessment.totals
    if totals is None or assessment.payment_reference is None:
        lines.append("NOT PAYABLE: correct the declaration")
    else:
        lines += [*_row("Customs value", f"{totals.customs_value_gel} GEL"),
                  *_row("Duty", f"{totals.duty} GEL"),
                  *_row("Excise", f"{totals.excise} GEL"),
                  *_row("VAT", f"{totals.vat} GEL"),
                  *_row("TOTAL TO PAY", f"{totals.payable} GEL"),
                  rule,
                  "Payment reference",
                  printed(assessment.payment_reference)]
    for note in assessment.findings:
        lines += textwrap.wrap(f"{note.severity.value.upper()}: {note.message}", RECEIPT_WIDTH)
    return lines
