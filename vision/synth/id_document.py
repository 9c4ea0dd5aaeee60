"""Identity documents: a passport data page (TD3) in two layouts and an ID card (TD1, front above back).

The visual zone prints the holder's name in the national script and in Latin; the machine
readable zone is composed by `vision.icao9303`, so its check digits are valid by construction
and the truth carries the MRZ lines a reader must return. Signatures are handwriting-like.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

from vision import icao9303
from vision.synth import fonts, marks
from vision.synth.canvas import Canvas
from vision.synth.people import ICAO_CODES, NATIONALITY, Person, person

TD3_MM = (125.0, 88.0)
TD1_MM = (85.6, 54.0 * 2 + 6.0)
"""The card's front and back, one above the other with a gap, as a flatbed scan of both sides shows them."""

MRZ_PITCH_MM = 2.54
"""ICAO 9303: ten MRZ characters per inch."""

_EN = {
    "type": "Type", "code": "Code", "document_number": "Passport No", "surname": "Surname",
    "given_names": "Given names", "nationality": "Nationality", "birth_date": "Date of birth", "sex": "Sex",
    "place_of_birth": "Place of birth", "issue_date": "Date of issue", "expiry_date": "Date of expiry",
    "authority": "Authority", "personal_number": "Personal No", "signature": "Holder's signature",
    "card_number": "Document No",
}
_NATIONAL = {
    "GE": {"card_number": "ბარათის №", "type": "ტიპი", "code": "კოდი", "document_number": "პასპორტის №",
           "surname": "გვარი", "given_names": "სახელი", "nationality": "მოქალაქეობა",
           "birth_date": "დაბადების თარიღი", "sex": "სქესი",
           "place_of_birth": "დაბადების ადგილი", "issue_date": "გაცემის თარიღი", "expiry_date": "მოქმედების ვადა",
           "authority": "გამცემი ორგანო", "personal_number": "პირადი №", "signature": "ხელმოწერა"},
    "RU": {"card_number": "Номер документа", "type": "Тип", "code": "Код", "document_number": "Номер паспорта",
           "surname": "Фамилия", "given_names": "Имя", "nationality": "Гражданство", "birth_date": "Дата рождения",
           "sex": "Пол",
           "place_of_birth": "Место рождения", "issue_date": "Дата выдачи", "expiry_date": "Дата окончания срока",
           "authority": "Орган, выдавший документ", "personal_number": "Личный код", "signature": "Подпись"},
    "AM": {"surname": "Фамилия", "given_names": "Имя", "birth_date": "Дата рождения"},
    "TR": {"type": "Tipi", "code": "Ülke kodu", "document_number": "Pasaport No", "surname": "Soyadı",
           "given_names": "Adı", "nationality": "Uyruğu", "birth_date": "Doğum tarihi", "sex": "Cinsiyeti",
           "place_of_birth": "Doğum yeri", "issue_date": "Veriliş tarihi", "expiry_date": "Geçerlilik tarihi",
           "authority": "Makam", "personal_number": "T.C. Kimlik No", "signature": "İmza"},
    "AZ": {"surname": "Soyadı", "given_names": "Adı", "birth_date": "Doğum tarixi", "sex": "Cinsi"},
    "DE": {"type": "Typ", "code": "Kode", "document_number": "Pass-Nr.", "surname": "Name", "given_names": "Vornamen",
           "nationality": "Staatsangehörigkeit", "birth_date": "Geburtstag", "sex": "Geschlecht",
           "place_of_birth": "Geburtsort", "issue_date": "Ausstellungsdatum", "expiry_date": "Gültig bis",
           "authority": "Behörde", "signature": "Unterschrift"},
    "PL": {"surname": "Nazwisko", "given_names": "Imiona", "birth_date": "Data urodzenia", "sex": "Płeć"},
}
_TITLE = {"GE": "საქართველო GEORGIA", "RU": "РОССИЙСКАЯ ФЕДЕРАЦИЯ", "AM": "ARMENIA", "TR": "TÜRKİYE CUMHURİYETİ",
          "AZ": "AZƏRBAYCAN RESPUBLİKASI", "DE": "BUNDESREPUBLIK DEUTSCHLAND", "PL": "RZECZPOSPOLITA POLSKA"}
