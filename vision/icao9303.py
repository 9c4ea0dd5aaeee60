"""ICAO Doc 9303 machine readable zones: check digits, composing TD1/TD3 zones, parsing and validating.

The generator composes the MRZ of synthetic passports and ID cards here, and the reader checks
what OCR made of one: a failed check digit names the field it guards, so the kiosk can ask the
driver to re-scan rather than guess which character was misread.

Formats (characters per line x lines): TD1 30x3 (ID cards), TD2 36x2, TD3 44x2 (passports).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

import pycountry

FILLER = "<"
_WEIGHTS = (7, 3, 1)
_ALLOWED = re.compile(r"[A-Z0-9<]*")
LINE_LENGTHS = {"TD1": (30, 3), "TD2": (36, 2), "TD3": (44, 2)}


class MrzError(ValueError):
    """The text is not a machine readable zone of a known format (wrong shape or characters)."""


def char_value(char: str) -> int:
    """A character's value in the check-digit sum: digits as such, A..Z = 10..35, the filler 0."""
    if char.isdigit():
        return int(char)
    if "A" <= char <= "Z":
        return ord(char) - ord("A") + 10
    if char == FILLER:
        return 0
    raise MrzError(f"character {char!r} is not allowed in an MRZ")


def check_digit(data: str) -> str:
    """The 7-3-1 weighted check digit of `data`, as the character printed after it."""
    return str(sum(char_value(ch) * _WEIGHTS[i % 3] for i, ch in enumerate(data)) % 10)


LOOKALIKES = (("0", "O"), ("0", "D"), ("0", "Q"), ("0", "U"), ("1", "I"), ("1", "L"), ("2", "Z"), ("5", "S"),
              ("6", "G"), ("8", "B"), ("8", "S"), ("K", FILLER), ("X", FILLER))
"""Characters OCR mistakes for each other in OCR-B."""


def _blind(one: str, other: str) -> bool:
    """The check digit cannot tell `one` from `other`: their values differ by a multiple of 10, and the
    weights 7, 3 and 1 are all prime to 10, so the sum changes by a multiple of 10 wherever they stand."""
    return (char_value(one) - char_value(other)) % 10 == 0


CHECK_BLIND = frozenset(char for pair in LOOKALIKES if _blind(*pair) for char in pair if char != FILLER)
"""Characters a check digit cannot tell from their look-alike: U/0, L/1, G/6, S/8 and K/'<'."""


def check_blind(data: str) -> bool:
    """Whether `data` holds a character a misreading of which into its look-alike no check digit would see."""
    return not CHECK_BLIND.isdisjoint(data)


ICAO_STATE_CODES = frozenset({"D", "EUE", "GBD", "GBN", "GBO", "GBP", "GBS", "RKS", "UNA", "UNK", "UNO", "XBA",
                              "XCC", "XCE", "XCO", "XEC", "XIM", "XOM", "XPO", "XXA", "XXB", "XXC", "XXX"})
"""Doc 9303 part 3's codes beside ISO 3166 alpha-3: Germany's D, British nationals, UN and EU documents,
Kosovo, organisations, and the stateless (XXA) or refugees (XXB, XXC)."""


@cache
def _iso_states() -> frozenset[str]:
    return frozenset(country.alpha_3 for country in pycountry.countries)


def known_state(code: str) -> bool:
    """Whether `code` (fillers stripped) names an issuing state or nationality the zone may carry: an OCR slip
    that shifts line 1 by one character (`I<RUS` read `IRUS`) gives a well-formed but unknown code (`USI`)."""
    return code in ICAO_STATE_CODES or code in _iso_states()


def _pad(text: str, width: int) -> str:
    if len(text) > width:
        raise MrzError(f"{text!r} is longer than its {width}-character field")
    return text + FILLER * (width - len(text))


def _clean(text: str) -> str:
    """Upper-case A..Z and digits; spaces and hyphens become fillers, anything else is dropped."""
    text = re.sub(r"[\s\-]+", FILLER, text.upper())
    return "".join(ch for ch in text if ch == FILLER or (ch.isascii() and ch.isalnum()))


