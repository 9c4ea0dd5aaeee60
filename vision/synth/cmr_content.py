"""What a synthetic CMR says: parties, plates, goods and dates, drawn from small built-in lists.

Kept apart from the drawing code so the content rules (plate formats, how the weight is
printed, what the ground truth of a field is) can be read and changed in one place.
`cmr_content` (the classic page) is ASCII Latin so the zonal reader can use the `eng` Tesseract
model; `varied_cmr_content` (the other layouts) writes parties in their own script.
"""

from __future__ import annotations

import csv
import functools
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

DEFAULT_HS_CSV = Path(__file__).resolve().parents[3] / "shared" / "data" / "hs" / "harmonized-system.csv"
"""The shared HS nomenclature beside the repository; optional (built-in goods are used without it)."""


@dataclass(frozen=True)
class Country:
    code: str
    name: str
    companies: tuple[str, ...]
    streets: tuple[str, ...]
    cities: tuple[tuple[str, str], ...]  # (postcode, city)


COUNTRIES: tuple[Country, ...] = (
    Country(
        "GE",
        "Georgia",
        ("Kartuli Logistics LLC", "Caucasus Wine Export Ltd", "Rustavi Steel Trade LLC", "Black Sea Agro Ltd"),
        ("12 Rustaveli Avenue", "45 Aghmashenebeli Ave", "7 Chavchavadze Street", "88 Tsereteli Avenue"),
        (("0108", "Tbilisi"), ("6000", "Batumi"), ("4600", "Kutaisi"), ("3700", "Rustavi")),
    ),
    Country(
        "TR",
        "Turkey",
        ("Anadolu Tekstil AS", "Bosphorus Gida Ltd", "Ege Makina Sanayi AS", "Karadeniz Findik AS"),
        ("Ataturk Cad. No 15", "Cumhuriyet Blv. No 82", "Inonu Sok. No 4", "Istiklal Cad. No 120"),
        (("34010", "Istanbul"), ("35210", "Izmir"), ("61030", "Trabzon"), ("06420", "Ankara")),
    ),
    Country(
        "AZ",
        "Azerbaijan",
        ("Caspian Trade Group LLC", "Absheron Foods LLC", "Ganja Cotton MMC", "Baku Cargo Services"),
        ("25 Nizami Street", "110 Heydar Aliyev Ave", "3 Fuzuli Street", "57 Neftchilar Avenue"),
        (("AZ1000", "Baku"), ("AZ2000", "Ganja"), ("AZ5000", "Sumqayit")),
    ),
    Country(
        "AM",
        "Armenia",
        ("Ararat Brandy Export CJSC", "Yerevan Electro LLC", "Masis Stone Works", "Sevan Fish Trade LLC"),
        ("14 Abovyan Street", "36 Mashtots Avenue", "9 Tigran Mets Ave", "21 Komitas Avenue"),
        (("0010", "Yerevan"), ("3101", "Gyumri"), ("2201", "Vanadzor")),
    ),
    Country(
        "RU",
        "Russia",
        ("Volga Trans Logistic OOO", "Sibirsky Les OOO", "Kuban Agro Holding", "Ural Metall Trade OOO"),
        ("Lenina Street 24", "Mira Prospekt 101", "Sadovaya Street 8", "Gagarina Street 56"),
        (("125009", "Moscow"), ("344002", "Rostov-on-Don"), ("350000", "Krasnodar"), ("190000", "St Petersburg")),
    ),
    Country(
        "DE",
        "Germany",
        ("Rhein Spedition GmbH", "Nordwerk Maschinen GmbH", "Bayern Pharma Handel AG", "Elbe Logistik KG"),
        ("Hafenstrasse 12", "Industrieweg 7", "Lindenallee 45", "Bahnhofstrasse 3"),
        (("10115", "Berlin"), ("20095", "Hamburg"), ("80331", "Munich"), ("50667", "Cologne")),
    ),
    Country(
        "PL",
        "Poland",
        ("Polmar Trans Sp. z o.o.", "Wisla Meble SA", "Baltic Foods Sp. z o.o.", "Krakow Chem SA"),
        ("ul. Marszalkowska 84", "ul. Dluga 17", "ul. Portowa 5", "ul. Polna 33"),
        (("00-017", "Warsaw"), ("30-001", "Krakow"), ("80-001", "Gdansk"), ("90-001", "Lodz")),
    ),
    Country(
        "LT",
        "Lithuania",
        ("Baltic Road Cargo UAB", "Nemunas Dairy UAB", "Vilnius Timber UAB", "Klaipeda Port Trade"),
        ("Gedimino pr. 9", "Laisves al. 60", "Taikos pr. 141", "Savanoriu pr. 28"),
        (("01103", "Vilnius"), ("44240", "Kaunas"), ("91001", "Klaipeda")),
    ),
)

