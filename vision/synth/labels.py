"""Printed field labels of the trade documents in English, Russian and Georgian.

Forms in the region print bilingual or trilingual labels; which languages, and in which order,
is part of a page's variety (`Langs`).
"""

from __future__ import annotations

import random

Langs = tuple[int, ...]
"""Indexes into a label's (English, Russian, Georgian) forms, in printing order."""

LABELS: dict[str, tuple[str, str, str]] = {
    "invoice": ("COMMERCIAL INVOICE", "КОММЕРЧЕСКИЙ ИНВОЙС", "კომერციული ინვოისი"),
    "packing_list": ("PACKING LIST", "УПАКОВОЧНЫЙ ЛИСТ", "შეფუთვის ფურცელი"),
    "certificate_of_origin": ("CERTIFICATE OF ORIGIN", "СЕРТИФИКАТ ПРОИСХОЖДЕНИЯ", "წარმოშობის სერტიფიკატი"),
    "seller": ("Seller / Exporter", "Продавец / Экспортёр", "გამყიდველი / ექსპორტიორი"),
    "buyer": ("Buyer / Importer", "Покупатель / Импортёр", "მყიდველი / იმპორტიორი"),
    "consignee": ("Consignee", "Грузополучатель", "მიმღები"),
    "invoice_number": ("Invoice No", "Инвойс №", "ინვოისის №"),
    "invoice_date": ("Date", "Дата", "თარიღი"),
    "currency": ("Currency", "Валюта", "ვალუტა"),
    "incoterm": ("Incoterms 2020", "Инкотермс 2020", "ინკოტერმსი 2020"),
    "contract": ("Contract No", "Контракт №", "კონტრაქტის №"),
    "origin": ("Country of origin", "Страна происхождения", "წარმოშობის ქვეყანა"),
    "transport": ("Means of transport", "Транспортное средство", "სატრანსპორტო საშუალება"),
    "description": ("Description of goods", "Наименование товара", "საქონლის აღწერა"),
    "hs_code": ("HS code", "Код ТН ВЭД", "სასაქონლო კოდი"),
    "quantity": ("Qty", "Кол-во", "რაოდ."),
    "unit": ("Unit", "Ед.", "ერთ."),
    "unit_price": ("Unit price", "Цена", "ფასი"),
    "amount": ("Amount", "Сумма", "თანხა"),
    "net_kg": ("Net, kg", "Нетто, кг", "ნეტო, კგ"),
    "gross_kg": ("Gross, kg", "Брутто, кг", "ბრუტო, კგ"),
    "packages": ("Packages", "Мест", "ადგილი"),
    "total": ("Total", "Итого", "სულ"),
    "total_net": ("Total net weight, kg", "Вес нетто, кг", "ნეტო წონა, კგ"),
    "total_gross": ("Total gross weight, kg", "Вес брутто, кг", "ბრუტო წონა, კგ"),
    "signature": ("Signature and stamp", "Подпись и печать", "ხელმოწერა და ბეჭედი"),
    "signed_by": ("Name of signatory", "ФИО подписавшего", "ხელმომწერი"),
    "container": ("Container No", "Контейнер №", "კონტეინერის №"),
    "package_no": ("Package", "Место", "ადგილი"),
    "dimensions": ("Dimensions, cm", "Размеры, см", "ზომები, სმ"),
    "marks": ("Marks and numbers", "Маркировка", "მარკირება"),
    "certificate_number": ("Certificate No", "Сертификат №", "სერტიფიკატის №"),
    "issued_by": ("Issuing authority", "Выдан", "გამცემი ორგანო"),
    "destination": ("Country of destination", "Страна назначения", "დანიშნულების ქვეყანა"),
    "place_date": ("Place and date", "Место и дата", "ადგილი და თარიღი"),
}

LANG_SETS: tuple[Langs, ...] = ((0,), (0, 1), (0, 2), (0, 1, 2), (1, 0), (2, 0))


def label(key: str, langs: Langs) -> str:
    """The label in the chosen languages, joined with ' / '."""
    forms = LABELS[key]
    return " / ".join(forms[i] for i in langs)


def pick_langs(rng: random.Random) -> Langs:
    return rng.choice(LANG_SETS)
