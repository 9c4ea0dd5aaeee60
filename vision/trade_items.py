"""Line items of a goods table: columns found by their English headers, one item per number in the anchor column.

Every trade document here prints its table headers in English (alone, or above or below Russian
or Georgian), so the quick English pass finds them; each header's left edge starts its column. Below
the headers, each row with a number in the anchor column (the amount on an invoice, the gross weight
elsewhere) is an item; a description printed over two lines belongs to the item whose anchor lies
between them. An item's numeric cells are then read again as one line at full resolution: a cell
read differently twice is capped at `vision.key_values.DISAGREE_CAP`. Field names are the generator's:
`item_<n>_<column>`.
"""

from __future__ import annotations

import itertools
import re
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from vision.cmr_values import FieldReading
from vision.field_values import parse_count
from vision.key_values import DISAGREE_CAP, Reread, rows
from vision.numbered_goods import read_goods_lines
from vision.ocr import BBox, Word
from vision.trade_labels import code_part, parse_decimal

Parser = Callable[[str], str | None]

_NUMBER_ONLY = re.compile(r"[\d.,' ]*\d[\d.,' ]*")
"""An anchor cell holds a number and nothing else (a header row in another script may hold a stray digit)."""
ANCHOR_CONFIDENCE = 0.2
"""An anchor read less surely is noise, not an item (a header row in another script); an item's row also holds
a number in some other column (a header row's noise rarely does twice). A clean `5317.6` read 0.34."""
ROW_CONFIDENCE = 0.6
"""An item row is English and digits, which the page pass reads surely; a header row in Georgian is not."""
_END = re.compile(r"\btotal\b|итого|სულ|\w:", re.IGNORECASE)
"""A row holding a label (`Total / Итого:`) ends the table: cells carry no colons."""


def parse_hs_code(text: str) -> str | None:
    """An HS code of 4, 6, 8 or 10 digits (heading, subheading, national lines), dots and spaces dropped
    ('0901.21' -> '090121')."""
    digits = re.sub(r"[\s.]", "", text)
    return digits if re.fullmatch(r"\d{4}|\d{6}|\d{8}|\d{10}", digits) else None


UNITS = frozenset({"PCS", "PC", "KG", "G", "T", "TNE", "CTN", "BOX", "SET", "PR", "DZ", "L", "LTR", "M", "MTR", "M2",
                   "M3", "PAL", "BAG", "ROL", "NAR", "PK"})
"""Units of measure invoices print (UN/ECE Recommendation 20 codes and their common short forms)."""


def parse_unit(text: str) -> str | None:
    """A unit of measure as printed: up to four capitals or digits (`PCS`, `KG`, `M2`)."""
    found = re.fullmatch(r"\s*([A-Z][A-Z0-9]{0,3})\s*", text)
    return found.group(1) if found else None


_LOOK_ALIKES = {"I": "TL1", "1": "IL", "L": "I", "0": "O", "O": "0Q", "5": "S", "8": "B", "N": "M", "M": "N"}
"""Letters Tesseract confuses in small capitals (`CIN` for `CTN`)."""


def _unit_look_alike(unit: str) -> str:
    """The one common unit a single look-alike letter away from `unit` (`CIN` -> `CTN`), else `unit` as read."""
    near = {unit[:i] + other + unit[i + 1:] for i, ch in enumerate(unit) for other in _LOOK_ALIKES.get(ch, "")} & UNITS
    return near.pop() if len(near) == 1 else unit


def parse_text(text: str) -> str | None:
    """A description: the words as printed, spacing collapsed."""
    collapsed = " ".join(text.split())
    return collapsed or None


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    """A regular expression for the column's English header."""
    parse: Parser
    numeric: bool = True
    """Read again with the item's other numbers (descriptions are not: they wrap)."""


@dataclass(frozen=True)
class Table:
    columns: tuple[Column, ...]
    anchor: str
    """The column whose number marks each item's row."""
    lines: Callable[[Sequence[Word], Reread | None], dict[str, FieldReading]] | None = None
    """The reader of the same kind's goods printed as numbered lines, for a page with no such table (EUR.1)."""

    def column(self, key: str) -> Column:
        return next(column for column in self.columns if column.key == key)


DESCRIPTION = Column("description", r"^description", parse_text, numeric=False)
HS_CODE = Column("hs_code", r"^hs\s*code", parse_hs_code)
QUANTITY = Column("quantity", r"^[a-z]?ty\.?$", parse_count)
UNIT = Column("unit", r"^unit$", parse_unit)
NET_KG = Column("net_kg", r"^net,?\s*k\w\b", parse_decimal)
GROSS_KG = Column("gross_kg", r"^gross,?\s*k\w\b", parse_decimal)
"""A weight column's unit may read `ke` or `kq`; `Gross mass (kg)` (the EUR.1's box 9, no table) must not match."""

