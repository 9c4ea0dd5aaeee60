"""Reading the machine readable zone of a passport or ID card, trusted only as far as its check digits.

The zone is found before anything is read (`find_bands`): on a copy about 1000 px wide, ink joined
along rows makes each printed line one long, flat blob, and the zone is two or three such lines of
one height stacked at one pitch, starting at one left edge, each at least `MIN_LINE_ASPECT` times
as long as tall. Only those bands are read, so a card anywhere on an A4 copy costs a strip of
OCR, not the page (the whole page read at 1700 px took 0.5-1.4 s). A band is read the way up the
ink around it suggests (the document's body lies above its zone), then, unless the check digits
all hold, turned over: the reading with more check digits holding says which way up the page is.

Tesseract reads a band restricted to the MRZ alphabet; the last lines of 30 (TD1) or 44 (TD3)
characters are taken, and where a field that must
be digits holds a letter OCR confuses with a digit (O/0, I/1, B/8, S/5, Z/2, G/6), the digit is put
back before `vision.icao9303` checks it. A field is only as sure as what vouches for it (`_confidence`): its
check digit when the whole zone holds and no rival reading disputes it (`Parse`) and, for a document number
holding a character the check cannot tell from its look-alike, a second reading agrees; a field without a
check digit, a second reading agreeing. Right readings so score above wrong ones, field by field, which is
what a threshold fitted per field needs; when unsure, the confidence says so and the driver is asked.
"""

from __future__ import annotations

import datetime
import itertools
import re
from dataclasses import dataclass, replace

import cv2
import numpy as np

from vision import icao9303
from vision.cmr_fields import FieldReading
from vision.tesseract_api import recognise

FIND_WIDTH_PX = 1000
"""The copy bands are looked for on: zone characters are still 10 px tall on an A4 page."""
MIN_LINE_ASPECT = 12
"""A zone line is 30 or 44 characters long: far longer than tall, even with some fillers lost."""
MAX_BANDS = 3
"""Bands read, most zone-like first: more are printed text that merely lines up."""
MAX_READS = 6
"""Band readings (bands x ways up x sizes) at most: a form's table rows also line up as bands."""
READ_LINE_PX = (40, 32)
"""Line heights a band is read at, in turn, until its check digits all hold: Tesseract's reading of
OCR-B shifts with size, and on the generated cards each of these alone lost zones the other read."""
FILLER = icao9303.FILLER
DOCUMENT_CODES = "PIACV"
MIN_LINE_CHARS = 12
"""A zone line read shorter than this is not one (a line ending in fillers may lose most of them)."""
STEM_SHARE = 0.75
"""A K's stem runs unbroken at least this share of its line's height; a filler's strokes never do."""
_STEMMED = frozenset("BDEFHKLMNPR")
"""Letters with a vertical stem their whole height, as a K has."""
PITCH_TOLERANCE = 0.15
"""How far the pitch of the names line's characters may lie from its data lines' width per character read
(which is off by the characters OCR lost or added, at most 3 in 30)."""
MAX_STRAY = 2
"""Stray characters per line that are searched for; more and the line is just trimmed."""
MAX_TRIES = 5000
RIVAL_COST = 1
"""A valid reading needing at most this many more edits than the best one disputes the fields it reads otherwise."""
CONFIRM_LINE_PX = (40, 30)
"""Line heights of the second reading of a valid zone read once: the first that differs from the first reading's."""
CHECKED_CONFIDENCE = 0.995
"""A field whose check digit holds in a zone whose every check holds, undisputed (and confirmed if look-alike)."""
AGREED_CONFIDENCE = 0.97
"""A field no check digit guards, in a valid zone, read alike twice and free of OCR's usual slips."""
UNCONFIRMED_CONFIDENCE = 0.85
"""As above, but one reading only (or a document number with check-blind characters read so once)."""
UNCHECKED_CONFIDENCE = 0.6
"""A check digit that holds in a zone where another fails or a rival reading disputes it; a doubtful name."""
FAILED_CONFIDENCE = 0.3
_FILLER_LOOKALIKES = ("K", "X")
"""What OCR reads a filler '<' as (a document code 'P<' read 'PK'); K also weighs what '<' weighs in a check digit
(20 and 0, modulo 10)."""
_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<"
_TO_DIGIT = str.maketrans({"O": "0", "D": "0", "Q": "0", "I": "1", "L": "1", "B": "8", "S": "5", "Z": "2", "G": "6"})
_DIGIT_SPANS = {
    # positions (line, start, end) that hold only digits: dates and check digits
    "TD3": ((1, 13, 20), (1, 21, 28), (1, 9, 10), (1, 43, 44)),
    "TD1": ((0, 14, 15), (1, 0, 7), (1, 8, 15), (1, 29, 30)),
}
_TO_LETTER = str.maketrans({"0": "O", "1": "I", "8": "B", "5": "S", "2": "Z", "6": "G"})
_LETTER_SPANS = {
    # positions (line, start, end) that hold only letters or fillers: issuing state and nationality
    "TD3": ((0, 2, 5), (1, 10, 13)),
    "TD1": ((0, 2, 5), (1, 15, 18)),
}
_GUARDS = {
    "document_number": "document_number",
    "birth_date": "birth_date",
    "expiry_date": "expiry_date",
}