_LATIN = "ABCDEFGHJKLMNPRSTUVWXYZ"
"""Plate letters: I, O and Q are left out, as most of these countries do on their plates."""
_RU_LETTERS = "ABEKMHOPCTYX"
_TR_LETTERS = "".join(letter for letter in _LATIN if letter not in "QWX")
"""Turkish plates use the Latin letters of the Turkish alphabet, which has no Q, W or X."""
_NO_U = _LATIN.replace("U", "")
"""French and Italian plates leave out U too (it reads as V)."""
"""The Cyrillic plate letters that have Latin look-alikes, printed in Latin so the OCR language is eng."""


def _letters(rng: random.Random, n: int, alphabet: str = _LATIN) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def plate_for(country_code: str, rng: random.Random) -> str:
    """A registration number in the country's printed format."""
    if country_code == "GE":
        return f"{_letters(rng, 2)}-{_digits(rng, 3)}-{_letters(rng, 2)}"
    if country_code == "TR":
        n_letters = rng.randint(1, 3)
        n_digits = {1: 4, 2: rng.choice((3, 4)), 3: rng.choice((2, 3))}[n_letters]
        return f"{rng.randint(1, 81):02d} {_letters(rng, n_letters, _TR_LETTERS)} {_digits(rng, n_digits)}"
    if country_code == "AZ":
        return f"{rng.randint(1, 99):02d}-{_letters(rng, 2)}-{_digits(rng, 3)}"
    if country_code == "AM":
        return f"{rng.randint(1, 99):02d} {_letters(rng, 2)} {_digits(rng, 3)}"
    if country_code == "RU":
        region = rng.choice(("77", "177", "777", "61", "161", "23", "123", "78", "05"))
        return f"{rng.choice(_RU_LETTERS)}{_digits(rng, 3)}{_letters(rng, 2, _RU_LETTERS)} {region}"
    if country_code == "DE":
        district = rng.choice(("B", "HH", "M", "K", "F", "DU", "HB"))
        return f"{district}-{_letters(rng, rng.randint(1, 2))} {rng.randint(1, 9999)}"
    if country_code == "PL":
        return f"{rng.choice(('WA', 'KR', 'GD', 'EL', 'WI', 'PO'))} {_digits(rng, 5)}"
    if country_code == "LT":
        return f"{_letters(rng, 3)} {_digits(rng, 3)}"
    if country_code == "FR":
        return f"{_letters(rng, 2, _NO_U)}-{_digits(rng, 3)}-{_letters(rng, 2, _NO_U)}"
    if country_code == "IT":
        first = rng.choice(_NO_U.replace("X", ""))  # X first marks a trailer
        return f"{first}{_letters(rng, 1, _NO_U)} {_digits(rng, 3)} {_letters(rng, 2, _NO_U)}"
    if country_code == "BG":
        province = rng.choice(("CA", "CB", "C", "B", "PB", "A", "E"))
        return f"{province} {_digits(rng, 4)} {_letters(rng, 2, _RU_LETTERS)}"
    if country_code == "RO":
        county = rng.choice(("B", "CJ", "CT", "IS", "TM", "BV"))
        return f"{county} {_digits(rng, 3 if county == 'B' else 2)} {_letters(rng, 3)}"
    raise ValueError(f"no plate format for country {country_code!r}")


def format_weight(kg: int) -> str:
    """Kilograms as printed on the form, thousands separated by a space: 18240 -> '18 240 kg'."""
    return f"{kg:,}".replace(",", " ") + " kg"


def address_lines(country: Country, rng: random.Random) -> tuple[str, str, str]:
    """Name, street, and 'postcode city, country': the three lines printed in a party box."""
    postcode, city = rng.choice(country.cities)
    return rng.choice(country.companies), rng.choice(country.streets), f"{postcode} {city}, {country.name}"


