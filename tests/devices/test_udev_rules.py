"""The udev rules name every peripheral the documentation and the default URLs rely on."""

import re
from pathlib import Path

RULES = Path(__file__).resolve().parents[2] / "systemd" / "99-cez-kiosk-devices.rules"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "devices.md"


def rules() -> list[str]:
    return [line for line in RULES.read_text().splitlines() if line.strip() and not line.startswith("#")]


def test_every_rule_matches_a_device_and_grants_a_group_the_core_has() -> None:
    for rule in rules():
        assert re.search(r'ATTRS\{idVendor\}=="[0-9a-f]{4}"', rule), rule
        assert re.search(r'GROUP="(dialout|lp|plugdev|video)"', rule), rule
        assert 'MODE="0660"' in rule, rule
        assert all(part.count('"') % 2 == 0 for part in rule.split(", ")), rule
        if rule.startswith('SUBSYSTEM=="tty"'):
            assert 'ENV{ID_MM_DEVICE_IGNORE}="1"' in rule, rule  # ModemManager must not probe our ports


def test_stable_names_are_the_ones_documented() -> None:
    names = {match for rule in rules() for match in re.findall(r'SYMLINK\+="([^"]+)"', rule)}
    assert names == {"cez-barcode", "cez-barcode-kbd", "cez-receipt", "cez-receipt-lp", "cez-camera", "cez-mcu"}
    documented = DOCS.read_text()
    assert all(f"/dev/{name}" in documented for name in names)
