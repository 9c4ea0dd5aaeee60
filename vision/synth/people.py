"""Document holders: names in the national script with the Latin form printed beside it and in the MRZ.

The Latin forms follow ICAO 9303's transliteration rules (Cyrillic: Я -> IA, Ж -> ZH; German
umlauts: Ü -> UE; Turkish and Azerbaijani letters lose their marks); they are written out here
rather than computed, as the passport offices print them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# (native, Latin) pairs per country; for Latin-script countries the native form has the diacritics.
_NAMES: dict[str, tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]] = {
    # country: (male given names, female given names, surnames)
    "GE": (
        (("გიორგი", "GIORGI"), ("დავით", "DAVIT"), ("ლევან", "LEVAN"), ("ლაშა", "LASHA"), ("ირაკლი", "IRAKLI")),
        (("ნინო", "NINO"), ("თამარ", "TAMAR"), ("მარიამ", "MARIAM"), ("ანა", "ANA"), ("ეკატერინე", "EKATERINE")),
        (("ბერიძე", "BERIDZE"), ("კაპანაძე", "KAPANADZE"), ("გელაშვილი", "GELASHVILI"), ("მაისურაძე", "MAISURADZE"),
         ("ლომიძე", "LOMIDZE"), ("ჯაფარიძე", "JAPARIDZE")),
    ),
    "RU": (
        (("Иван", "IVAN"), ("Алексей", "ALEKSEI"), ("Дмитрий", "DMITRII"), ("Сергей", "SERGEI")),
        (("Ольга", "OLGA"), ("Мария", "MARIIA"), ("Наталья", "NATALIA"), ("Юлия", "IULIIA")),
        (("Петров", "PETROV"), ("Смирнов", "SMIRNOV"), ("Волков", "VOLKOV"), ("Морозов", "MOROZOV"),
         ("Жуков", "ZHUKOV")),
    ),
    "AM": (
        (("Армен", "ARMEN"), ("Давид", "DAVID"), ("Тигран", "TIGRAN")),
        (("Ани", "ANI"), ("Мариам", "MARIAM"), ("Лилит", "LILIT")),
        (("Петросян", "PETROSYAN"), ("Саргсян", "SARGSYAN"), ("Акопян", "HAKOBYAN")),
    ),
    "TR": (
        (("Mehmet", "MEHMET"), ("Mustafa", "MUSTAFA"), ("Çağan", "CAGAN"), ("Oğuz", "OGUZ")),
        (("Ayşe", "AYSE"), ("Fatma", "FATMA"), ("Gülşen", "GULSEN"), ("Zeynep", "ZEYNEP")),
        (("Yılmaz", "YILMAZ"), ("Kaya", "KAYA"), ("Demir", "DEMIR"), ("Şahin", "SAHIN"), ("Öztürk", "OZTURK")),
    ),
    "AZ": (
        (("Elçin", "ELCIN"), ("Rəşad", "RASHAD"), ("Orxan", "ORKHAN")),
        (("Günel", "GUNEL"), ("Leyla", "LEYLA"), ("Aygün", "AYGUN")),
        (("Məmmədov", "MAMMADOV"), ("Əliyev", "ALIYEV"), ("Hüseynov", "HUSEYNOV"), ("Quliyev", "GULIYEV")),
    ),
    "DE": (
        (("Jürgen", "JUERGEN"), ("Lukas", "LUKAS"), ("Stefan", "STEFAN")),
        (("Anna", "ANNA"), ("Sophie", "SOPHIE"), ("Käthe", "KAETHE")),
        (("Müller", "MUELLER"), ("Schmidt", "SCHMIDT"), ("Weiß", "WEISS"), ("Schäfer", "SCHAEFER")),
    ),
    "PL": (
        (("Łukasz", "LUKASZ"), ("Piotr", "PIOTR"), ("Krzysztof", "KRZYSZTOF")),
        (("Agnieszka", "AGNIESZKA"), ("Małgorzata", "MALGORZATA")),
        (("Kowalski", "KOWALSKI"), ("Wiśniewski", "WISNIEWSKI"), ("Wójcik", "WOJCIK")),
    ),
}

ICAO_CODES = {"GE": "GEO", "RU": "RUS", "AM": "ARM", "TR": "TUR", "AZ": "AZE", "DE": "D", "PL": "POL"}
"""ICAO 9303 three-letter codes (Germany is the single letter D)."""

NATIONALITY = {
    "GE": ("GEORGIAN", "ქართველი"), "RU": ("RUSSIAN", "РОССИЯ"), "AM": ("ARMENIAN", "АРМЕНИЯ"),
    "TR": ("TÜRKİYE CUMHURİYETİ", "T.C."), "AZ": ("AZƏRBAYCAN", "AZE"), "DE": ("DEUTSCH", "GERMAN"),
    "PL": ("POLSKIE", "POLISH"),
}


@dataclass(frozen=True)
class Person:
    country: str
    surname: str
    surname_latin: str
    given: str
    given_latin: str
    sex: str


def person(rng: random.Random, country: str | None = None) -> Person:
    """A holder from `country` (or one of the region's), with one or two given names."""
    code = country or rng.choices(list(_NAMES), weights=(5, 4, 2, 3, 2, 1, 1))[0]
    males, females, surnames = _NAMES[code]
    sex = rng.choice("MF")
    given_pool = males if sex == "M" else females
    givens = rng.sample(given_pool, 2 if rng.random() < 0.25 else 1)
    surname, surname_latin = rng.choice(surnames)
    if code in ("RU", "AM") and sex == "F" and surname_latin.endswith("V"):  # Petrov -> Petrova
        surname, surname_latin = surname + "а", surname_latin + "A"
    return Person(code, surname, surname_latin, " ".join(g[0] for g in givens), " ".join(g[1] for g in givens), sex)
