"""The fields of an upright CMR page, read zone by zone: the four the kiosk's flow uses and seven more boxes.

Each field's box is found in the page's ruling (`vision.form_cells`), so publishers' layouts that
move the boxes still read; a page whose ruling cannot be followed falls back to the classic IRU
geometry of `vision.cmr_layout`. The label band is cut off, and only the content is read, by the
engine the field is configured for; what the text means is `vision.cmr_values`' job. Parties and
places are read per script (`vision.scripts`): a first pass with one language per script says which
script the zone is in, and only that script's languages read it again. Zones are read in two threads:
a warm Tesseract call drops the GIL (ctypes), so the threads use both cores.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from vision.address_words import repair_address_words
from vision.cmr_layout import FIELD_AREAS, LABEL_LINE_MM, PAGE_WIDTH_MM
from vision.cmr_values import (
    UNCHECKED_CAP,
    cmr_number,
    comma_before_country,
    compact_dates,
    count,
    goods_lines,
    hs_codes,
    plate,
    plausible_address,
    plausible_place_and_date,
    unspilled,
    weight,
)
from vision.cmr_values import FieldReading as FieldReading  # re-exported: every reader returns it
from vision.form_cells import GOODS_ROW, Cell, content_top, find_cells, locate_cmr_boxes, text_bands
from vision.ocr import Layout, Line, OcrEngine, OcrText, engine_for
from vision.plates import fits_a_shape
from vision.scripts import (
    Script,
    dominant_script,
    first_pass_langs,
    letter_counts,
    page_scripts,
    repair_lookalikes,
    script_langs,
    second_pass_langs,
    standard_letters,
    unreadable_letters,
)

ZONE_MARGIN_MM = 0.8
"""Kept away from the box's ruled lines, which OCR would read as '|' or 'l'."""
CONTENT_PAD_MM = 1.8
"""How far printed content starts inside a box's ruling: goods lines wrap at the box's width less twice this."""
NUMBER_OFFSET_MM = (40.0, 12.0)
"""Where the CMR number starts inside the title block (right of the large "CMR", below the three titles)."""
GOODS_LABEL_MM = 3 * LABEL_LINE_MM + 0.6
"""Boxes 6 to 12 print their label on three lines on every layout; their content starts below that. Found
from the ink instead, a Georgian label line (tall with its ascenders) passed for content, and a goods
line of small print without ascenders for a label."""
ZONE_THREADS = 2
"""One zone per core: more threads would only contend for the box's two cores and warm more engines."""

COUNT_VIEWS: tuple[tuple[float, float], ...] = ((1.0, 0.0), (2.0, 1.7), (1.5, 0.0))
"""(scale, white border in mm) of each view a lone number is read in. Tesseract misreads a number or two
in a small crop however it is shown ('7' as 'y' or nothing, '23' as '20', '32' as 'isPs'), each time in
another view, so the views vote."""


SURE_FIRST_PASS = 0.9
"""A first pass this sure of every word, in one script, needs no second read (mostly plain ASCII)."""
FIRST_PASS_SCALE = 0.6
"""The script-finding pass reads the zone at ~180 dpi: letters stay legible, Tesseract works on 0.36 of the pixels."""


LABEL_GAP_PX = 6
"""Paper kept above the first content line when a label line the first pass found is cut off before the second."""


def _label_words(name: str) -> re.Pattern[str] | None:
    """The first word of each language's label ('Sender', 'Отправитель', 'გამგზავნი'), to drop a label line OCR kept."""
    words = [part.split()[0] for part in FIELD_AREAS[name].label_parts if part]
    return re.compile("|".join(re.escape(word) for word in words), re.IGNORECASE) if words else None


def _unlabelled(text: OcrText, label: re.Pattern[str] | None) -> list[Line]:
    """The lines of `text` without the leading ones that are the box's printed label (a label band the cut missed)."""
    kept = list(text.lines)
    while label is not None and kept and label.search(kept[0].text):
        kept.pop(0)
    return kept


