"""Registration-plate formats per country, for plates as printed today (and older series still on the road).

Shapes are regular expressions over the *compact* plate (no spaces or hyphens, look-alike letters already
mapped to the country's script), written with two shorthands: `@` is one letter the country uses, `#` one
digit. Sources: each country's current registration scheme as published (national regulations, summarised in
the public registration-plate references); where trailers have a series of their own it is listed separately,
otherwise trailers carry plates of the vehicle shapes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

LATIN = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
RU_LETTERS = "АВЕКМНОРСТУХ"
"""The 12 Cyrillic letters Russian plates use, each shaped like a Latin letter (GOST R 50577)."""
UA_LETTERS = "АВЕІКМНОРСТХ"
"""Ukraine's 12: as Russia's, but with І instead of У."""
BG_LETTERS = "ABEKMHOPCTYX"
"""Bulgaria's Cyrillic plate letters, written here as their Latin twins (as EU systems record them)."""
GR_LETTERS = "ABEHIKMNOPTXYZ"
"""Greece's 14 plate letters that have Latin twins, written as the Latin letter."""


@dataclass(frozen=True)
class PlateRules:
    """One country's plates: the vehicle shapes, any trailer shapes of its own, and the letters it prints."""

    vehicle: tuple[str, ...]
    example: str
    trailer: tuple[str, ...] = ()
    trailer_example: str = ""
    letters: str = LATIN
    cyrillic: bool = False
    extra_letters: str = ""
    """Letters only shapes name explicitly: German umlauts, Croatian Č Ć Š Ž Đ in district codes."""

    @cached_property
    def vehicle_patterns(self) -> tuple[re.Pattern[str], ...]:
        return tuple(self._compile(shape) for shape in self.vehicle)

    @cached_property
    def trailer_patterns(self) -> tuple[re.Pattern[str], ...]:
        return tuple(self._compile(shape) for shape in self.trailer)

    @property
    def all_letters(self) -> str:
        return self.letters + self.extra_letters

    def _compile(self, shape: str) -> re.Pattern[str]:
        return re.compile(shape.replace("@", f"[{self.letters}]").replace("#", "[0-9]"))


def _without(excluded: str) -> str:
    return "".join(letter for letter in LATIN if letter not in excluded)


_RO_COUNTIES = ("AB|AG|AR|BC|BH|BN|BR|BT|BV|BZ|CJ|CL|CS|CT|CV|DB|DJ|GJ|GL|GR|HD|HR|IF|IL|IS|MH|MM|MS|NT|OT|PH|SB|SJ|SM"
                "|SV|TL|TM|TR|VL|VN|VS")
_SI_REGIONS = "CE|GO|KK|KP|KR|LJ|MB|MS|NM|PO|SG"
_NL_SIDECODES = ("@{2}#{4}", "#{4}@{2}", "#{2}@{2}#{2}", "@{2}#{2}@{2}", "@{4}#{2}", "#{2}@{4}", "#{2}@{3}#",
                 "#@{3}#{2}", "@{2}#{3}@", "@#{3}@{2}", "@{3}#{2}@", "@#{2}@{3}", "#@{2}#{3}", "#{3}@{2}#")

