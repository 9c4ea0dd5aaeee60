"""Masses in kilograms (`Decimal`): each line and the totals are positive, gross is never below net, and the
lines add up to the totals.

Documents round each line's mass, so the sums are compared with a tolerance: the larger of 1 kg and
0.5 % of the stated total (`weight_tolerance`). Nothing is rounded here; the figures are compared as given.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from kiosk.customs.findings import Finding, finding

ABSOLUTE_TOLERANCE_KG = Decimal("1")
RELATIVE_TOLERANCE = Decimal("0.005")


def weight_tolerance(total: Decimal) -> Decimal:
    """How far the sum of the lines may be from a total: max(1 kg, 0.5 % of the total)."""
    return max(ABSOLUTE_TOLERANCE_KG, abs(total) * RELATIVE_TOLERANCE)


def validate_item_weights(gross: Decimal, net: Decimal, field: str) -> list[Finding]:
    """Findings for one line (or the totals) at `field`; they point at `{field}.gross_kg` / `{field}.net_kg`."""
    found: list[Finding] = []
    if gross <= 0:
        found.append(finding("weights.gross_not_positive", f"{field}.gross_kg",
                             "the gross mass must be above 0 kg, found {gross} kg", gross=str(gross)))
    if net <= 0:
        found.append(finding("weights.net_not_positive", f"{field}.net_kg",
                             "the net mass must be above 0 kg, found {net} kg", net=str(net)))
    if gross < net:
        found.append(finding("weights.gross_below_net", f"{field}.gross_kg",
                             "the gross mass {gross} kg is below the net mass {net} kg", gross=str(gross),
                             net=str(net)))
    return found


def validate_weight_totals(lines: Sequence[tuple[Decimal, Decimal]], total_gross: Decimal, total_net: Decimal,
                           field: str) -> list[Finding]:
    """Findings for the totals at `field` against the lines' `(gross, net)` masses, beyond the tolerance."""
    found = validate_item_weights(total_gross, total_net, field)
    sum_gross = sum((gross for gross, _ in lines), Decimal(0))
    sum_net = sum((net for _, net in lines), Decimal(0))
    if abs(sum_gross - total_gross) > weight_tolerance(total_gross):
        found.append(finding("weights.gross_sum_mismatch", f"{field}.gross_kg",
                             "the lines' gross masses add up to {sum} kg, but the total says {total} kg "
                             "(tolerance {tolerance} kg)", sum=str(sum_gross), total=str(total_gross),
                             tolerance=str(weight_tolerance(total_gross))))
    if abs(sum_net - total_net) > weight_tolerance(total_net):
        found.append(finding("weights.net_sum_mismatch", f"{field}.net_kg",
                             "the lines' net masses add up to {sum} kg, but the total says {total} kg "
                             "(tolerance {tolerance} kg)", sum=str(sum_net), total=str(total_net),
                             tolerance=str(weight_tolerance(total_net))))
    return found