def parse_code(text: str) -> str | None:
    """A short code printed in a cell (marks `GE-01`, an invoice number): one token, in capitals (small print reads
    `Exp-2025...` for `EXP-2025...`), `O` and `0` put right by position (`R0-2026-37150`, `IT-O1`)."""
    token = text.strip().upper()
    if not re.fullmatch(r"[\w/.\-]{2,24}", token):
        return None
    parts = re.split(r"([/.\-])", token)
    return "".join(code_part(part, prefix=i == 0 and len(parts) > 1) if i % 2 == 0 else part
                   for i, part in enumerate(parts))


INVOICE_TABLE = Table((DESCRIPTION, HS_CODE, QUANTITY, UNIT, Column("unit_price", r"^unit\s*price", parse_decimal),
                       Column("amount", r"^amount$", parse_decimal), NET_KG, GROSS_KG), anchor="amount")
COO_TABLE = Table((Column("marks", r"^marks", parse_code), DESCRIPTION, HS_CODE, QUANTITY, GROSS_KG,
                   Column("invoice", r"^invoice\s*no", parse_code)), anchor="gross_kg", lines=read_goods_lines)


def _header_row(table: Table, row_words: Sequence[Sequence[Word]]) -> dict[str, int] | None:
    """Column key -> left edge, from the row naming the most columns (at least half of them)."""
    best: dict[str, int] = {}
    for words in row_words:
        found: dict[str, int] = {}
        ordered = sorted(words, key=lambda w: w.box[0])
        for column in table.columns:
            pattern = re.compile(column.header, re.IGNORECASE)
            for i, word in enumerate(ordered):
                if column.key in found:
                    break
                for j in range(i + 1, min(i + 4, len(ordered)) + 1):
                    if pattern.search(re.sub(r"[^\w\s,]", "", " ".join(w.text for w in ordered[i:j]))):
                        found[column.key] = word.box[0]
                        break
        if len(found) > len(best):
            best = found
    return best if len(best) * 2 >= len(table.columns) and table.anchor in best else None


def _straddles(word: Word, edges: Sequence[tuple[int, str]]) -> bool:
    """A word reaching well into the next column: two cells read as one (`2825405274`, an HS code and a quantity)."""
    height = word.box[3] - word.box[1]
    return any(word.box[0] < left < word.box[2] - height for left, _ in edges)


def _column_of(word: Word, edges: Sequence[tuple[int, str]]) -> str | None:
    centre = (word.box[0] + word.box[2]) / 2
    owner = None
    for left, key in edges:
        if centre >= left:
            owner = key
    return owner


def _cells(words: Sequence[Word], edges: Sequence[tuple[int, str]]) -> dict[str, list[Word]]:
    """Each column's words in reading order (line by line, left to right)."""
    cells: dict[str, list[Word]] = {}
    for row in rows(words):
        for word in sorted(row, key=lambda w: w.box[0]):
            key = _column_of(word, edges)
            if key is not None:
                cells.setdefault(key, []).append(word)
    return cells


def _is_number(table: Table, key: str, words: Sequence[Word]) -> bool:
    """The cell holds a number and nothing else, and its column's parser takes it."""
    column = next((c for c in table.columns if c.key == key), None)
    text = _text(words)
    return bool(words) and column is not None and column.numeric and bool(_NUMBER_ONLY.fullmatch(text)) and bool(
        column.parse(text))


def _is_item_row(table: Table, row: Sequence[Word], anchor: Sequence[Word], edges: Sequence[tuple[int, str]]) -> bool:
    """A number in the anchor column, another in some other column, and the row read surely (see the constants).
    Beside numbers in two other columns the anchor need only look like a number, however unsurely read (a
    certificate's `5 317,6` read at 0, `945,0` read `945.0.`): its value is then the re-read's, unless a check
    vouches for it at most `DISAGREE_CAP`."""
    if statistics.median(w.confidence for w in row) < ROW_CONFIDENCE or not _NUMBER_ONLY.fullmatch(_text(anchor)):
        return False
    numbers = sum(_is_number(table, key, cell) for key, cell in _cells(row, edges).items() if key != table.anchor)
    return numbers >= 2 or (numbers == 1 and _is_number(table, table.anchor, anchor)
                            and min(w.confidence for w in anchor) >= ANCHOR_CONFIDENCE)


