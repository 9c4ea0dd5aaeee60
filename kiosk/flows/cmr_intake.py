"""CMR intake as a UI-free state machine: scanned -> confirmed.

The touchscreen and the headless demo drive it through the same API endpoints; the rules of what
a driver may change live here, not in any screen.
"""

from __future__ import annotations

from enum import StrEnum

from kiosk.customs.declaration import parse_weight_kg

CMR_FIELDS = ("sender", "consignee", "vehicle_plate", "gross_weight_kg")
MAX_FIELD_LENGTH = 300


class IntakeState(StrEnum):
    SCANNED = "scanned"
    CONFIRMED = "confirmed"


class IntakeError(ValueError):
    """A request the flow cannot accept; the message is safe to show (it holds no field values)."""


class AlreadyConfirmed(IntakeError):
    pass


def confirmed_values(
    state: IntakeState, read: dict[str, dict[str, object]], corrections: dict[str, str]
) -> dict[str, str]:
    """The values the driver confirms: what was read, overridden by the driver's corrections."""
    if state is IntakeState.CONFIRMED:
        raise AlreadyConfirmed("this document was already confirmed")
    unknown = sorted(set(corrections) - set(CMR_FIELDS))
    if unknown:
        raise IntakeError(f"unknown field(s): {', '.join(unknown)}")
    values = {name: str(read.get(name, {}).get("value") or "") for name in CMR_FIELDS}
    for name, value in corrections.items():
        if len(value) > MAX_FIELD_LENGTH:
            raise IntakeError(f"{name}: longer than {MAX_FIELD_LENGTH} characters")
        values[name] = value.strip()
    missing = [name for name in CMR_FIELDS if not values[name]]
    if missing:
        raise IntakeError(f"missing field(s): {', '.join(missing)}")
    try:
        parse_weight_kg(values["gross_weight_kg"])
    except ValueError as exc:
        raise IntakeError(f"gross_weight_kg: {exc}") from None
    return values