def name_field(surname: str, given_names: str, width: int) -> str:
    """'SURNAME<<GIVEN<NAMES' padded (or truncated, as 9303 allows) to `width`. Names must be Latin."""
    primary, secondary = _clean(surname), _clean(given_names)
    if not primary:
        raise MrzError("the surname has no characters an MRZ can hold")
    text = f"{primary}<<{secondary}" if secondary else primary
    return _pad(text[:width].rstrip(FILLER) if len(text) > width else text, width)


def _date(value: str, name: str) -> str:
    if not re.fullmatch(r"\d{6}", value):
        raise MrzError(f"{name} must be YYMMDD, got {value!r}")
    return value


def _optional_check(data: str) -> str:
    """The check digit of the TD3 personal number: a filler when the field is empty."""
    return FILLER if set(data) == {FILLER} else check_digit(data)


@dataclass(frozen=True)
class Holder:
    """What the MRZ of a document says about it and its holder (dates as YYMMDD, names in Latin)."""

    document_code: str
    issuing_state: str
    document_number: str
    nationality: str
    birth_date: str
    sex: str
    expiry_date: str
    surname: str
    given_names: str
    optional_data: str = ""

    def _check(self) -> None:
        if not re.fullmatch(r"[A-Z][A-Z<]?", self.document_code):
            raise MrzError(f"document code must be one or two letters, got {self.document_code!r}")
        for name, state in (("issuing state", self.issuing_state), ("nationality", self.nationality)):
            if not re.fullmatch(r"[A-Z<]{1,3}", state):
                raise MrzError(f"{name} must be a three-letter code, got {state!r}")
        if self.sex not in ("M", "F", "X", "<"):
            raise MrzError(f"sex must be M, F or X, got {self.sex!r}")
        if not self.document_number or not _ALLOWED.fullmatch(_clean(self.document_number)):
            raise MrzError(f"document number {self.document_number!r} is not MRZ characters")


def compose_td3(holder: Holder) -> tuple[str, str]:
    """The two 44-character lines of a passport (TD3)."""
    holder._check()
    number = _pad(_clean(holder.document_number), 9)
    optional = _pad(_clean(holder.optional_data), 14)
    line1 = _pad(holder.document_code, 2) + _pad(holder.issuing_state, 3) + name_field(
        holder.surname, holder.given_names, 39)
    parts = (
        number + check_digit(number),
        _pad(holder.nationality, 3),
        _date(holder.birth_date, "birth date") + check_digit(holder.birth_date),
        holder.sex if holder.sex != "<" else FILLER,
        _date(holder.expiry_date, "expiry date") + check_digit(holder.expiry_date),
        optional + _optional_check(optional),
    )
    body = "".join(parts)
    composite = body[0:10] + body[13:20] + body[21:43]
    return line1, body + check_digit(composite)


def compose_td1(holder: Holder) -> tuple[str, str, str]:
    """The three 30-character lines of an ID card (TD1); numbers over 9 characters use 9303's extension."""
    holder._check()
    number = _clean(holder.document_number)
    optional = _clean(holder.optional_data)
    if len(number) <= 9:
        number_part = _pad(number, 9) + check_digit(_pad(number, 9))
        optional1 = _pad(optional, 15)
    else:  # the first 9 characters, a filler, then the rest and its check digit open the optional data
        number_part = number[:9] + FILLER
        optional1 = _pad(number[9:] + check_digit(number) + FILLER + optional if optional else
                         number[9:] + check_digit(number), 15)
    line1 = _pad(holder.document_code, 2) + _pad(holder.issuing_state, 3) + number_part + optional1
    line2 = (
        _date(holder.birth_date, "birth date") + check_digit(holder.birth_date)
        + (holder.sex if holder.sex != "<" else FILLER)
        + _date(holder.expiry_date, "expiry date") + check_digit(holder.expiry_date)
        + _pad(holder.nationality, 3) + _pad("", 11)
    )
    composite = line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29]
    line2 += check_digit(composite)
    return line1, line2, name_field(holder.surname, holder.given_names, 30)


@dataclass(frozen=True)
class Check:
    """One check digit: which field it guards, what the data says it should be, what is printed."""

    name: str
    expected: str
    found: str

    @property
    def ok(self) -> bool:
        return self.expected == self.found