@dataclass(frozen=True)
class MrzReading:
    lines: tuple[str, ...]
    fields: dict[str, FieldReading]
    valid: bool
    """Every check digit holds."""
    upside_down: bool = False
    """The zone read only with the image turned over: the document lies upside down."""


@dataclass(frozen=True)
class Band:
    """Where a zone may be, in the searched image's pixels."""

    left: int
    top: int
    right: int
    bottom: int
    line_height: int
    upright_first: bool
    """More ink above the band than below it: the document's body is above its zone, so it is upright."""


def _without_rules(ink: np.ndarray) -> np.ndarray:
    """Ink less its long straight strokes (a card's edge, a frame, a rule), which would tie the zone's
    lines to everything else; no character is a twentieth of the image long."""
    rules = np.zeros_like(ink)
    for kernel in ((1, max(3, ink.shape[1] // 20)), (max(3, ink.shape[0] // 20), 1)):
        rules |= cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones(kernel, np.uint8))
    keep = cv2.dilate(rules, np.ones((3, 3), np.uint8)) == 0
    return np.where(keep, ink, 0).astype(np.uint8)


def _text_lines(ink: np.ndarray) -> list[tuple[int, int, int, int]]:
    """(x, y, w, h) of every long, flat run of ink: a printed line with its characters joined."""
    join = max(5, ink.shape[1] // 40)
    joined = cv2.morphologyEx(_without_rules(ink), cv2.MORPH_CLOSE, np.ones((1, join), np.uint8))
    count, _, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    return sorted(
        (int(x), int(y), int(w), int(h)) for x, y, w, h, area in stats[1:count]
        if 4 <= h <= 80 and w >= MIN_LINE_ASPECT * h and area >= 0.3 * w * h
    )


def _stacked(lines: list[tuple[int, int, int, int]]) -> list[list[tuple[int, int, int, int]]]:
    """Runs of 2-3 lines of one height, one left edge and one pitch, one below the other."""
    by_top = sorted(lines, key=lambda line: line[1])
    groups = []
    for i, first in enumerate(by_top):
        group = [first]
        for line in by_top[i + 1:]:
            last = group[-1]
            height = max(last[3], line[3])
            pitch = line[1] - last[1]
            if (abs(line[0] - first[0]) <= 2 * height and 0.6 <= line[3] / last[3] <= 1.6
                    and 1.2 * height <= pitch <= 3.2 * height):
                group.append(line)
                if len(group) == 3:
                    break
        if len(group) >= 2:
            groups.append(group)
    return groups


def _zone_likeness(group: list[tuple[int, int, int, int]]) -> tuple[int, float]:
    """Sort key: three lines before two (a TD1 card's), then the longest lines for their height,
    of one length (a zone's lines are all full: fillers are printed)."""
    widths = [w for _, _, w, _ in group]
    aspect = max(widths) / max(h for *_, h in group)
    return -len(group), -aspect * min(widths) / max(widths)


def find_bands(gray: np.ndarray) -> list[Band]:
    """Bands of the image that look like a zone, most zone-like first (`_zone_likeness`)."""
    scale = min(1.0, FIND_WIDTH_PX / gray.shape[1])
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else gray
    ink = cv2.adaptiveThreshold(small, 1, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 15)
    groups = _stacked(_text_lines(ink))
    groups.sort(key=_zone_likeness)
    bands: list[Band] = []
    for group in groups:
        height = max(h for *_, h in group)
        pitch = (group[-1][1] - group[0][1]) / (len(group) - 1)
        left, right = min(x for x, *_ in group), max(x + w for x, _, w, _ in group)
        # a line whose fillers fell apart is missed: the band reaches a line and a half further each way, and a
        # third wider
        top = max(0, round(group[0][1] - pitch - height / 2))
        bottom = min(small.shape[0], round(group[-1][1] + height + pitch + height / 2))
        reach = right + (right - left) // 3
        # the ink beyond the line a band may have missed on either side
        step = round(pitch)
        above = int(ink[max(0, group[0][1] - 5 * step):max(0, group[0][1] - step - 2), left:right].sum())
        below = int(ink[group[-1][1] + step + height + 2:group[-1][1] + 5 * step + height, left:right].sum())
        band = Band(max(0, round((left - height) / scale)), round(top / scale),
                    min(gray.shape[1], round(min(small.shape[1], reach) / scale)), round(bottom / scale),
                    round(height / scale), above >= below)
        if not any(_overlap(band, other) for other in bands):
            bands.append(band)
        if len(bands) == MAX_BANDS:
            break
    return bands


def _overlap(one: Band, other: Band) -> bool:
    return one.left < other.right and other.left < one.right and one.top < other.bottom and other.top < one.bottom


Box = tuple[int, int, int, int]


def _candidate_lines(band: np.ndarray) -> list[tuple[str, Box]]:
    """Every line Tesseract reads in the band that may be a zone's, with the box around its characters."""
    lines: dict[int, list[tuple[str, Box]]] = {}
    for raw, _, box, line in recognise(band, "eng", 6, whitelist=_ALPHABET):
        text = raw.strip()
        if text:
            lines.setdefault(line, []).append((text, box))
    out = []
    for _, words in sorted(lines.items()):
        text = "".join(word for word, _ in words).upper()
        if "<" in text and len(text) >= MIN_LINE_CHARS:
            boxes = [box for _, box in words]
            out.append((text, (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
                               max(b[3] for b in boxes))))
    return out


def _has_stem(ink: np.ndarray, box: Box, pitch: float, index: int) -> bool:
    """Whether the `index`th character cell of a line holds a vertical stroke nearly the line's height: a K
    has one, a filler '<' (two slanted strokes) has none. The zone is printed at one pitch, so the cell is
    where the line starts plus `index` pitches."""
    left = round(box[0] + (index - 0.1) * pitch)
    cell = ink[box[1]:box[3], max(0, left):max(0, round(left + 0.9 * pitch))]
    if cell.size == 0:
        return True
    longest = 0
    for column in cell.T:
        runs = np.diff(np.flatnonzero(np.diff(np.concatenate(([0], column, [0])))))[::2]
        longest = max(longest, int(runs.max(initial=0)))
    return bool(longest >= STEM_SHARE * cell.shape[0])


def _pitch(line: np.ndarray) -> float:
    """The character pitch of a printed zone line (ink as 1): the median step between its characters' centres,
    each character being one blob; 0 when too few blobs are found to tell."""
    count, _, stats, centres = cv2.connectedComponentsWithStats(line, connectivity=8)
    tall = [float(centres[i][0]) for i in range(1, count) if stats[i][3] >= 0.3 * line.shape[0]]
    steps = np.diff(sorted(tall))
    return float(np.median(steps)) if len(steps) >= 8 else 0.0


def _settle_fillers(kind: str, lines: list[tuple[str, Box]], band: np.ndarray) -> tuple[list[str], bool]:
    """The lines' texts, with each K of the names that has no stem on the page put back as the filler it is
    (OCR reads '<' as K, and 'LEVAN<' as 'LEVANK' on every reading alike), and whether the names' K were so
    looked at. The pitch is taken from the lines read at their full length, or else from the names line's
    characters on the page."""
    width = icao9303.LINE_LENGTHS[kind][0]
    texts = [text for text, _ in lines]
    spans = [(box[2] - box[0]) / (width - 0.3) for text, box in lines if len(text) == width]
    name, box = lines[_NAME_LINE[kind]]
    if "K" not in name:
        return texts, True
    _, ink = cv2.threshold(band, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    pitch = float(np.median(spans)) if spans else _pitch(ink[box[1]:box[3], box[0]:box[2]])
    rough = [(b[2] - b[0]) / len(text) for i, (text, b) in enumerate(lines) if i != _NAME_LINE[kind]]
    if not rough or abs(pitch / float(np.median(rough)) - 1) > PITCH_TOLERANCE:
        return texts, False  # characters joined or broken on the page: no cell can be trusted to hold one
    start = 5 if kind == "TD3" else 0
    chars = list(name)
    settled = True
    for i, char in enumerate(name):
        if char != "K" or i < start:
            continue
        # the cells before must hold what was read there (a stem where a stemmed letter was read, none where
        # a filler was): a character OCR added or lost before this K would put it in its neighbour's cell
        before = [j for j in range(max(0, i - 4), i) if name[j] in _STEMMED or name[j] == FILLER]
        if any(_has_stem(ink, box, pitch, j) != (name[j] in _STEMMED) for j in before):
            settled = False
        elif not _has_stem(ink, box, pitch, i):
            chars[i] = FILLER
    texts[_NAME_LINE[kind]] = "".join(chars)
    return texts, settled


def _fit(line: str, width: int) -> str:
    """Pad a line that lost trailing fillers, or trim stray characters OCR added at its end."""
    return line[:width] if len(line) >= width else line + "<" * (width - len(line))


def _repair_digits(kind: str, lines: list[str]) -> tuple[list[str], int]:
    """Digits back where only digits stand, letters back where only letters stand (country codes), and how
    many characters that changed: the fewer, the likelier the reading (a misaligned line needs many)."""
    fixed = list(lines)
    changed = 0
    for spans, table in ((_DIGIT_SPANS[kind], _TO_DIGIT), (_LETTER_SPANS[kind], _TO_LETTER)):
        for index, start, end in spans:
            line = fixed[index]
            part = line[start:end].translate(table)
            changed += sum(a != b for a, b in zip(part, line[start:end], strict=True))
            fixed[index] = line[:start] + part + line[end:]
    return fixed, changed


_NAME_LINE = {"TD3": 0, "TD1": 2}
"""The line holding the names, which ends in a long run of fillers that OCR may drop whole."""
_SHORT_LINES = {"TD3": (0,), "TD1": (0, 2)}
"""Lines that may end in a run of fillers (names; a card's number and empty optional data), read short when OCR
drops it whole: fitting pads them back."""


def _shape(candidates: list[tuple[str, Box]]) -> tuple[str, list[tuple[str, Box]]] | None:
    """The last run of lines that makes a TD3 (2 x ~44) or TD1 (3 x ~30) zone; the names line may be short."""
    texts = [text for text, _ in candidates]
    for kind, (width, count) in (("TD3", icao9303.LINE_LENGTHS["TD3"]), ("TD1", icao9303.LINE_LENGTHS["TD1"])):
        for end in range(len(texts), count - 1, -1):
            chosen = texts[end - count : end]
            fits = [
                width - 3 <= len(text) <= width + 3 or (i in _SHORT_LINES[kind] and MIN_LINE_CHARS <= len(text) < width)
                for i, text in enumerate(chosen)
            ]
            if all(fits):
                return kind, candidates[end - count : end]
    return None


def _date(yymmdd: str, *, past: bool) -> str:
    """YYMMDD as DD.MM.YYYY, as printed in the visual zone; a birth date is never in the future."""
    if not yymmdd.isdigit():
        return yymmdd
    year = 2000 + int(yymmdd[:2])
    if past and year > datetime.date.today().year:
        year -= 100
    return f"{yymmdd[4:6]}.{yymmdd[2:4]}.{year}"


def _names(text: str) -> str:
    """A name field as OCR gave it, its filler run cut off: OCR reads long runs of '<' as K, S, E or X
    here and there, but no name holds three fillers in a row, nor a lone K, S, E or X before them."""
    text = re.sub(r"(?<=[A-Z])<[KSEX]<(?=[A-Z])", "<<", text, count=1)  # the surname's '<<' read as '<K<'
    primary, sep, rest = text.partition("<<")
    given = re.split(r"<{3,}", rest, maxsplit=1)[0]
    given = re.sub(r"(<[KSEX])+$", "", given)
    return primary + sep + given


def _filler_noise(line: str) -> str:
    """A data line with the fillers OCR read as K, S, E or X put back: a lone one between fillers, and any in
    the run of fillers that ends a line ('<<<<KK<SEEEEK'); no number or optional data ends so."""
    line = re.sub(r"(?<=<<)[KSEX](?=<)", FILLER, line)
    return re.sub(r"<[<KSEX]*$", lambda run: FILLER * len(run.group()), line)


def _tidy(kind: str, lines: list[str]) -> tuple[list[str], int]:
    """Digits where only digits may stand, the names' filler run restored, and a TD3's optional data
    all fillers when its check digit is a filler (OCR reads those runs as K, S or E); with the count
    of letters and digits swapped (`_repair_digits`)."""
    lines = [line if i == _NAME_LINE[kind] else _filler_noise(line) for i, line in enumerate(lines)]
    lines, changed = _repair_digits(kind, lines)
    if kind == "TD3" and lines[1][42] == FILLER:
        lines[1] = lines[1][:28] + FILLER * 15 + lines[1][43:]
    name_line, start = (0, 5) if kind == "TD3" else (2, 0)
    width = len(lines[name_line])
    lines[name_line] = (lines[name_line][:start] + _names(lines[name_line][start:]))[:width].ljust(width, "<")
    return lines, changed


def _variants(line: str, width: int) -> list[str]:
    """A line fitted to `width`: the plain trim or pad first, then up to `MAX_STRAY` stray characters
    removed wherever they may be, or fillers OCR lost put back into the runs of fillers (more than that: all
    into the longest run). Readings that
    start with a document code letter come first (a stray character is often read before it)."""
    extra = len(line) - width
    if extra > 0:  # fillers read as a lone K, X, S or E beside the right ones ('<<K<<' for '<<<<'): cut first
        line = re.sub(r"(?<=<)[KXSE](?=<)", "", line, count=extra)
        extra = len(line) - width
    out = [_fit(line, width)]
    if 0 < extra <= MAX_STRAY:
        for cut in itertools.combinations(range(len(line)), extra):
            out.append("".join(ch for i, ch in enumerate(line) if i not in cut))
    elif -MAX_STRAY <= extra < 0:
        runs = [i for i, ch in enumerate(line) if ch == FILLER]
        for places in itertools.combinations_with_replacement(runs, -extra):
            chars = list(line)
            for place in sorted(places, reverse=True):
                chars.insert(place, FILLER)
            out.append("".join(chars))
    elif extra < 0 and FILLER in line:  # many fillers lost: all back into the longest run of them
        run = max(re.finditer(r"<+", line), key=lambda match: len(match.group()))
        out.append(line[:run.end()] + FILLER * -extra + line[run.end():])
    unique = list(dict.fromkeys(out))
    return sorted(unique, key=lambda text: text[0] not in DOCUMENT_CODES)


@dataclass(frozen=True)
class Parse:
    """The likeliest reading of a band's lines, and the fields another valid reading of them, nearly as
    likely, gives otherwise: with enough stray characters to cut, some cut makes every check digit hold
    by chance, so a check digit vouches for a field only when no rival reading disputes it."""

    mrz: icao9303.Mrz
    disputed: frozenset[str] = frozenset()
    fillers_settled: bool = False
    """Every K of the names was looked at on the page (`_settle_fillers`): a K left is no filler."""


def _best_parse(kind: str, raw: list[str]) -> Parse | None:
    """The valid reading of the lines that needs the fewest edits (cut or inserted characters, letters and
    digits swapped), or else the one with the most check digits holding.

    Only lines that check digits cover are searched for stray or lost characters: the names line
    is fitted as read, since no check would tell a right repair from a wrong one.
    """
    width = icao9303.LINE_LENGTHS[kind][0]
    options = [[_fit(line, width)] if i == _NAME_LINE[kind] else _variants(line, width) for i, line in enumerate(raw)]
    plain = [_fit(line, width) for line in raw]
    best: icao9303.Mrz | None = None
    best_ok = -1
    valid: list[tuple[int, icao9303.Mrz]] = []
    for tried, lines in enumerate(itertools.product(*options)):
        if tried >= MAX_TRIES:
            break
        tidy, swapped = _tidy(kind, list(lines))
        try:
            mrz = icao9303.parse(tidy)
        except icao9303.MrzError:
            continue
        edits = sum(len(raw[i]) != width or line != plain[i] for i, line in enumerate(lines))
        if mrz.valid:
            if tried == 0 and all(len(line) == width for line in raw):
                return Parse(mrz)  # read whole and every check holding: nothing was searched for
            valid.append((swapped + 2 * edits, mrz))
            continue
        passing = _checks_passing(mrz)
        if passing > best_ok:
            best, best_ok = mrz, passing
    if not valid:
        return None if best is None else Parse(best)
    valid.sort(key=lambda item: item[0])
    cost, winner = valid[0]
    values = _values(winner)
    disputed = {name for other_cost, other in valid[1:] if other_cost <= cost + RIVAL_COST
                for name, value in _values(other).items() if value != values[name]}
    return Parse(winner, frozenset(disputed))


def _checks_passing(mrz: icao9303.Mrz) -> int:
    return sum(check.ok for check in mrz.checks)


def _read_band(document: np.ndarray, band: Band, upside_down: bool, line_px: int, *, enlarge: bool = False
               ) -> Parse | None:
    """One reading of a band with its lines `line_px` tall (shrunk only, unless `enlarge`)."""
    crop = document[band.top:band.bottom, band.left:band.right]
    if upside_down:
        crop = cv2.rotate(crop, cv2.ROTATE_180)
    scale = line_px / max(1, band.line_height)
    if not enlarge:
        scale = min(1.0, scale)
    if scale != 1:
        method = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
        crop = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=method)
    # a margin of the band's own ground: Tesseract drops a line that touches the crop's edge (a card's last
    # line close to the page's edge, as a camera page is cut)
    pad = max(4, line_px // 2)
    crop = cv2.copyMakeBorder(crop, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=int(np.median(crop)))
    shaped = _shape(_candidate_lines(crop))
    if shaped is None:
        return None
    kind, lines = shaped
    texts, settled = _settle_fillers(kind, lines, crop)
    parse = _best_parse(kind, texts)
    return None if parse is None else replace(parse, fillers_settled=settled)


@dataclass(frozen=True)
class _Read:
    """One reading of a band: where, which way up, at what line height, and what it gave."""

    band: Band
    upside_down: bool
    line_px: int
    parse: Parse


def read_mrz(document: np.ndarray) -> MrzReading | None:
    """The zone of a passport or ID card image (or a page holding one, either way up), or None when none is found.

    Only the bands `find_bands` names are read; the reading with the most check digits holding wins, and
    is then compared with a second reading of its band (`_confirm`).
    """
    best: _Read | None = None
    reads: list[_Read] = []
    tried = 0
    for band in find_bands(document):
        for upside_down in (not band.upright_first, band.upright_first):
            for size in dict.fromkeys(min(size, band.line_height) for size in READ_LINE_PX):
                tried += 1
                if tried > MAX_READS:
                    return None if best is None else _confirm(document, best, reads)
                parse = _read_band(document, band, upside_down, size)
                if parse is None:
                    continue
                reads.append(_Read(band, upside_down, size, parse))
                if best is None or _checks_passing(parse.mrz) > _checks_passing(best.parse.mrz):
                    best = reads[-1]
                if parse.mrz.valid:
                    return _confirm(document, best, reads)
            if (best is not None and best.upside_down == upside_down
                    and 2 * _checks_passing(best.parse.mrz) >= len(best.parse.mrz.checks)):
                return _confirm(document, best, reads)  # read the right way up: turned over, it holds no check
    return None if best is None else _confirm(document, best, reads)


def _confirm(document: np.ndarray, best: _Read, reads: list[_Read]) -> MrzReading:
    """The best reading, its fields scored against the other readings of its band the same way up; a valid
    zone read once is read again at another size first (`CONFIRM_LINE_PX`), so that no field without a check
    digit, and no document number holding a character its check cannot tell from a look-alike, is trusted on
    one reading of Tesseract's."""
    others = [read.parse.mrz for read in reads
              if read is not best and read.band == best.band and read.upside_down == best.upside_down]
    if not others and best.parse.mrz.valid:
        size = CONFIRM_LINE_PX[0] if abs(best.line_px - CONFIRM_LINE_PX[0]) >= 6 else CONFIRM_LINE_PX[1]
        again = _read_band(document, best.band, best.upside_down, size, enlarge=True)
        if again is not None:
            others.append(again.mrz)
    return _reading(best.parse, best.upside_down, others)


def _values(mrz: icao9303.Mrz) -> dict[str, str]:
    holder = mrz.holder
    return {
        "document_type": holder.document_code,
        "issuing_state": holder.issuing_state,
        "document_number": holder.document_number,
        "surname": holder.surname,
        "given_names": holder.given_names,
        "nationality_code": holder.nationality,
        "birth_date": _date(holder.birth_date, past=True),
        "sex": holder.sex,
        "expiry_date": _date(holder.expiry_date, past=False),
    }


def _is_date(yymmdd: str) -> bool:
    try:
        datetime.date(2000 + int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:6]))
    except ValueError:
        return False
    return yymmdd.isdigit()


def _doubtful(name: str, value: str) -> bool:
    """A value of a field no check digit guards that OCR's usual slips could have made (`_names`)."""
    if name in ("surname", "given_names"):
        words = value.split()
        return not words or "  " in value or any(len(word) == 1 or word.startswith("X") or word.endswith("X")
                                                 for word in words)
    if name in ("issuing_state", "nationality_code"):
        return not icao9303.known_state(value)
    if name == "document_type":
        return value[:1] not in DOCUMENT_CODES or value[1:] in _FILLER_LOOKALIKES
    return name == "sex" and value not in ("M", "F", "X", FILLER)


def _confidence(name: str, value: str, mrz: icao9303.Mrz, parse: Parse, agreed: bool) -> float:
    """How far the zone vouches for a field: its check digit when the whole zone holds and no rival reading
    disputes it, else a second reading's agreement, else little."""
    guard = _GUARDS.get(name)
    if guard is not None:
        raw = {"birth_date": mrz.holder.birth_date, "expiry_date": mrz.holder.expiry_date}.get(name)
        if guard in mrz.failed or (raw is not None and not _is_date(raw)):
            return FAILED_CONFIDENCE
        if not mrz.valid or name in parse.disputed:
            return UNCHECKED_CONFIDENCE
        if name == "document_number" and icao9303.check_blind(value) and not agreed:
            return UNCONFIRMED_CONFIDENCE
        return CHECKED_CONFIDENCE
    if not mrz.valid or name in parse.disputed:
        return FAILED_CONFIDENCE
    if _doubtful(name, value) or (name == "document_type" and not icao9303.known_state(mrz.holder.issuing_state)):
        return UNCHECKED_CONFIDENCE  # line 1 shifted by a character makes both wrong, and the zone still holds
    if name in ("surname", "given_names") and ("X" in value or ("K" in value and not parse.fillers_settled)):
        # a filler read as X, or as a K whose stem could not be looked for: two readings often agree on it,
        # above all on the K that ends a name ('LEVAN<' read 'LEVANK')
        ends_in_k = any(word.endswith("K") for word in value.split()) and not parse.fillers_settled
        return UNCONFIRMED_CONFIDENCE if agreed and not ends_in_k else UNCHECKED_CONFIDENCE
    return AGREED_CONFIDENCE if agreed else UNCONFIRMED_CONFIDENCE


def _reading(parse: Parse, upside_down: bool, others: list[icao9303.Mrz]) -> MrzReading:
    mrz = parse.mrz
    other_values = [_values(other) for other in others]
    fields = {name: FieldReading(value, _confidence(name, value, mrz, parse,
                                                    any(values[name] == value for values in other_values)))
              for name, value in _values(mrz).items()}
    return MrzReading(mrz.lines, fields, mrz.valid, upside_down)
