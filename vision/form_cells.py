"""The ruled cells of a printed form, found from its lines alone: the zonal reader's map of a page.

Forms from different publishers move and resize the CMR's boxes, but keep their order: box 1 at
the top left, box 2 below it, the title block at the top right with box 16 and its vehicle
registration below, and the goods table's seven columns (boxes 6 to 12) across the page. So the
reader finds cells rather than trusting millimetres: long horizontal and vertical strokes (text
is too short to survive the opening) outline the cells, and each enclosed white region is one.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

WORK_SCALE_PX = 1400
"""The longer side of the copy the lines are found on (~120 dpi for A4): lines survive, cost is small."""
MIN_CELL_SHARE = 0.002
"""Regions smaller than this share of the page are gaps between lines, not cells."""


@dataclass(frozen=True)
class Cell:
    """A ruled cell's inside, in pixels of the page it was found on."""

    left: int
    top: int
    right: int
    bottom: int

    @property
    def width(self) -> int:
        return self.right - self.left

    @property
    def height(self) -> int:
        return self.bottom - self.top


def find_cells(gray: np.ndarray) -> list[Cell]:
    """Every enclosed cell of the page's ruling, top to bottom, then left to right."""
    scale = min(1.0, WORK_SCALE_PX / max(gray.shape))
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else gray
    ink = cv2.adaptiveThreshold(small, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, 12)
    height, width = ink.shape
    across = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, max(10, width // 25)), np.uint8))
    down = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((max(10, height // 40), 1), np.uint8))
    lines = cv2.dilate(cv2.bitwise_or(across, down), np.ones((3, 3), np.uint8))
    count, _, stats, _ = cv2.connectedComponentsWithStats(cv2.bitwise_not(lines), connectivity=4)
    cells = []
    for left, top, w, h, area in stats[1:count]:
        touches_edge = left == 0 or top == 0 or left + w >= width or top + h >= height
        if touches_edge or area < MIN_CELL_SHARE * width * height or area < 0.5 * w * h:
            continue
        cells.append(Cell(round(left / scale), round(top / scale), round((left + w) / scale), round((top + h) / scale)))
    return sorted(cells, key=lambda c: (c.top, c.left))


def _column(cells: list[Cell], left: int, tolerance: int) -> list[Cell]:
    return sorted((c for c in cells if abs(c.left - left) <= tolerance), key=lambda c: c.top)


LEFT_COLUMN = ("sender", "consignee", "place_of_delivery", "taking_over")
"""Boxes 1 to 4, top to bottom."""
RIGHT_COLUMN = ("title", "carrier", "vehicle_plate")
"""The title block (the CMR number), box 16, and box 16's vehicle registration area."""
GOODS_ROW = ("marks", "packages", "packing", "goods", "statistical_number", "gross_weight_kg", "volume")
"""Boxes 6 to 12, left to right, by the names the reader gives them (box 11 is read as `gross_weight_kg`)."""


def locate_cmr_boxes(cells: list[Cell]) -> dict[str, Cell]:
    """The CMR's customs fields by their place in the ruling; an empty dict when it is no CMR grid.

    Keys are the field names of `vision.cmr_layout.FIELD_AREAS` (`LEFT_COLUMN`, `RIGHT_COLUMN`, `GOODS_ROW`),
    with `title` for the title block beside box 1, which says whether this is a CMR and holds its number.
    """
    if len(cells) < 12:
        return {}
    frame_left = min(c.left for c in cells)
    frame_top = min(c.top for c in cells)
    tolerance = max(8, round(0.01 * max(c.right for c in cells)))
    left_column = _column(cells, frame_left, tolerance)
    top_left = [c for c in left_column if abs(c.top - frame_top) <= tolerance]
    if len(left_column) < 2 or not top_left:
        return {}
    sender = top_left[0]
    below = left_column[left_column.index(sender) + 1 :]
    found: dict[str, Cell] = dict(zip(LEFT_COLUMN, [sender, *below], strict=False))
    right_column = _column(cells, sender.right, 3 * tolerance)
    found.update(zip(RIGHT_COLUMN, right_column, strict=False))
    rows: dict[int, list[Cell]] = {}
    for cell in cells:
        key = next((top for top in rows if abs(top - cell.top) <= tolerance), cell.top)
        rows.setdefault(key, []).append(cell)
    goods = [sorted(row, key=lambda c: c.left) for row in rows.values() if len(row) == 7]
    if goods:
        found.update(zip(GOODS_ROW, goods[0], strict=True))
        for name in ("place_of_delivery", "taking_over"):  # boxes 3 and 4 end above the goods row
            if name in found and found[name].top >= goods[0][0].top - tolerance:
                del found[name]
    return found


LABEL_BAND_MAX_MM = 2.4
"""A label line (5.5 pt, with Georgian's ascenders and descenders) stands about 2 mm tall; content
printed at 10.5 pt stands 2.6 mm or more."""


BAND_GAP_MM = 0.3
"""Rows this close to a text line belong to it: the thin tops of capitals and ascenders can drop under the
ink threshold for a row or two, and a line cut there loses its top."""


def text_bands(crop: np.ndarray, px_per_mm: float, ink_below: int = 128) -> list[tuple[int, int]]:
    """The (top, bottom) pixel rows of each line of text in `crop`, found from its row profile of ink (pixels darker
    than `ink_below`)."""
    ink = (crop < ink_below).sum(axis=1)
    in_text = ink > max(1, int(0.01 * crop.shape[1]))
    bands: list[tuple[int, int]] = []
    start = None
    bridge = round(BAND_GAP_MM * px_per_mm)
    for y, on in enumerate([*in_text.tolist(), False]):
        if on and start is None:
            # a row or two of capitals' thin tops under the threshold does not end a line
            start = bands.pop()[0] if bands and y - bands[-1][1] <= bridge else y
        elif not on and start is not None:
            bands.append((start, y))
            start = None
    return [(begin, end) for begin, end in bands if end - begin >= 3]


def content_top(crop: np.ndarray, px_per_mm: float) -> int:
    """The first pixel row of a cell's filled-in content, below its printed label band.

    Labels are printed in a small font at the top of a cell, the content in a larger one below: text
    lines are found from the row profile of ink, and leading lines both shorter than
    `LABEL_BAND_MAX_MM` and clearly shorter than the tallest line are the label.
    """
    bands = text_bands(crop, px_per_mm)
    if not bands:
        return 0
    tallest = max(end - begin for begin, end in bands)
    for begin, end in bands:
        height = end - begin
        if height >= 0.8 * tallest or height > LABEL_BAND_MAX_MM * px_per_mm:
            return max(0, begin - round(0.5 * px_per_mm))
    return int(crop.shape[0])