RULES: dict[str, PlateRules] = {
    # Georgia: AB-123-CD since September 2014, ABC-123 before (still valid); trailers AB-123-C since 2014.
    "GE": PlateRules(("@{2}#{3}@{2}", "@{3}#{3}"), "AB-123-CD", ("@{2}#{3}@",), "AB-123-C"),
    # Turkey: province 01..81, then 1-3 letters and 2-5 digits; no Q, W, X; no separate trailer series.
    "TR": PlateRules(("(?:0[1-9]|[1-7]#|8[01])(?:@#{4,5}|@{2}#{3,4}|@{3}#{2,3})",), "34 ABC 123",
                     letters=_without("QWX")),
    # Azerbaijan: region, two letters, three digits; trailers the same, printed without hyphens.
    "AZ": PlateRules(("#{2}@{2}#{3}",), "10-AB-123"),
    # Armenia: 35 LL 350, and the older 350 LL 35.
    "AM": PlateRules(("#{2}@{2}#{3}", "#{3}@{2}#{2}"), "35 LL 350"),
    # Russia: letter, 001..999, two letters, region of 2-3 digits; trailers: two letters, four digits, region.
    "RU": PlateRules(("@(?!000)#{3}@{2}#{2,3}",), "А 123 ВС 77", ("@{2}#{4}#{2,3}",), "АВ 1234 77",
                     letters=RU_LETTERS, cyrillic=True),
    # Ukraine: region pair, four digits, series pair (2004, 2015 designs). Trailers have the same shape (their
    # series are issued from the end of the alphabet, an allocation order rather than a rule to check).
    "UA": PlateRules(("@{2}#{4}@{2}",), "АА 1234 ВС", letters=UA_LETTERS, cyrillic=True),
    # Kazakhstan (2012): three digits, three letters (persons) or two (organisations), region 01..20.
    "KZ": PlateRules(("#{3}@{2,3}(?:0[1-9]|1#|20)",), "123 ABC 02"),
    # --- the EU member states ---
    "AT": PlateRules(("(?=.{3,9}$)@{1,2}(?:#{1,5}@{1,3}|@{1,5}#{1,5})",), "W 12345 A"),
    "BE": PlateRules(("[1-9]@{3}#{3}", "@{3}#{3}", "#{3}@{3}"), "1-ABC-123", ("Q@{3}#{3}",), "Q-ABC-123"),
    "BG": PlateRules(("@{1,2}#{4}@{2}",), "CA 1234 AB", letters=BG_LETTERS),
    "CY": PlateRules(("@{3}#{3}",), "ABC 123"),
    "CZ": PlateRules(("#[ABCEHJKLMPSTUZ][A-Z0-9]#{4}",), "1A2 3456"),
    "DE": PlateRules(("(?=.{3,8}$|.{4,9}[EH]$)[A-ZÄÖÜ]{1,3}[A-Z]{1,2}[1-9]#{0,3}[EH]?",), "B MW 1234",
                     extra_letters="ÄÖÜ"),
    "DK": PlateRules(("@{2}#{5}",), "AB 12 345"),
    "EE": PlateRules(("#{3}@{3}",), "123 ABC"),
    "ES": PlateRules(("#{4}[BCDFGHJKLMNPRSTVWXYZ]{3}", "@{1,2}#{4}@{1,2}"), "1234 BCD",
                     ("R#{4}[BCDFGHJKLMNPRSTVWXYZ]{3}",), "R-1234-BCD"),
    "FI": PlateRules(("@{2,3}#{1,3}",), "ABC-123"),
    "FR": PlateRules(("@{2}(?!000)#{3}@{2}",), "AB-123-CD", letters=_without("IOU")),
    "GR": PlateRules(("@{3}[1-9]#{3}",), "ABE-1234", letters=GR_LETTERS),
    "HR": PlateRules(("[A-ZČĆŠŽĐ]{2}#{3,4}@{1,2}",), "ZG 1234-AB", extra_letters="ČĆŠŽĐ"),
    "HU": PlateRules(("@{3}#{3}", "@{4}#{3}"), "AA BC-123"),
    "IE": PlateRules(("#{2}[12]?@{1,2}#{1,6}",), "241-D-12345"),
    # Italy: no I, O, Q, U; the XA..XZ series belongs to trailers since 20 February 2013, older trailers AB 12345.
    "IT": PlateRules(("(?!X)@{2}#{3}@{2}",), "AB 123 CD", ("X@#{3}@{2}", "@{2}#{5}"), "XA 123 BC",
                     letters=_without("IOQU")),
    "LT": PlateRules(("@{3}#{3}",), "ABC 123"),
    "LU": PlateRules(("@{2}#{4}", "[1-9]#{0,5}"), "AB 1234"),
    "LV": PlateRules(("@{2}#{1,4}",), "AB-1234"),
    "MT": PlateRules(("@{3}#{3}",), "ABC 123"),
    "NL": PlateRules(_NL_SIDECODES, "12-ABC-3"),
    "PL": PlateRules(("@{2}(?=.*#)[A-Z0-9]{5}", "@{3}(?=.*#)[A-Z0-9]{4,5}"), "WA 12345"),
    "PT": PlateRules(("@{2}#{2}@{2}", "#{2}@{2}#{2}", "#{4}@{2}", "@{2}#{4}"), "AA-12-BC"),
    "RO": PlateRules((f"(?:B#{{2,3}}|(?:{_RO_COUNTIES})#{{2}})@{{3}}",), "B 123 ABC"),
    "SE": PlateRules(("@{3}#{2}[0-9A-HJ-PR-UW-Z]",), "ABC 123", letters=_without("IQV")),
    "SI": PlateRules((f"(?:{_SI_REGIONS})(?=.*#)[A-Z0-9]{{4,5}}",), "LJ AB-123"),
    "SK": PlateRules(("@{2}#{3}@{2}",), "BA 123AB"),
}
"""Country (ISO alpha-2) -> its plate rules."""

GENERIC = PlateRules(("[A-Z0-9]{2,12}",), "AB 1234")
"""Countries without a table entry: letters and digits only, 2 to 12 of them."""