def _address(text: OcrText, label: re.Pattern[str] | None = None) -> FieldReading:
    """Lines joined with ', '; leading lines that are the box's printed label dropped."""
    kept = _unlabelled(text, label)
    lines = (re.sub(r"\s+", " ", line.text).strip(" ,") for line in kept)
    confidence = min((word.confidence for line in kept for word in line.words), default=0.0)
    return FieldReading(", ".join(line for line in lines if line), confidence)


MIN_LINE_MM = 1.2
"""An ink band shorter than this is a speck or a rule, not a line of text OCR should have given back."""


def _lost_a_line(image: np.ndarray, text: OcrText, px_per_mm: float) -> bool:
    """Whether OCR gave back fewer lines than `image` has lines of ink: it dropped one (a blurred first line,
    read at 0.6 scale with every word sure) and the address is short of it."""
    bands = [band for band in text_bands(image, px_per_mm, INK_LEVEL) if band[1] - band[0] >= MIN_LINE_MM * px_per_mm]
    return len(text.lines) < len(bands)


def read_address(zone: np.ndarray, engine: OcrEngine, langs: str, label: re.Pattern[str] | None = None,
                 px_per_mm: float = 300 / 25.4) -> FieldReading:
    """A party's name and address (or a place), read with the languages of its own script only.

    When the page's languages span one script, one read with them. Else a first pass with one language
    per script finds the zone's script, and the zone is read again with that script's languages
    (`vision.scripts.second_pass_langs`), unless the first pass was sure of every word, saw one script
    only and no better language set is known (a Latin address naming its country gets that country's).
    Confused legal forms and street words are put back (`vision.address_words`); an address in a language
    whose letters the languages it was read with lack is capped (`vision.scripts.unreadable_letters`).
    """
    scripts = page_scripts(langs)
    if len(scripts) == 1:
        text = engine.read(zone, langs=langs, layout="block")
        return _finish(_address(text, label), None, langs, _lost_a_line(zone, text, px_per_mm))
    first_langs = first_pass_langs(scripts)
    small = cv2.resize(zone, None, fx=FIRST_PASS_SCALE, fy=FIRST_PASS_SCALE, interpolation=cv2.INTER_AREA)
    first = engine.read(small, langs=first_langs, layout="block")
    content = _unlabelled(first, label)
    # a kept label band (Georgian and Russian over a Latin address) must not choose the script, nor be read again
    script = dominant_script("\n".join(line.text for line in content))
    if script is None:
        return _finish(_address(first, label), None, first_langs, _lost_a_line(zone, first, px_per_mm))
    text, read_with, image = first, first_langs, zone
    again = second_pass_langs(script, first.text, langs)
    sure = len(letter_counts(first.text)) == 1 and first.confidence >= SURE_FIRST_PASS
    if again and (not sure or again != script_langs(script, langs)):  # none: the page lists no language of it
        if content and len(content) < len(first.lines):
            image = zone[max(0, round(content[0].box[1] / FIRST_PASS_SCALE) - LABEL_GAP_PX) :]
        text, read_with = engine_for(again, engine.name).read(image, langs=again, layout="block"), again
    return _finish(_address(text, label), script, read_with, _lost_a_line(image, text, px_per_mm))


def _finish(reading: FieldReading, script: Script | None, langs: str, lost_a_line: bool = False) -> FieldReading:
    """The address with look-alikes, confused address words, split dates and Romanian letters put back; capped when
    `langs`, the languages it was read with, lack its country's own letters, or OCR lost a line."""
    value = repair_lookalikes(reading.value, script) if script else reading.value
    value = standard_letters(comma_before_country(compact_dates(repair_address_words(value))), langs)
    unsure = lost_a_line or unreadable_letters(value, langs)
    return FieldReading(value, min(reading.confidence, UNCHECKED_CAP) if unsure else reading.confidence)


Interpret = Callable[[OcrText], FieldReading]


