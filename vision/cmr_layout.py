"""Geometry of the printed IRU CMR consignment note (A4 portrait), in millimetres.

The generator prints the form from this table and the reader crops fields from it, so the
two can never disagree about where a box is. Every box prints its number and a trilingual
label (English / Russian / Georgian) in a band at its top; `Box.content_rect` is what is
left for the filled-in text, which is the only part a reader should look at.
"""

from __future__ import annotations

from dataclasses import dataclass

PAGE_WIDTH_MM = 210.0
PAGE_HEIGHT_MM = 297.0

LABEL_LINE_MM = 2.6
"""Height of one printed label line; a box's label band is a whole number of these."""

LABEL_BAND_GAP_MM = 0.8
"""Space between the label band and the content, so label descenders stay out of the content."""


@dataclass(frozen=True)
class Rect:
    """An axis-aligned rectangle: top-left corner and size, in millimetres."""

    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    def inset(self, mm: float) -> Rect:
        """The rectangle shrunk by `mm` on every side (never below zero size)."""
        return Rect(self.x + mm, self.y + mm, max(0.0, self.w - 2 * mm), max(0.0, self.h - 2 * mm))

    def to_pixels(self, width_px: int, height_px: int) -> tuple[int, int, int, int]:
        """(left, top, right, bottom) in pixels of a full-page image of the given size."""
        sx = width_px / PAGE_WIDTH_MM
        sy = height_px / PAGE_HEIGHT_MM
        left = max(0, round(self.x * sx))
        top = max(0, round(self.y * sy))
        right = min(width_px, round(self.right * sx))
        bottom = min(height_px, round(self.bottom * sy))
        return left, top, right, bottom


@dataclass(frozen=True)
class Box:
    """One printed box (or a labelled sub-area of one, such as the vehicle registration in box 16).

    `label_lines` is 1 when the label is printed "EN / RU / KA" on one line, 3 when each
    language takes its own line (narrow boxes). Sub-areas that sit at the bottom of a box
    are removed from its content area.
    """

    number: int | None
    key: str
    label: str
    rect: Rect
    label_lines: int = 1
    sub_areas: tuple[Box, ...] = ()

    @property
    def label_parts(self) -> tuple[str, ...]:
        """The label split by language: (English, Russian, Georgian)."""
        return tuple(part.strip() for part in self.label.split(" / "))

    @property
    def label_rect(self) -> Rect:
        return Rect(self.rect.x, self.rect.y, self.rect.w, self.label_lines * LABEL_LINE_MM)

    @property
    def content_rect(self) -> Rect:
        top = self.rect.y + self.label_lines * LABEL_LINE_MM + LABEL_BAND_GAP_MM
        bottom = min([self.rect.bottom, *(sub.rect.y for sub in self.sub_areas)])
        return Rect(self.rect.x, top, self.rect.w, max(0.0, bottom - top))


_L, _M, _R = 10.0, 105.0, 200.0  # left frame edge, column split, right frame edge
_HALF = _M - _L

TITLE_RECT = Rect(_M, 10.0, _R - _M, 30.0)
"""The unnumbered title block ("INTERNATIONAL CONSIGNMENT NOTE", CMR number) beside box 1."""

VEHICLE_REG = Box(
    None,
    "vehicle_reg",
    "Vehicle reg. No / Гос. номер / სახ. ნომერი",
    Rect(_M, 62.0, _R - _M, 12.0),
)