@dataclass(frozen=True)
class Mrz:
    """A parsed MRZ: its format, its fields and every check digit's outcome."""

    format: str
    lines: tuple[str, ...]
    holder: Holder
    checks: tuple[Check, ...] = field(default_factory=tuple)

    @property
    def valid(self) -> bool:
        return all(check.ok for check in self.checks)

    @property
    def failed(self) -> tuple[str, ...]:
        """The names of the check digits that do not match, e.g. ('birth_date',)."""
        return tuple(check.name for check in self.checks if not check.ok)


def _split_name(field_text: str) -> tuple[str, str]:
    primary, _, secondary = field_text.rstrip(FILLER).partition("<<")
    return primary.replace(FILLER, " ").strip(), secondary.replace(FILLER, " ").strip()


def _normalise(text: str | list[str] | tuple[str, ...]) -> tuple[str, ...]:
    raw = text.splitlines() if isinstance(text, str) else list(text)
    lines = tuple(re.sub(r"\s+", "", line) for line in raw if line.strip())
    for line in lines:
        if not _ALLOWED.fullmatch(line):
            bad = next(ch for ch in line if not (ch == FILLER or ch.isdigit() or "A" <= ch <= "Z"))
            raise MrzError(f"character {bad!r} is not allowed in an MRZ")
    return lines


def parse(text: str | list[str] | tuple[str, ...]) -> Mrz:
    """Parse a TD1, TD2 or TD3 zone (lines as text or a sequence) and check every check digit.

    Raises `MrzError` when the lines fit no format; a wrong check digit is not an error but a
    failed `Check`, so the caller sees which field is suspect.
    """
    lines = _normalise(text)
    shape = (len(lines[0]) if lines else 0, len(lines))
    if any(len(line) != shape[0] for line in lines):
        raise MrzError(f"MRZ lines differ in length: {[len(line) for line in lines]}")
    kind = next((name for name, dims in LINE_LENGTHS.items() if dims == shape), None)
    if kind is None:
        raise MrzError(f"{shape[1]} lines of {shape[0]} characters is not a TD1, TD2 or TD3 zone")
    return _parse_td1(lines) if kind == "TD1" else _parse_two_line(kind, lines)


def _parse_two_line(kind: str, lines: tuple[str, ...]) -> Mrz:
    line1, line2 = lines
    width = len(line1)
    surname, given = _split_name(line1[5:])
    optional_end = width - 2 if kind == "TD3" else width - 1
    optional = line2[28:optional_end]
    holder = Holder(line1[0:2].rstrip(FILLER), line1[2:5].rstrip(FILLER), line2[0:9].rstrip(FILLER),
                    line2[10:13].rstrip(FILLER), line2[13:19], line2[20], line2[21:27], surname, given,
                    optional.rstrip(FILLER))
    checks = [
        Check("document_number", check_digit(line2[0:9]), line2[9]),
        Check("birth_date", check_digit(line2[13:19]), line2[19]),
        Check("expiry_date", check_digit(line2[21:27]), line2[27]),
    ]
    if kind == "TD3":
        found = line2[42]
        expected = _optional_check(optional) if found == FILLER else check_digit(optional)
        checks.append(Check("optional_data", expected, found))
        composite = line2[0:10] + line2[13:20] + line2[21:43]
    else:
        composite = line2[0:10] + line2[13:20] + line2[21:35]
    checks.append(Check("composite", check_digit(composite), line2[width - 1]))
    return Mrz(kind, lines, holder, tuple(checks))


def _parse_td1(lines: tuple[str, ...]) -> Mrz:
    line1, line2, line3 = lines
    number, number_check, optional = line1[5:14], line1[14], line1[15:30]
    if number_check == FILLER and optional[0] != FILLER:  # a long number continues in the optional data
        rest = optional.split(FILLER, 1)[0]
        number, number_check, optional = number + rest[:-1], rest[-1], optional[len(rest):]
    surname, given = _split_name(line3)
    holder = Holder(line1[0:2].rstrip(FILLER), line1[2:5].rstrip(FILLER), number.rstrip(FILLER),
                    line2[15:18].rstrip(FILLER), line2[0:6], line2[7], line2[8:14], surname, given,
                    optional.strip(FILLER))
    checks = (
        Check("document_number", check_digit(number), number_check),
        Check("birth_date", check_digit(line2[0:6]), line2[6]),
        Check("expiry_date", check_digit(line2[8:14]), line2[14]),
        Check("composite", check_digit(line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29]), line2[29]),
    )
    return Mrz("TD1", lines, holder, checks)
