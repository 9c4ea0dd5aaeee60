"""Every text the kiosk shows, in Georgian, English and Russian.

Kept in one table so a missing translation is a test failure, not a blank button at 3 a.m.
"""

from __future__ import annotations

LANGUAGES: tuple[str, ...] = ("ka", "en", "ru")

# The name of each language in itself, for the language buttons.
LANGUAGE_NAMES: dict[str, str] = {"ka": "ქართული", "en": "English", "ru": "Русский"}

STRINGS: dict[str, dict[str, str]] = {
    "title": {
        "ka": "CEZ საბაჟო კიოსკი",
        "en": "CEZ Customs Kiosk",
        "ru": "Таможенный киоск CEZ",
    },
    "welcome": {
        "ka": "მოგესალმებით! დაასკანერეთ თქვენი CMR.",
        "en": "Welcome! Scan your CMR.",
        "ru": "Добро пожаловать! Отсканируйте вашу CMR.",
    },
    "scan_cmr": {"ka": "CMR-ის სკანირება", "en": "Scan CMR", "ru": "Сканировать CMR"},
    "connected": {"ka": "სისტემა მზადაა", "en": "System ready", "ru": "Система готова"},
    "disconnected": {"ka": "დაკავშირება…", "en": "Connecting…", "ru": "Подключение…"},
    "reading": {
        "ka": "თქვენი დოკუმენტი იკითხება…",
        "en": "Reading your document…",
        "ru": "Читаем ваш документ…",
    },
    "review_title": {
        "ka": "შეამოწმეთ და შეასწორეთ",
        "en": "Check and correct",
        "ru": "Проверьте и исправьте",
    },
    "low_confidence": {
        "ka": "გთხოვთ, შეამოწმოთ",
        "en": "Please check",
        "ru": "Пожалуйста, проверьте",
    },
    "field_sender": {"ka": "გამგზავნი", "en": "Sender", "ru": "Отправитель"},
    "field_consignee": {"ka": "მიმღები", "en": "Consignee", "ru": "Получатель"},
    "field_vehicle_plate": {
        "ka": "ავტომობილის ნომერი",
        "en": "Vehicle plate",
        "ru": "Номер автомобиля",
    },
    "field_gross_weight_kg": {
        "ka": "ბრუტო წონა, კგ",
        "en": "Gross weight, kg",
        "ru": "Вес брутто, кг",
    },
    "confirm": {"ka": "დადასტურება", "en": "Confirm", "ru": "Подтвердить"},
    "cancel": {"ka": "გაუქმება", "en": "Cancel", "ru": "Отмена"},
    "sending": {"ka": "იგზავნება…", "en": "Sending…", "ru": "Отправка…"},
    "reference": {"ka": "თქვენი ნომერი", "en": "Your reference", "ru": "Ваш номер"},
    "take_receipt": {
        "ka": "აიღეთ თქვენი ქვითარი",
        "en": "Take your receipt",
        "ru": "Возьмите ваш чек",
    },
    "receipt_not_printed": {
        "ka": "ქვითარი ვერ დაიბეჭდა. ჩაიწერეთ ეს ნომერი.",
        "en": "The receipt could not be printed. Please note this number.",
        "ru": "Чек не напечатан. Запишите этот номер.",
    },
    "back_home": {"ka": "მთავარ გვერდზე", "en": "Back to start", "ru": "В начало"},
    "one_moment": {"ka": "ერთი წუთით…", "en": "One moment…", "ru": "Одну минуту…"},
    "reconnecting": {
        "ka": "სისტემა მალე დაბრუნდება.",
        "en": "The system will be back shortly.",
        "ru": "Система скоро вернётся.",
    },
    "error_title": {
        "ka": "ვერ მოხერხდა",
        "en": "That did not work",
        "ru": "Не получилось",
    },
    "error_generic": {
        "ka": "რაღაც შეცდომა მოხდა. სცადეთ თავიდან.",
        "en": "Something went wrong. Please try again.",
        "ru": "Что-то пошло не так. Попробуйте ещё раз.",
    },
    "error_scanner_not_ready": {
        "ka": "სკანერი არ არის მზად. მოითმინეთ და სცადეთ თავიდან.",
        "en": "The scanner is not ready. Please wait and try again.",
        "ru": "Сканер не готов. Подождите и попробуйте снова.",
    },
    "error_feeder_empty": {
        "ka": "ჩადეთ დოკუმენტი სკანერში.",
        "en": "Please put your document into the scanner.",
        "ru": "Положите документ в сканер.",
    },
    "error_unknown_session": {
        "ka": "სესია ამოიწურა. დაიწყეთ თავიდან.",
        "en": "This session has expired. Please start again.",
        "ru": "Сеанс истёк. Начните заново.",
    },
    "error_already_confirmed": {
        "ka": "ეს დოკუმენტი უკვე დადასტურებულია.",
        "en": "This document has already been confirmed.",
        "ru": "Этот документ уже подтверждён.",
    },
}

# Server details we know how to explain, matched by a phrase they contain (the core's texts are
# English and for operators; the driver gets the translated sentence).
_KNOWN_DETAILS: tuple[tuple[str, str], ...] = (
    ("feeder", "error_feeder_empty"),
    ("already confirmed", "error_already_confirmed"),
    ("session", "error_unknown_session"),
    ("scanner", "error_scanner_not_ready"),
)


def tr(key: str, language: str) -> str:
    """The text for `key` in `language`; English if the language is unknown."""
    texts = STRINGS[key]
    return texts.get(language, texts["en"])


def error_key(detail: str) -> str:
    """The string key that explains a server `detail` to a driver, or the generic one."""
    lowered = detail.lower()
    for phrase, key in _KNOWN_DETAILS:
        if phrase in lowered:
            return key
    return "error_generic"