_PLACES = {"GE": ("TBILISI", "BATUMI", "KUTAISI"), "RU": ("MOSKVA", "ROSTOV-NA-DONU", "KRASNODAR"),
           "AM": ("YEREVAN", "GYUMRI"), "TR": ("İSTANBUL", "TRABZON", "ANKARA"), "AZ": ("BAKI", "GƏNCƏ"),
           "DE": ("BERLIN", "HAMBURG", "KÖLN"), "PL": ("WARSZAWA", "GDAŃSK")}
_AUTHORITY = {"GE": "PSDA", "RU": "МВД 77001", "AM": "001", "TR": "T.C. İÇİŞLERİ BAKANLIĞI", "AZ": "DMX",
              "DE": "STADT KÖLN", "PL": "MSWIA"}
_PASSPORT = {"GE": "პასპორტი / PASSPORT", "RU": "ПАСПОРТ / PASSPORT", "AM": "PASSPORT", "TR": "PASAPORT / PASSPORT",
             "AZ": "PASPORT / PASSPORT", "DE": "REISEPASS / PASSPORT", "PL": "PASZPORT / PASSPORT"}
_TINTS = ((234, 240, 228), (238, 232, 240), (230, 236, 244), (244, 238, 226))


def _label(country: str, key: str) -> str:
    national = _NATIONAL.get(country, {}).get(key)
    return f"{national} / {_EN[key]}" if national else _EN[key]


def _document_number(rng: random.Random, country: str) -> str:
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
    digits = "0123456789"

    def pick(alphabet: str, n: int) -> str:
        return "".join(rng.choice(alphabet) for _ in range(n))

    return {
        "GE": lambda: pick(digits, 2) + pick(letters, 2) + pick(digits, 5),
        "RU": lambda: pick(digits, 9),
        "AM": lambda: pick(letters, 2) + pick(digits, 7),
        "TR": lambda: "U" + pick(digits, 8),
        "AZ": lambda: "C" + pick(digits, 8),
        "DE": lambda: "C" + pick("CFGHJKLMNPRTVWXYZ0123456789", 8),
        "PL": lambda: pick(letters, 2) + pick(digits, 7),
    }[country]()


