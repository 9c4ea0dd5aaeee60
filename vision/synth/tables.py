"""Line-item tables (invoices, packing lists, certificates): header labels, cells, rules.

Each cell is a ground-truth field named `item_<row>_<column>` (rows from 1), so a reader's
table extraction is scored cell by cell.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from vision.synth.canvas import Canvas
from vision.synth.labels import Langs, label

Rules = Literal["grid", "rows", "none"]


@dataclass(frozen=True)
class Column:
    key: str
    width_mm: float
    align: Literal["left", "right"] = "left"
    label_key: str = ""


WRAP_BELOW_PT = 7.0
"""A left-aligned cell that would shrink below this wraps onto a second line instead."""


def _cell_lines(canvas: Canvas, value: str, pt: float, column: Column) -> tuple[tuple[str, ...], float]:
    """The lines a cell prints and their size: one line shrunk to fit, or two when that gets too small."""
    inner = column.width_mm - 2.0
    single = canvas.fit_pt(value, pt, inner, floor_pt=5.0)
    words = value.split()
    if single >= WRAP_BELOW_PT or column.align == "right" or len(words) < 2:
        return (value,), single
    best: tuple[tuple[str, ...], float] = ((value,), single)
    for cut in range(1, len(words)):
        lines = (" ".join(words[:cut]), " ".join(words[cut:]))
        size = min(canvas.fit_pt(line, pt, inner, floor_pt=5.0) for line in lines)
        if size > best[1]:
            best = (lines, size)
    return best


def draw_table(
    canvas: Canvas,
    x_mm: float,
    y_mm: float,
    columns: list[Column],
    rows: list[dict[str, str]],
    *,
    langs: Langs,
    pt: float = 8.5,
    rules: Rules = "grid",
    header_fill: tuple[int, int, int] | None = None,
) -> float:
    """Draw the table with its top-left at the point; returns the y of its bottom edge."""
    width = sum(column.width_mm for column in columns)
    header_h = 4.2 * len(langs) + 1.5
    if header_fill is not None:
        canvas.rect(x_mm, y_mm, width, header_h, line_mm=0.2, fill=header_fill)
    col_x = x_mm
    for column in columns:
        parts = label(column.label_key or column.key, langs).split(" / ")
        for i, part in enumerate(parts):
            pt_label = canvas.fit_pt(part, 6.5, column.width_mm - 1.5, "bold", floor_pt=4.0)
            canvas.text(col_x + 0.8, y_mm + 0.8 + i * 4.0, part, pt_label, "bold")
        col_x += column.width_mm
    row_h = pt * 25.4 / 72 * 1.6
    y = y_mm + header_h
    canvas.hline(x_mm, y, width, line_mm=0.3)
    for r, row in enumerate(rows, start=1):
        cells = {column.key: _cell_lines(canvas, row.get(column.key, ""), pt, column) for column in columns}
        height = row_h * max(len(lines) for lines, _ in cells.values())
        col_x = x_mm
        for column in columns:
            lines, cell_pt = cells[column.key]
            name = f"item_{r}_{column.key}"
            line_mm = cell_pt * 25.4 / 72 * 1.25
            top = y + (height - len(lines) * line_mm) / 2
            if column.align == "right":
                canvas.field(name, col_x + column.width_mm - 1.0, top, lines[0], cell_pt, align="right")
            else:
                canvas.field_lines(name, col_x + 1.0, top, lines, cell_pt, line_mm=line_mm, value=" ".join(lines))
            col_x += column.width_mm
        y += height
        if rules != "none":
            canvas.hline(x_mm, y, width, line_mm=0.15)
    if rules == "grid":
        canvas.rect(x_mm, y_mm, width, y - y_mm)
        col_x = x_mm
        for column in columns[:-1]:
            col_x += column.width_mm
            canvas.vline(col_x, y_mm, y - y_mm, line_mm=0.15)
    return y