BOXES: tuple[Box, ...] = (
    Box(1, "sender", "Sender (name, address, country) / Отправитель / გამგზავნი", Rect(_L, 10.0, _HALF, 30.0)),
    Box(2, "consignee", "Consignee (name, address, country) / Получатель / მიმღები", Rect(_L, 40.0, _HALF, 34.0)),
    Box(
        3,
        "place_of_delivery",
        "Place of delivery of the goods / Место разгрузки / მიწოდების ადგილი",
        Rect(_L, 74.0, _HALF, 16.0),
    ),
    Box(
        4,
        "taking_over",
        "Place and date of taking over the goods / Место и дата погрузки / მიღების ადგილი და თარიღი",
        Rect(_L, 90.0, _HALF, 16.0),
    ),
    Box(
        5,
        "documents_attached",
        "Documents attached / Прилагаемые документы / თანდართული დოკუმენტები",
        Rect(_L, 106.0, _HALF, 16.0),
    ),
    Box(6, "marks", "Marks and Nos / Знаки и номера / ნიშნები და ნომრები", Rect(_L, 122.0, 26.0, 50.0), 3),
    Box(7, "packages", "Number of packages / Кол-во мест / ადგილები", Rect(36.0, 122.0, 18.0, 50.0), 3),
    Box(8, "packing", "Method of packing / Род упаковки / შეფუთვა", Rect(54.0, 122.0, 20.0, 50.0), 3),
    Box(
        9,
        "goods",
        "Nature of the goods / Наименование груза / ტვირთის დასახელება",
        Rect(74.0, 122.0, 58.0, 50.0),
        3,
    ),
    Box(
        10,
        "statistical_number",
        "Statistical number / Стат. номер / სტატ. ნომერი",
        Rect(132.0, 122.0, 22.0, 50.0),
        3,
    ),
    Box(11, "gross_weight", "Gross weight, kg / Вес брутто, кг / ბრუტო წონა, კგ", Rect(154.0, 122.0, 28.0, 50.0), 3),
    Box(12, "volume", "Volume, m3 / Объём, м3 / მოცულობა, მ3", Rect(182.0, 122.0, 18.0, 50.0), 3),
    Box(
        13,
        "sender_instructions",
        "Sender's instructions / Указания отправителя / გამგზავნის მითითებები",
        Rect(_L, 172.0, _HALF, 24.0),
    ),
    Box(
        14,
        "payment_instructions",
        "Instructions as to payment for carriage / Условия оплаты / გადახდის პირობები",
        Rect(_L, 196.0, _HALF, 12.0),
    ),
    Box(
        15,
        "cash_on_delivery",
        "Cash on delivery / Наложенный платёж / ნალოჟენი გადახდა",
        Rect(_L, 208.0, _HALF, 10.0),
    ),
    Box(
        16,
        "carrier",
        "Carrier (name, address, country) / Перевозчик / გადამზიდავი",
        Rect(_M, 40.0, _R - _M, 34.0),
        sub_areas=(VEHICLE_REG,),
    ),
    Box(
        17,
        "successive_carriers",
        "Successive carriers / Последующие перевозчики / მომდევნო გადამზიდავები",
        Rect(_M, 74.0, _R - _M, 16.0),
    ),
    Box(
        18,
        "carrier_reservations",
        "Carrier's reservations and observations / Оговорки перевозчика / გადამზიდავის შენიშვნები",
        Rect(_M, 90.0, _R - _M, 32.0),
    ),
    Box(
        19,
        "special_agreements",
        "Special agreements / Особые согласования / განსაკუთრებული შეთანხმებები",
        Rect(_M, 172.0, _R - _M, 14.0),
    ),
    Box(20, "to_be_paid_by", "To be paid by / Подлежит оплате / გადამხდელი", Rect(_M, 186.0, _R - _M, 32.0)),
    Box(21, "established", "Established in ... on ... / Составлена в ... / შედგენილია", Rect(_L, 218.0, _R - _L, 12.0)),
    Box(
        22,
        "sender_signature",
        "Signature and stamp of the sender / Подпись отправителя / გამგზავნის ხელმოწერა",
        Rect(_L, 230.0, 63.0, 45.0),
        3,
    ),
    Box(
        23,
        "carrier_signature",
        "Signature and stamp of the carrier / Подпись перевозчика / გადამზიდავის ხელმოწერა",
        Rect(73.0, 230.0, 63.0, 45.0),
        3,
    ),
    Box(
        24,
        "goods_received",
        "Goods received (consignee) / Груз получен / ტვირთი მიღებულია",
        Rect(136.0, 230.0, 64.0, 45.0),
        3,
    ),
)

BOX_BY_NUMBER: dict[int, Box] = {box.number: box for box in BOXES if box.number is not None}

CMR_NUMBER = Box(None, "cmr_number", "", Rect(TITLE_RECT.x + 40.0, TITLE_RECT.y + 15.0, TITLE_RECT.w - 40.0, 10.0), 0)
"""Where the title block prints the note's own number ("No GE 1234567"), right of the large "CMR"."""

FIELD_AREAS: dict[str, Box] = {
    "sender": BOX_BY_NUMBER[1],
    "consignee": BOX_BY_NUMBER[2],
    "vehicle_plate": VEHICLE_REG,
    "gross_weight_kg": BOX_BY_NUMBER[11],
    "cmr_number": CMR_NUMBER,
    "carrier": BOX_BY_NUMBER[16],
    "place_of_delivery": BOX_BY_NUMBER[3],
    "taking_over": BOX_BY_NUMBER[4],
    "packages": BOX_BY_NUMBER[7],
    "goods": BOX_BY_NUMBER[9],
    "statistical_number": BOX_BY_NUMBER[10],
}
"""Where each field that the customs flow needs is printed (the contract's CMR field names); the classic
geometry, used when a page's ruling cannot be followed."""
