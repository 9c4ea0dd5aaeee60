"""The CMR form's geometry in each layout variant: the classic table of `vision.cmr_layout`, and others.

The classic layout is the one the zonal reader crops from, so it is taken as-is from
`cmr_layout`. The other variants keep the IRU model's 24 numbered boxes and their reading order
but move and resize them, as the forms printed by different publishers do.
"""

from __future__ import annotations

from dataclasses import dataclass

from vision import cmr_layout
from vision.cmr_layout import Box, Rect


@dataclass(frozen=True)
class CmrForm:
    """Where the title block, every numbered box and the vehicle-registration area are printed."""

    title: Rect
    boxes: tuple[Box, ...]
    vehicle_reg: Box
    label_order: tuple[int, ...] = (0, 1, 2)
    """The order of the (English, Russian, Georgian) label parts on the classic form (the varied ones vary)."""


CLASSIC = CmrForm(cmr_layout.TITLE_RECT, cmr_layout.BOXES, cmr_layout.VEHICLE_REG)

_LABELS = {box.number: (box.key, box.label) for box in cmr_layout.BOXES if box.number is not None}


@dataclass(frozen=True)
class _Grid:
    left: float
    split: float
    right: float
    top: float
    left_rows: tuple[float, ...]  # heights of boxes 1..5
    right_rows: tuple[float, ...]  # heights of the title block, 16, 17, 18 (sum equals left_rows')
    goods_h: float
    goods_cols: tuple[float, ...]  # relative widths of boxes 6..12
    lower_left: tuple[float, ...]  # 13, 14, 15
    lower_right: tuple[float, ...]  # 19, 20 (sum equals lower_left's)
    established_h: float
    signatures_h: float
    label_lines: int


def _box(number: int, rect: Rect, lines: int, sub_areas: tuple[Box, ...] = ()) -> Box:
    key, label = _LABELS[number]
    return Box(number, key, label, rect, lines, sub_areas)


def _build(grid: _Grid, label_order: tuple[int, ...]) -> CmrForm:
    half_l = grid.split - grid.left
    half_r = grid.right - grid.split
    boxes: list[Box] = []
    y = grid.top
    for number, h in zip((1, 2, 3, 4, 5), grid.left_rows, strict=True):
        boxes.append(_box(number, Rect(grid.left, y, half_l, h), grid.label_lines))
        y += h
    goods_top = y
    y = grid.top
    title = Rect(grid.split, y, half_r, grid.right_rows[0])
    y += grid.right_rows[0]
    carrier_h = grid.right_rows[1]
    vehicle_rect = Rect(grid.split, y + carrier_h - 12.0, half_r, 12.0)
    vehicle = Box(None, "vehicle_reg", cmr_layout.VEHICLE_REG.label, vehicle_rect)
    boxes.append(_box(16, Rect(grid.split, y, half_r, carrier_h), grid.label_lines, (vehicle,)))
    y += carrier_h
    for number, h in zip((17, 18), grid.right_rows[2:], strict=True):
        boxes.append(_box(number, Rect(grid.split, y, half_r, h), grid.label_lines))
        y += h
    total = sum(grid.goods_cols)
    x = grid.left
    for number, share in zip(range(6, 13), grid.goods_cols, strict=True):
        w = (grid.right - grid.left) * share / total
        boxes.append(_box(number, Rect(x, goods_top, w, grid.goods_h), 3))
        x += w
    y = goods_top + grid.goods_h
    for number, h in zip((13, 14, 15), grid.lower_left, strict=True):
        boxes.append(_box(number, Rect(grid.left, y, half_l, h), grid.label_lines))
        y += h
    y = goods_top + grid.goods_h
    for number, h in zip((19, 20), grid.lower_right, strict=True):
        boxes.append(_box(number, Rect(grid.split, y, half_r, h), grid.label_lines))
        y += h
    boxes.append(_box(21, Rect(grid.left, y, grid.right - grid.left, grid.established_h), grid.label_lines))
    y += grid.established_h
    third = (grid.right - grid.left) / 3
    for i, number in enumerate((22, 23, 24)):
        boxes.append(_box(number, Rect(grid.left + i * third, y, third, grid.signatures_h), 3))
    boxes.sort(key=lambda box: box.number or 0)
    return CmrForm(title, tuple(boxes), vehicle, label_order)


FORMS: dict[str, CmrForm] = {
    "iru-classic": CLASSIC,
    "iru-compact": _build(
        _Grid(left=8.0, split=100.0, right=202.0, top=8.0, left_rows=(28.0, 30.0, 14.0, 14.0, 14.0),
              right_rows=(24.0, 34.0, 14.0, 28.0), goods_h=56.0, goods_cols=(22, 14, 18, 62, 20, 26, 18),
              lower_left=(22.0, 12.0, 10.0), lower_right=(14.0, 30.0), established_h=12.0, signatures_h=48.0,
              label_lines=1),
        (0, 1, 2),
    ),
    "iru-ruled": _build(
        _Grid(left=12.0, split=108.0, right=198.0, top=14.0, left_rows=(32.0, 32.0, 16.0, 18.0, 16.0),
              right_rows=(32.0, 36.0, 16.0, 30.0), goods_h=44.0, goods_cols=(24, 16, 20, 56, 24, 26, 16),
              lower_left=(20.0, 12.0, 10.0), lower_right=(12.0, 30.0), established_h=12.0, signatures_h=40.0,
              label_lines=2),
        (1, 0, 2),
    ),
}
"""Layout variant name -> form. `iru-ruled` (two label lines, Russian first) is held out."""

HELD_OUT = frozenset({"iru-ruled"})