@dataclass(frozen=True)
class FieldSpec:
    """How a field is read: its zone's layout, its own languages (None: the page's, per script, as an
    address), and how its text becomes the value."""

    layout: Layout
    langs: str | None = None
    interpret: Interpret | None = None
    trim: bool = True
    """Cut the zone to its ink first (`_trim`); the plate reads best with its box's full width."""
    views: int = 1
    """How many of `COUNT_VIEWS` to read and vote over (a lone number in a small crop)."""
    engine: str = "tesseract"
    """The engine that reads it unless the caller chooses another (`read_fields(engines=...)`)."""
    cross_check: str | None = None
    """A second engine whose reading, when it differs and also passes the field's `check`, caps the first's: two
    engines that each see a valid but different value (`40 Y 740`, `40 JY 740`) leave it to the driver."""
    check: Callable[[str], bool] | None = None
    """What a right value always satisfies: an address-like field failing it is capped at `UNCHECKED_CAP`; a
    `cross_check` reading failing it does not count."""


FIELD_SPECS: dict[str, FieldSpec] = {
    "goods": FieldSpec("block", "eng"),  # with statistical_number: box 10 says how many goods lines box 9 holds
    "sender": FieldSpec("block", check=plausible_address),
    "consignee": FieldSpec("block", check=plausible_address),
    "carrier": FieldSpec("block", check=plausible_address),
    "taking_over": FieldSpec("block", check=plausible_place_and_date),
    "place_of_delivery": FieldSpec("block", check=plausible_address),
    # the plate in Latin letters and digits (Russian plates use Latin look-alikes); RapidOCR's recogniser read
    # 24 of 25 scanned plates where Tesseract read 19 (`38-6 7759`, `YOT` for `YDT`, `EPE:.985`)
    "vehicle_plate": FieldSpec("line", "eng", plate, trim=False, engine="rapidocr", cross_check="tesseract",
                               check=fits_a_shape),
    "gross_weight_kg": FieldSpec("block", "eng", weight),
    "cmr_number": FieldSpec("block", "eng", cmr_number),
    "packages": FieldSpec("line", "eng", count, views=len(COUNT_VIEWS)),
    "statistical_number": FieldSpec("block", "eng", hs_codes),
}
"""Every field read, longest zone first (the zone threads finish together). Names are the truth's box keys,
but for `vehicle_plate` (box 16's registration area, the truck's plate) and `gross_weight_kg` (box 11, digits)."""
FIELD_NAMES: tuple[str, ...] = tuple(FIELD_SPECS)
CUSTOMS_FIELDS = ("sender", "consignee", "vehicle_plate", "gross_weight_kg")
"""The four fields the kiosk's CMR flow started with; their names and value forms are a contract."""


def _fixed_zone(page: np.ndarray, name: str) -> np.ndarray:
    height, width = page.shape
    left, top, right, bottom = FIELD_AREAS[name].content_rect.inset(ZONE_MARGIN_MM).to_pixels(width, height)
    return page[top:bottom, left:right]


def _cell_zone(page: np.ndarray, cell: Cell, px_per_mm: float, *, goods_row: bool = False) -> np.ndarray:
    margin = round(ZONE_MARGIN_MM * px_per_mm)
    crop = page[cell.top + margin : cell.bottom - margin, cell.left + margin : cell.right - margin]
    if goods_row:
        return crop[round((GOODS_LABEL_MM - ZONE_MARGIN_MM) * px_per_mm) :]
    return crop[content_top(crop, px_per_mm) :]


def _number_zone(page: np.ndarray, title: Cell, px_per_mm: float) -> np.ndarray:
    dx, dy = (round(mm * px_per_mm) for mm in NUMBER_OFFSET_MM)
    margin = round(ZONE_MARGIN_MM * px_per_mm)
    return page[title.top + dy : title.bottom - margin, title.left + dx : title.right - margin]


