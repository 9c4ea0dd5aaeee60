"""Traders and their addresses in the kiosk's region, printed in the script a local firm would use.

Georgian firms write Georgian, Russian and Armenian firms often Russian (Cyrillic), Bulgarian ones
Cyrillic, Turkish and Azerbaijani ones Latin with their own letters; every country also has a
Latin form, as on documents made out for export. Names are invented; street and city names are real.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Literal

Script = Literal["latin", "cyrillic", "georgian"]


@dataclass(frozen=True)
class Party:
    """A trader as printed in a party box: name, street, 'postcode city', country."""

    name: str
    street: str
    city: str
    country: str
    country_code: str
    script: Script

    @property
    def town(self) -> str:
        """The city without its postcode."""
        return self.city.split(" ", 1)[-1]

    @property
    def lines(self) -> tuple[str, str, str]:
        return self.name, self.street, f"{self.city}, {self.country}"


@dataclass(frozen=True)
class Catalogue:
    code: str
    script: Script
    country: str
    companies: tuple[str, ...]
    streets: tuple[str, ...]
    cities: tuple[str, ...]


CATALOGUES: tuple[Catalogue, ...] = (
    Catalogue("GE", "latin", "Georgia",
              ("Kartuli Logistics LLC", "Caucasus Wine Export Ltd", "Rustavi Steel Trade LLC", "Black Sea Agro Ltd",
               "Kolkheti Hazelnut LLC", "Iberia Mineral Waters JSC"),
              ("12 Rustaveli Avenue", "45 Aghmashenebeli Ave", "7 Chavchavadze Street", "3 Gorgasali Street"),
              ("0108 Tbilisi", "6000 Batumi", "4600 Kutaisi", "3700 Rustavi", "2000 Zugdidi")),
    Catalogue("GE", "georgian", "საქართველო",
              ("შპს ქართული ლოჯისტიკა", "შპს კავკასიის ღვინო", "სს იბერიის მინერალური წყლები", "შპს შავი ზღვის აგრო",
               "შპს კოლხეთის თხილი"),
              ("რუსთაველის გამზ. 12", "აღმაშენებლის გამზ. 45", "ჭავჭავაძის ქ. 7", "გორგასლის ქ. 3"),
              ("0108 თბილისი", "6000 ბათუმი", "4600 ქუთაისი", "3700 რუსთავი")),
    Catalogue("TR", "latin", "Türkiye",
              ("Anadolu Tekstil A.Ş.", "Boğaziçi Gıda Ltd. Şti.", "Ege Makina Sanayi A.Ş.", "Karadeniz Fındık A.Ş.",
               "Çukurova Pamuk Ltd. Şti."),
              ("Atatürk Cad. No 15", "Cumhuriyet Bulvarı No 82", "İnönü Sok. No 4", "İstiklal Cad. No 120"),
              ("34010 İstanbul", "35210 İzmir", "61030 Trabzon", "06420 Ankara", "27000 Gaziantep")),
    Catalogue("AZ", "latin", "Azərbaycan",
              ("Xəzər Ticarət MMC", "Abşeron Qida MMC", "Gəncə Pambıq MMC", "Bakı Kargo Xidmətləri ASC"),
              ("Nizami küç. 25", "Heydər Əliyev pr. 110", "Füzuli küç. 3", "Neftçilər pr. 57"),
              ("AZ1000 Bakı", "AZ2000 Gəncə", "AZ5000 Sumqayıt")),
    Catalogue("AM", "latin", "Armenia",
              ("Ararat Brandy Export CJSC", "Yerevan Electro LLC", "Masis Stone Works", "Sevan Fish Trade LLC"),
              ("14 Abovyan Street", "36 Mashtots Avenue", "9 Tigran Mets Ave", "21 Komitas Avenue"),
              ("0010 Yerevan", "3101 Gyumri", "2201 Vanadzor")),
    Catalogue("AM", "cyrillic", "Армения",
              ("ЗАО «Арарат Экспорт»", "ООО «Ереван Электро»", "ООО «Севан Фиш Трейд»"),
              ("ул. Абовяна, 14", "пр. Маштоца, 36", "пр. Комитаса, 21"),
              ("0010 Ереван", "3101 Гюмри", "2201 Ванадзор")),
    Catalogue("RU", "latin", "Russia",
              ("Volga Trans Logistic OOO", "Sibirsky Les OOO", "Kuban Agro Holding", "Ural Metall Trade OOO"),
              ("Lenina Street 24", "Mira Prospekt 101", "Sadovaya Street 8", "Gagarina Street 56"),
              ("125009 Moscow", "344002 Rostov-on-Don", "350000 Krasnodar", "190000 St Petersburg")),
    Catalogue("RU", "cyrillic", "Россия",
              ("ООО «Волга Транс Логистик»", "ООО «Сибирский лес»", "АО «Кубань Агро»", "ООО «Урал Металл Трейд»",
               "ООО «Северный путь»"),
              ("ул. Ленина, 24", "пр. Мира, 101", "ул. Садовая, 8", "ул. Гагарина, 56"),
              ("125009 Москва", "344002 Ростов-на-Дону", "350000 Краснодар", "190000 Санкт-Петербург")),
    Catalogue("DE", "latin", "Deutschland",
              ("Rhein Spedition GmbH", "Nordwerk Maschinen GmbH", "Bayern Pharma Handel AG", "Elbe Logistik KG"),
              ("Hafenstraße 12", "Industrieweg 7", "Lindenallee 45", "Bahnhofstraße 3"),
              ("10115 Berlin", "20095 Hamburg", "80331 München", "50667 Köln")),
    Catalogue("PL", "latin", "Polska",
              ("Polmar Trans Sp. z o.o.", "Wisła Meble S.A.", "Bałtyk Foods Sp. z o.o.", "Kraków Chem S.A."),
              ("ul. Marszałkowska 84", "ul. Długa 17", "ul. Portowa 5", "ul. Polna 33"),
              ("00-017 Warszawa", "30-001 Kraków", "80-001 Gdańsk", "90-001 Łódź")),
    Catalogue("LT", "latin", "Lietuva",
              ("Baltic Road Cargo UAB", "Nemunas Dairy UAB", "Vilnius Timber UAB", "Klaipėda Port Trade UAB"),
              ("Gedimino pr. 9", "Laisvės al. 60", "Taikos pr. 141", "Savanorių pr. 28"),
              ("LT-01103 Vilnius", "LT-44240 Kaunas", "LT-91001 Klaipėda")),
    Catalogue("FR", "latin", "France",
              ("Transports Rhône SARL", "Vins de Provence SA", "Lyon Mécanique SAS"),
              ("12 rue de la République", "5 avenue Jean Jaurès", "27 quai Perrache"),
              ("69002 Lyon", "13001 Marseille", "75011 Paris")),
    Catalogue("IT", "latin", "Italia",
              ("Trasporti Adriatico S.r.l.", "Olio Toscano S.p.A.", "Meccanica Lombarda S.r.l."),
              ("Via Roma 18", "Corso Italia 42", "Via Garibaldi 7"),
              ("20121 Milano", "50123 Firenze", "30121 Venezia")),
    Catalogue("BG", "cyrillic", "България",
              ("Дунав Транс ЕООД", "Тракия Агро АД", "Варна Логистик ООД"),
              ("бул. Витоша 15", "ул. Раковски 48", "бул. Приморски 9"),
              ("1000 София", "9000 Варна", "4000 Пловдив")),
    Catalogue("RO", "latin", "România",
              ("Carpați Logistic S.R.L.", "Dunărea Cereale S.A.", "Transilvania Mobila S.R.L."),
              ("Str. Victoriei 22", "Bd. Unirii 14", "Str. Mihai Viteazu 3"),
              ("010063 București", "400001 Cluj-Napoca", "900001 Constanța")),
)

REGION_CODES: tuple[str, ...] = ("GE", "TR", "AZ", "AM", "RU", "DE", "PL", "LT", "FR", "IT", "BG", "RO")
"""Every country a party can come from; the first five are the kiosk's neighbours."""


def party(rng: random.Random, code: str | None = None, *, script: Script | None = None) -> Party:
    """A trader from `code` (or a random country, weighted to the region), in `script` where it has one."""
    if code is None:
        code = rng.choices(REGION_CODES, weights=(5, 4, 3, 2, 4, 2, 2, 1, 1, 1, 1, 1))[0]
    options = [cat for cat in CATALOGUES if cat.code == code]
    if not options:
        raise ValueError(f"no traders for country {code!r}")
    chosen = [cat for cat in options if cat.script == script] or options
    cat = rng.choice(chosen)
    return Party(rng.choice(cat.companies), rng.choice(cat.streets), rng.choice(cat.cities), cat.country, code,
                 cat.script)