_BUILT_IN_GOODS: tuple[tuple[str, str], ...] = (
    ("080211", "Almonds; fresh or dried, in shell"),
    ("080221", "Hazelnuts; fresh or dried, in shell"),
    ("220421", "Wine; still, in containers of 2 litres or less"),
    ("610910", "T-shirts, singlets; of cotton, knitted"),
    ("720851", "Iron or non-alloy steel; flat-rolled"),
    ("940360", "Furniture; wooden, other than for offices"),
    ("847130", "Portable automatic data processing machines"),
    ("030389", "Fish; frozen"),
)


@functools.lru_cache(maxsize=4)
def _hs_goods(path: Path) -> tuple[tuple[str, str], ...]:
    """Six-digit HS subheadings (code, description) from the shared CSV, or the built-in list."""
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            rows = [
                (row["hscode"], row["description"])
                for row in csv.DictReader(handle)
                if row.get("level") == "6" and row["description"].isascii()
            ]
    except (OSError, KeyError, csv.Error):
        return _BUILT_IN_GOODS
    return tuple(rows) or _BUILT_IN_GOODS


_PACKING = ("Pallets", "Cartons", "Bags", "Crates", "Drums", "Bundles", "Boxes")
_DOCUMENTS = (
    "Invoice No {n}",
    "Packing list No {n}",
    "Certificate of origin No {n}",
    "Phytosanitary cert. No {n}",
)


def cmr_content(seed: int, hs_csv: Path = DEFAULT_HS_CSV) -> dict[str, tuple[str, ...]]:
    """The text lines of every filled box, keyed by `cmr_layout` box key, for one seed.

    Also returns the title's document number under "cmr_number". Weight is under
    "gross_weight" as printed ("18 240 kg").
    """
    rng = random.Random(seed)
    sender_country, consignee_country = rng.sample(COUNTRIES, 2)
    carrier_country = rng.choice((sender_country, consignee_country, rng.choice(COUNTRIES)))
    sender = address_lines(sender_country, rng)
    consignee = address_lines(consignee_country, rng)
    carrier = address_lines(carrier_country, rng)
    loaded_on = date(2025, 1, 1) + timedelta(days=rng.randrange(365))
    hs_code, description = rng.choice(_hs_goods(hs_csv))
    packages = rng.randint(1, 33)
    kg = rng.randint(1200, 24000)
    doc_no = _digits(rng, 6)
    sender_city = sender[2].split(" ", 1)[1]
    consignee_city = consignee[2].split(" ", 1)[1]
    return {
        "cmr_number": (f"{sender_country.code} {_digits(rng, 7)}",),
        "sender": sender,
        "consignee": consignee,
        "place_of_delivery": (consignee_city,),
        "taking_over": (sender_city, loaded_on.strftime("%d.%m.%Y")),
        "documents_attached": tuple(tpl.format(n=doc_no) for tpl in rng.sample(_DOCUMENTS, 2)),
        "marks": (f"{consignee_country.code}-{doc_no}",),
        "packages": (str(packages),),
        "packing": (rng.choice(_PACKING),),
        "goods": (description,),
        "statistical_number": (f"{hs_code[:4]}.{hs_code[4:]}",),
        "gross_weight": (format_weight(kg),),
        "volume": (f"{rng.randint(5, 90)}.{rng.randint(0, 9)} m3",),
        "sender_instructions": (rng.choice(("Keep dry", "Do not stack", "Handle with care", "Keep cool")),),
        "payment_instructions": (rng.choice(("Freight prepaid", "Freight collect")),),
        "cash_on_delivery": ("None",),
        "carrier": carrier,
        "vehicle_reg": (plate_for(carrier_country.code, rng),),
        "successive_carriers": ("None",),
        "carrier_reservations": ("Goods and packing in apparent good order",),
        "special_agreements": ("Temperature +2..+8 C" if rng.random() < 0.3 else "None",),
        "to_be_paid_by": ("Carriage charges: " + rng.choice(("sender", "consignee")),),
        "established": (f"{sender_city} {loaded_on.strftime('%d.%m.%Y')}",),
        "sender_signature": (sender[0],),
        "carrier_signature": (carrier[0],),
        "goods_received": (),
    }