def _clean(zone: np.ndarray) -> np.ndarray:
    """Even out light across the zone and smooth sensor noise, so OCR's own binarisation holds."""
    if zone.size == 0:
        return zone
    background = cv2.morphologyEx(zone, cv2.MORPH_CLOSE, np.ones((15, 15), np.uint8))
    flat = cv2.divide(zone, background, scale=255)
    return cv2.medianBlur(flat, 3)


def zones(page: np.ndarray, cells: Mapping[str, Cell] | None = None) -> dict[str, np.ndarray]:
    """Each field's content area: from the ruling when it can be followed, else the classic geometry.

    `cells` are the boxes `locate_cmr_boxes` found, when the caller has looked already.
    """
    px_per_mm = page.shape[1] / PAGE_WIDTH_MM
    if cells is None:
        cells = locate_cmr_boxes(find_cells(page))
    found = {name: _cell_zone(page, cells[name], px_per_mm, goods_row=name in GOODS_ROW)
             for name in FIELD_NAMES if name in cells}
    if "title" in cells:
        found["cmr_number"] = _number_zone(page, cells["title"], px_per_mm)
    return {name: found[name] if name in found else _fixed_zone(page, name) for name in FIELD_NAMES}


INK_LEVEL = 192
"""Darker than this on a cleaned zone (paper at 255) is ink: a blurred camera page's text stays near 150."""
MIN_INK_PX = 20
"""A zone with fewer ink pixels than this is an empty box: OCR would only make something up in it."""
TRIM_PAD_MM = 1.0


def _trim(zone: np.ndarray, px_per_mm: float) -> np.ndarray:
    """The zone cut to its ink with a little paper around: Tesseract finds a lone digit in a tall empty box
    ('7' in box 7) only when the box is not mostly paper, and reads less paper faster."""
    ink = zone < INK_LEVEL
    if int(np.count_nonzero(ink)) < MIN_INK_PX:
        return zone[:0]
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    pad = round(TRIM_PAD_MM * px_per_mm)
    return zone[max(0, rows[0] - pad) : rows[-1] + pad + 1, max(0, cols[0] - pad) : cols[-1] + pad + 1]


def _prepare(zone: np.ndarray, spec: FieldSpec, px_per_mm: float) -> np.ndarray:
    """What OCR gets: nothing for an empty box, else the zone, trimmed to its ink unless its field says not."""
    trimmed = _trim(zone, px_per_mm)
    if trimmed.size == 0 or not spec.trim:
        return zone if trimmed.size else trimmed
    return trimmed


def _view(zone: np.ndarray, scale: float, border_mm: float, px_per_mm: float) -> np.ndarray:
    border = round(border_mm * px_per_mm)
    framed = cv2.copyMakeBorder(zone, border, border, border, border, cv2.BORDER_CONSTANT, value=255)
    return framed if scale == 1.0 else cv2.resize(framed, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)


def _vote(readings: list[FieldReading]) -> FieldReading:
    """The value most views gave (a tie: the surest), at its surest confidence; capped when views disagree."""
    numbers = [reading for reading in readings if reading.value and reading.confidence > UNCHECKED_CAP]
    if not numbers:
        return max(readings, key=lambda reading: reading.confidence)
    votes = {value: [r.confidence for r in numbers if r.value == value] for value in {r.value for r in numbers}}
    value = max(votes, key=lambda v: (len(votes[v]), max(votes[v])))
    confidence = max(votes[value]) if len(votes) == 1 else min(max(votes[value]), UNCHECKED_CAP)
    return FieldReading(value, confidence)


def cross_checked(reading: FieldReading, other: str, check: Callable[[str], bool] | None) -> FieldReading:
    """`reading`, capped when another engine read a different value that also passes the field's `check`."""
    if other != reading.value and (check is None or check(other)):
        return FieldReading(reading.value, min(reading.confidence, UNCHECKED_CAP))
    return reading


def _readable(zone: np.ndarray) -> bool:
    return zone.size > 0 and min(zone.shape) >= 8