def _text(words: Sequence[Word]) -> str:
    return " ".join(word.text for word in words)


def read_items(table: Table, words: Sequence[Word], reread: Reread | None = None) -> dict[str, FieldReading]:
    """Every item's cells as `item_<n>_<column>` fields; with no table headers, the `Table.lines` reader's (or none)."""
    row_words = rows(words)
    header_index = None
    header: dict[str, int] | None = None
    for i in range(len(row_words)):
        named = _header_row(table, row_words[i:i + 1])
        if named is not None and (header is None or len(named) > len(header)):
            header, header_index = named, i
    if header is None or header_index is None:
        return table.lines(words, reread) if table.lines is not None else {}
    edges = sorted((left - 20, key) for key, left in header.items())
    table_left = edges[0][0]
    anchors: list[tuple[float, list[Word]]] = []
    body: list[Word] = []
    for row in row_words[header_index + 1:]:
        inside = [w for w in row if w.box[2] > table_left]
        if not inside:
            continue
        if anchors and _END.search(_text(inside)):  # header rows in other scripts may read as anything
            break
        body.extend(inside)
        anchor = [w for w in inside if _column_of(w, edges) == table.anchor]
        if _is_item_row(table, inside, anchor, edges):
            anchors.append((statistics.mean((w.box[1] + w.box[3]) / 2 for w in anchor), anchor))
    found: dict[str, FieldReading] = {}
    centres = [centre for centre, _ in anchors]
    for n, (centre, anchor) in enumerate(anchors, start=1):
        # a cell's lines are centred on its row, so the row reaches half-way to the nearer neighbour
        gaps = [abs(centre - other) for other in centres[max(0, n - 2):n + 1] if other != centre]
        reach = min(gaps) / 2 if gaps else 1.5 * max(w.box[3] - w.box[1] for w in anchor)
        band = [w for w in body if abs((w.box[1] + w.box[3]) / 2 - centre) < reach]
        found.update(_item(table, n, _cells(band, edges), edges, reread, _suspects(table, header)))
    return found


def _suspects(table: Table, header: dict[str, int]) -> frozenset[str]:
    """Columns whose right-hand neighbour's header was not found: that neighbour's cells land in them
    (an HS code and the quantity after it read as `2825405274`)."""
    keys = [column.key for column in table.columns]
    return frozenset(before for before, after in itertools.pairwise(keys)
                     if before in header and after not in header)


def _item(table: Table, n: int, cells: dict[str, list[Word]], edges: Sequence[tuple[int, str]],
          reread: Reread | None, suspects: frozenset[str]) -> dict[str, FieldReading]:
    numbers = [w for column in table.columns if column.numeric for w in cells.get(column.key, [])]
    again: dict[str, list[Word]] = {}
    if reread is not None and numbers:
        box: BBox = (min(w.box[0] for w in numbers), min(w.box[1] for w in numbers),
                     max(w.box[2] for w in numbers), max(w.box[3] for w in numbers))
        again = _cells(reread(box, "eng"), edges)
    # a row missing a cell lost it into a neighbour: trust none of it, unless the re-read found that cell; the cells
    # it does not re-read (descriptions) stay unsure all the same, since nothing read them twice
    whole = all(key in cells for _, key in edges)
    mended = all(key in cells or key in again for _, key in edges)
    found: dict[str, FieldReading] = {}
    for column in table.columns:
        # a cell only the re-read found (the quick pass's box for `62` reached into the unit's column) is unsure
        first = cells.get(column.key) or again.get(column.key)
        if not first:
            continue
        unsure = not (mended if column.numeric else whole) or column.key in suspects or any(
            _straddles(word, edges) for word in first)
        value = column.parse(_text(first))
        confidence = min(w.confidence for w in first)
        second = again.get(column.key)
        if second:
            value_again = column.parse(_text(second))
            if value_again is not None and value_again != value:
                value, confidence = value_again, min(min(w.confidence for w in second), DISAGREE_CAP)
            elif value_again is not None:
                confidence = max(confidence, min(w.confidence for w in second))
        elif column.numeric and reread is not None:
            confidence = min(confidence, DISAGREE_CAP)
        if value is not None:
            if column.key == "unit" and value not in UNITS:  # `CIN` for `CTN`: a misread, put right when it can be
                value = _unit_look_alike(value)
                unsure = True
            if unsure or column.key not in cells:
                confidence = min(confidence, DISAGREE_CAP)
            found[f"item_{n}_{column.key}"] = FieldReading(value, confidence)
    return found