_INSTRUCTIONS = {
    "latin": ("Keep dry", "Do not stack", "Handle with care", "Keep cool", "Customs seal No {n}"),
    "cyrillic": ("Беречь от влаги", "Не кантовать", "Осторожно, хрупкое", "Хранить при +2..+8 °C",
                 "Таможенная пломба № {n}"),
    "georgian": ("დაიცავით ტენისგან", "არ გადააბრუნოთ", "ფრთხილად, მსხვრევადი", "საბაჟო ლუქი № {n}"),
}
_RESERVATIONS = {
    "latin": ("Goods and packing in apparent good order", "Seal intact, not checked inside", "None"),
    "cyrillic": ("Груз и упаковка в видимо исправном состоянии", "Пломба цела", "Нет"),
    "georgian": ("ტვირთი და შეფუთვა გარეგნულად წესრიგშია", "ლუქი მთელია", "არა"),
}
_PAYMENT = {
    "latin": ("Freight prepaid", "Freight collect", "Carriage paid to {city}"),
    "cyrillic": ("Фрахт оплачен", "Фрахт за счёт получателя", "Оплата до {city}"),
    "georgian": ("ფრახტი გადახდილია", "ფრახტს იხდის მიმღები"),
}


def varied_cmr_content(rng: random.Random, hs_csv: Path = DEFAULT_HS_CSV) -> dict[str, tuple[str, ...]]:
    """Box lines for the varied CMR layouts: parties in their own script, containers, several goods lines.

    Same keys as `cmr_content`; the script of the free-text boxes follows the sender's.
    """
    from vision.synth.iso6346 import container_number
    from vision.synth.parties import party

    sender = party(rng, script=rng.choice(("latin", "cyrillic", "georgian")))
    consignee = party(rng, rng.choice([c for c in ("GE", "TR", "AZ", "AM", "RU", "DE", "PL", "IT", "BG")
                                       if c != sender.country_code]))
    carrier = party(rng, rng.choice((sender.country_code, consignee.country_code, "GE", "TR", "LT", "PL")),
                    script="latin")
    script = sender.script
    loaded_on = date(2025, 1, 1) + timedelta(days=rng.randrange(540))
    goods = rng.sample(_hs_goods(hs_csv), rng.randint(1, 3))
    kg = rng.randint(300, 24000)
    doc_no = _digits(rng, 6)
    container = container_number(rng) if rng.random() < 0.6 else ""
    sender_city = sender.city.split(" ", 1)[-1]
    consignee_city = consignee.city.split(" ", 1)[-1]
    seal = _digits(rng, 7)
    return {
        "cmr_number": (f"{sender.country_code} {_digits(rng, 7)}",),
        "sender": sender.lines,
        "consignee": consignee.lines,
        "place_of_delivery": (f"{consignee_city}, {consignee.country}",),
        "taking_over": (f"{sender_city}, {sender.country}", loaded_on.strftime(rng.choice(("%d.%m.%Y", "%d/%m/%Y")))),
        "documents_attached": tuple(tpl.format(n=doc_no) for tpl in rng.sample(_DOCUMENTS, rng.randint(1, 3))),
        "marks": tuple(filter(None, (f"{consignee.country_code}-{doc_no}", container))),
        "packages": (str(rng.randint(1, 33)),),
        "packing": (rng.choice(_PACKING),),
        "goods": tuple(description for _, description in goods),
        "statistical_number": tuple(f"{code[:4]}.{code[4:]}" for code, _ in goods),
        "gross_weight": (format_weight(kg),),
        "volume": (f"{rng.randint(5, 90)}.{rng.randint(0, 9)} m3",),
        "sender_instructions": (rng.choice(_INSTRUCTIONS[script]).format(n=seal),),
        "payment_instructions": (rng.choice(_PAYMENT[script]).format(city=consignee_city),),
        "cash_on_delivery": (rng.choice(("None", "—")),) if rng.random() < 0.8 else (),
        "carrier": carrier.lines,
        "vehicle_reg": (f"{plate_for(carrier.country_code, rng)}" + (
            f" / {plate_for(carrier.country_code, rng)}" if rng.random() < 0.5 else ""),),
        "successive_carriers": ("None",) if rng.random() < 0.7 else (),
        "carrier_reservations": (rng.choice(_RESERVATIONS[script]),),
        "special_agreements": ("Temperature +2..+8 C" if rng.random() < 0.3 else "None",),
        "to_be_paid_by": ("Carriage charges: " + rng.choice(("sender", "consignee")),),
        "established": (f"{sender_city} {loaded_on.strftime('%d.%m.%Y')}",),
        "sender_signature": (sender.name,),
        "carrier_signature": (carrier.name,),
        "goods_received": ((loaded_on + timedelta(days=rng.randint(2, 9))).strftime("%d.%m.%Y"),)
        if rng.random() < 0.5 else (),
    }