def read_fields(
    page: np.ndarray,
    *,
    langs: str = "eng",
    engines: Mapping[str, str] | None = None,
    cells: Mapping[str, Cell] | None = None,
    names: Collection[str] = FIELD_NAMES,
) -> dict[str, FieldReading]:
    """The fields `names` (default: every field of `FIELD_SPECS`) of an upright CMR; `engines` maps a field to
    its preferred OCR engine. Unknown names are refused (ValueError) before anything is read."""
    unknown = sorted(set(names) - set(FIELD_NAMES))
    if unknown:
        raise ValueError(f"no CMR field named {', '.join(unknown)} (known: {', '.join(FIELD_NAMES)})")
    wanted = {*names, "statistical_number"} if "goods" in names else set(names)
    px_per_mm = page.shape[1] / PAGE_WIDTH_MM
    cleaned = {name: _clean(zone) for name, zone in zones(page, cells).items() if name in wanted}
    areas = {name: _prepare(zone, FIELD_SPECS[name], px_per_mm) for name, zone in cleaned.items()}
    chosen = engines or {}

    def ocr(name: str, image: np.ndarray | None = None, engine_name: str | None = None) -> OcrText:
        spec = FIELD_SPECS[name]
        field_langs = spec.langs or langs
        engine = engine_for(field_langs, engine_name or chosen.get(name, spec.engine))
        return engine.read(areas[name] if image is None else image, langs=field_langs, layout=spec.layout)

    def read_one(name: str) -> FieldReading:
        spec = FIELD_SPECS[name]
        if not _readable(areas[name]):
            return FieldReading("", 0.0)
        if spec.interpret is not None and spec.views > 1:
            views = (_view(areas[name], scale, border, px_per_mm) for scale, border in COUNT_VIEWS[: spec.views])
            return _vote([spec.interpret(ocr(name, view)) for view in views])
        if spec.interpret is not None:
            reading = spec.interpret(ocr(name))
            if spec.cross_check is None or chosen.get(name, spec.engine) == spec.cross_check:
                return reading
            return cross_checked(reading, spec.interpret(ocr(name, engine_name=spec.cross_check)).value, spec.check)
        engine = engine_for(langs, chosen.get(name, spec.engine))
        reading = read_address(areas[name], engine, langs, _label_words(name), px_per_mm)
        if spec.check is not None and not spec.check(reading.value):
            return FieldReading(reading.value, min(reading.confidence, UNCHECKED_CAP))
        return reading

    def read(name: str) -> list[tuple[str, FieldReading]]:
        if name != "goods":
            return [(name, read_one(name))]
        codes = read_one("statistical_number")
        items = len(codes.value.split(", ")) if codes.value else None
        lines = ocr("goods").lines if _readable(areas["goods"]) else ()
        width = cleaned["goods"].shape[1] - round(2 * (CONTENT_PAD_MM - ZONE_MARGIN_MM) * px_per_mm)
        return [("statistical_number", codes), ("goods", unspilled(goods_lines(lines, width, items), codes))]

    with ThreadPoolExecutor(max_workers=ZONE_THREADS, thread_name_prefix="ocr-zone") as pool:
        tasks = [name for name in FIELD_NAMES if name in names and name != "statistical_number"]
        if "statistical_number" in names and "goods" not in names:
            tasks.append("statistical_number")
        results = dict(pair for pairs in pool.map(read, tasks) for pair in pairs)
    return {name: results[name] if results[name].value else FieldReading("", 0.0)
            for name in FIELD_NAMES if name in names}


def truth_value(truth: Mapping[str, Any], name: str) -> str | None:
    """What a generated page's truth says field `name` should read, in the reader's form (tests, benchmarks).

    The four customs fields are the truth's `fields`; the others its `boxes` as printed (lines joined
    with ', '). None when the page does not print the field.
    """
    if name in truth.get("fields", {}):
        return str(truth["fields"][name])
    value = truth.get("boxes", {}).get(name)
    if name not in FIELD_SPECS or not value:
        return None
    return str(value)