def _personal_number(rng: random.Random, country: str) -> str:
    if country in ("GE", "TR"):
        return "".join(rng.choice("0123456789") for _ in range(11))
    if country == "AZ":
        return "".join(rng.choice("0123456789ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(7))
    return ""


@dataclass(frozen=True)
class Identity:
    holder: Person
    code: str
    number: str
    born: date
    issued: date
    expires: date
    place_of_birth: str
    personal_number: str

    def mrz_holder(self, document_code: str) -> icao9303.Holder:
        return icao9303.Holder(document_code, self.code, self.number, self.code, self.born.strftime("%y%m%d"),
                               self.holder.sex, self.expires.strftime("%y%m%d"), self.holder.surname_latin,
                               self.holder.given_latin, self.personal_number)


def _identity(seed: int, layout: str) -> tuple[Identity, random.Random]:
    rng = random.Random(f"id_document:{layout}:{seed}")
    holder = person(rng)
    born = date(1955, 1, 1) + timedelta(days=rng.randrange(50 * 365))
    issued = date(2016, 1, 1) + timedelta(days=rng.randrange(9 * 365))
    years = 10 if rng.random() < 0.7 else 5
    expires = issued.replace(year=issued.year + years) - timedelta(days=1)
    identity = Identity(holder, ICAO_CODES[holder.country], _document_number(rng, holder.country), born, issued,
                        expires, rng.choice(_PLACES[holder.country]), _personal_number(rng, holder.country))
    return identity, rng


def _date(value: date, country: str) -> str:
    return value.strftime("%d.%m.%Y" if country in ("RU", "DE", "PL", "AZ", "TR") else "%d %m %Y")


def _background(canvas: Canvas, rng: random.Random) -> None:
    """A pale security tint with fine guilloche waves, the look a reader's binarisation must cope with."""
    width, height = canvas.image.size
    canvas.draw.rectangle((0, 0, width, height), fill=rng.choice(_TINTS))
    colour = (200 + rng.randrange(20), 200 + rng.randrange(20), 215 + rng.randrange(20))
    amplitude = height / 30
    for k in range(0, height, max(3, height // 60)):
        phase = rng.uniform(0, math.tau)
        points = [(x, k + amplitude * math.sin(x / width * math.tau * 3 + phase)) for x in range(0, width, 6)]
        canvas.draw.line(points, fill=colour, width=1)
    canvas.draw.rectangle((0, 0, width - 1, height - 1), outline=(120, 120, 120), width=max(1, canvas.px(0.3)))


def _photo(canvas: Canvas, x: float, y: float, w: float, h: float, rng: random.Random, *, ghost: bool = False) -> None:
    """A stand-in portrait: head and shoulders on a light ground (no real face is drawn)."""
    width, height = canvas.px(w), canvas.px(h)
    tone = rng.randrange(90, 170)
    ground = (225, 228, 232) if not ghost else (236, 238, 240)
    ink = (tone, tone - 20, tone - 40) if not ghost else (205, 205, 212)
    portrait = Image.new("RGB", (width, height), ground)
    draw = ImageDraw.Draw(portrait)
    head_w, head_h = width * rng.uniform(0.4, 0.5), height * rng.uniform(0.38, 0.45)
    top = height * rng.uniform(0.1, 0.17)
    draw.ellipse((width / 2 - head_w / 2, top, width / 2 + head_w / 2, top + head_h), fill=ink)
    draw.ellipse((width * 0.06, top + head_h * 1.05, width * 0.94, height * 1.5), fill=ink)
    box = canvas.paste(portrait, x, y)
    canvas.marks.append({"type": "photo", "box": list(box)})


def _mrz(canvas: Canvas, lines: tuple[str, ...], x: float, bottom: float, line_mm: float) -> None:
    pt = 10.0
    while canvas.width_mm_of("<" * len(lines[0]), pt, "mrz") > MRZ_PITCH_MM * len(lines[0]):
        pt -= 0.25
    top = bottom - line_mm * len(lines)
    for i, line in enumerate(lines):
        canvas.field(f"mrz_line{i + 1}", x, top + i * line_mm, line, pt, "mrz")


def _pair(canvas: Canvas, name: str, x: float, y: float, country: str, key: str, value: str, pt: float = 7.5,
          *, handwriting: bool = False, width: float | None = None) -> None:
    canvas.text(x, y, _label(country, key), canvas.fit_pt(_label(country, key), 4.5, width or 60, floor_pt=3.0))
    canvas.field(name, x, y + 2.2, value, pt, "bold", handwriting=handwriting, width_mm=width)


def _visual_zone(canvas: Canvas, ident: Identity, x: float, y: float, width: float) -> float:
    """The labelled data fields of a passport page, from (x, y); returns the y below them."""
    c, p = ident.holder.country, ident.holder
    row = 6.8
    col = width / 3
    _pair(canvas, "document_type", x, y, c, "type", "P")
    _pair(canvas, "issuing_state", x + col, y, c, "code", ident.code)
    _pair(canvas, "document_number", x + 2 * col, y, c, "document_number", ident.number, width=col)
    y += row
    native = p.surname != p.surname_latin.title() and not p.surname.isascii()
    _pair(canvas, "surname", x, y, c, "surname", f"{p.surname} / {p.surname_latin}" if native else p.surname_latin,
          width=width)
    y += row
    _pair(canvas, "given_names", x, y, c, "given_names",
          f"{p.given} / {p.given_latin}" if native else p.given_latin, width=width)
    y += row
    _pair(canvas, "nationality", x, y, c, "nationality", NATIONALITY[c][0], width=2 * col)
    _pair(canvas, "sex", x + 2 * col, y, c, "sex", p.sex)
    y += row
    _pair(canvas, "birth_date", x, y, c, "birth_date", _date(ident.born, c), width=col * 1.2)
    _pair(canvas, "place_of_birth", x + col * 1.3, y, c, "place_of_birth", ident.place_of_birth, width=col * 1.6)
    y += row
    _pair(canvas, "issue_date", x, y, c, "issue_date", _date(ident.issued, c), width=col * 1.2)
    _pair(canvas, "authority", x + col * 1.3, y, c, "authority", _AUTHORITY[c], width=col * 1.6)
    y += row
    _pair(canvas, "expiry_date", x, y, c, "expiry_date", _date(ident.expires, c), width=col * 1.2)
    if ident.personal_number:
        _pair(canvas, "personal_number", x + col * 1.3, y, c, "personal_number", ident.personal_number,
              width=col * 1.6)
    return y + row


def _truth(ident: Identity, fmt: str, lines: tuple[str, ...]) -> dict[str, Any]:
    return {"mrz": {"format": fmt, "lines": list(lines), "font": fonts.mrz_font_path().stem},
            "holder_country": ident.holder.country}


def draw_td3(canvas: Canvas, seed: int, data: Path) -> dict[str, Any]:
    """Passport data page: photo on the left, fields on the right, signature under the photo, MRZ."""
    ident, rng = _identity(seed, "td3")
    _background(canvas, rng)
    c = ident.holder.country
    canvas.text(62.5, 3, _TITLE[c], canvas.fit_pt(_TITLE[c], 8, 110, "bold"), "bold", align="centre")
    canvas.text(62.5, 7.5, _PASSPORT[c], 5.5, align="centre")
    _photo(canvas, 5, 13, 30, 38, rng)
    _visual_zone(canvas, ident, 40, 13, 80)
    canvas.text(5, 53, _label(c, "signature"), 4.0)
    canvas.field("holder_signature", 6, 55.5, ident.holder.surname_latin.title(), 10, handwriting=True)
    lines = icao9303.compose_td3(ident.mrz_holder("P"))
    _mrz(canvas, lines, 5.5, 85.5, 5.2)
    return _truth(ident, "TD3", lines)


def draw_td3_alt(canvas: Canvas, seed: int, data: Path) -> dict[str, Any]:
    """Passport data page of another issuer: photo on the right, a ghost image, a QR code (held out)."""
    ident, rng = _identity(seed, "td3")
    _background(canvas, rng)
    c = ident.holder.country
    canvas.text(4, 3, _TITLE[c], canvas.fit_pt(_TITLE[c], 7.5, 80, "bold"), "bold")
    _visual_zone(canvas, ident, 4, 10, 78)
    _photo(canvas, 88, 10, 32, 40, rng)
    _photo(canvas, 104, 52, 14, 18, rng, ghost=True)
    canvas.text(4, 60, _label(c, "signature"), 4.0)
    canvas.field("holder_signature", 40, 59, ident.holder.surname_latin.title(), 10, handwriting=True)
    marks.qr(canvas, 86, 52, f"{ident.code}{ident.number}", module_mm=0.45)
    lines = icao9303.compose_td3(ident.mrz_holder("P"))
    _mrz(canvas, lines, 5.5, 86.0, 5.0)
    return _truth(ident, "TD3", lines)


def draw_td1(canvas: Canvas, seed: int, data: Path) -> dict[str, Any]:
    """ID card: the front (photo, name, dates, signature) above the back (address, MRZ of three lines)."""
    ident, rng = _identity(seed, "td1")
    _background(canvas, rng)
    c, p = ident.holder.country, ident.holder
    back_top = 54.0 + 6.0
    canvas.draw.rectangle((0, canvas.px(54.0), canvas.image.width, canvas.px(back_top)), fill=(255, 255, 255))
    canvas.text(42.8, 2.5, _TITLE[c], canvas.fit_pt(_TITLE[c], 6.5, 80, "bold"), "bold", align="centre")
    canvas.text(42.8, 6.2, "IDENTITY CARD", 5, align="centre")
    _photo(canvas, 3, 10, 24, 31, rng)
    native = not p.surname.isascii()
    _pair(canvas, "surname", 30, 10, c, "surname", f"{p.surname} / {p.surname_latin}" if native else p.surname_latin,
          6.5, width=52)
    _pair(canvas, "given_names", 30, 16, c, "given_names", f"{p.given} / {p.given_latin}" if native else p.given_latin,
          6.5, width=52)
    _pair(canvas, "sex", 30, 22, c, "sex", p.sex, 6.5, width=11)
    _pair(canvas, "nationality", 42, 22, c, "nationality", ident.code, 6.5, width=17)
    _pair(canvas, "birth_date", 60, 22, c, "birth_date", _date(ident.born, c), 6.5, width=24)
    _pair(canvas, "document_number", 30, 28, c, "card_number", ident.number, 6.5, width=26)
    _pair(canvas, "expiry_date", 60, 28, c, "expiry_date", _date(ident.expires, c), 6.5, width=24)
    canvas.text(30, 36, _label(c, "signature"), 3.5)
    canvas.field("holder_signature", 32, 39, p.surname_latin.title(), 9, handwriting=True)
    _pair(canvas, "issue_date", 4, back_top + 3, c, "issue_date", _date(ident.issued, c), 6.5, width=30)
    _pair(canvas, "authority", 40, back_top + 3, c, "authority", _AUTHORITY[c], 6.5, width=42)
    _pair(canvas, "place_of_birth", 4, back_top + 10, c, "place_of_birth", ident.place_of_birth, 6.5, width=40)
    if ident.personal_number:
        _pair(canvas, "personal_number", 48, back_top + 10, c, "personal_number", ident.personal_number, 6.5,
              width=34)
    code = "ID" if rng.random() < 0.5 else "I"
    _pair(canvas, "document_type", 4, back_top + 17, c, "type", code, 6.5)
    _pair(canvas, "issuing_state", 24, back_top + 17, c, "code", ident.code, 6.5)
    lines = icao9303.compose_td1(ident.mrz_holder(code))
    _mrz(canvas, lines, 4.5, back_top + 52.5, 4.2)
    return _truth(ident, "TD1", lines)


def _copy(canvas: Canvas, seed: int, data: Path, draw: Callable[[Canvas, int, Path], dict[str, Any]],
          size_mm: tuple[float, float]) -> dict[str, Any]:
    """A photocopy on A4, as drivers carry one: the document somewhere on the glass, a grey lid around it."""
    rng = random.Random(f"id_document:copy:{seed}")
    lid = rng.randrange(215, 250)
    canvas.draw.rectangle((0, 0, canvas.image.width, canvas.image.height), fill=(lid, lid, lid))
    inner = Canvas(*size_mm, canvas.dpi, canvas.family, canvas.rng)
    extra = draw(inner, seed, data)
    if rng.random() < 0.6:  # most copiers print in black and white
        inner.image = inner.image.convert("L").convert("RGB")
    x = rng.uniform(8.0, canvas.width_mm - size_mm[0] - 8.0)
    y = rng.uniform(8.0, min(120.0, canvas.height_mm - size_mm[1] - 8.0))
    canvas.place(inner, x, y)
    canvas.marks.append({"type": "document", "box": [canvas.px(x), canvas.px(y), canvas.px(x + size_mm[0]),
                                                     canvas.px(y + size_mm[1])]})
    return extra


def draw_td3_copy(canvas: Canvas, seed: int, data: Path) -> dict[str, Any]:
    """A photocopy of a passport data page on an A4 sheet."""
    return _copy(canvas, seed, data, draw_td3, TD3_MM)


def draw_td1_copy(canvas: Canvas, seed: int, data: Path) -> dict[str, Any]:
    """A photocopy of both sides of an ID card on an A4 sheet."""
    return _copy(canvas, seed, data, draw_td1, TD1_MM)
