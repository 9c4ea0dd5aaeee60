"""The command table in docs/firmware-protocol.md matches what each peer serves over identify."""

from __future__ import annotations

import re
from pathlib import Path

from firmware_bridge.host import McuBridge

DOC = Path(__file__).resolve().parents[2] / "docs" / "firmware-protocol.md"


def documented_commands() -> dict[str, tuple[int, tuple[str, ...], tuple[str, ...]]]:
    """name -> (id, args, result) from the table whose header starts with `| command | id |`."""
    lines = DOC.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| command | id |"))
    table: dict[str, tuple[int, tuple[str, ...], tuple[str, ...]]] = {}
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        name, cid, args, result = (cell.strip() for cell in line.strip("|").split("|")[:4])
        table[name] = (int(cid, 16), _fields(args), _fields(result))
    return table


def _fields(cell: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in cell.split(",") if part.strip())


def documented_events() -> dict[str, int]:
    text = DOC.read_text(encoding="utf-8")
    start = text.index("| event | id | value |")
    section = text[start : text.index("\n\n", start)]
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"^\| (\w+) \| (\d+) \|", section, re.M)}


def test_doc_table_matches_the_identify_dictionary(bridge: McuBridge) -> None:
    identity = bridge.identity
    assert identity is not None
    served = {
        c["name"]: (c["id"], tuple(c["args"]), tuple(c["result"])) for c in identity.dictionary["commands"]
    }
    documented = documented_commands()
    assert len(documented) == 8
    assert served == documented
    assert {e["name"]: e["id"] for e in identity.dictionary["events"]} == documented_events()
