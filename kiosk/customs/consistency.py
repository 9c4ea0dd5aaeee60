"""Cross-document consistency: what the CMR, the invoice, the certificate of origin and the packing list say of
the same consignment, compared field by field.

Only values both documents give are compared: a field a page lacks is the validators' and the driver's
business, not an inconsistency. Each disagreement is one `Finding` with code `consistency.<aspect>`, field
`sets.<aspect>` (`sets.goods[<n>]` for invoice line n), and params naming both documents and both values
(`document`, `value`, `other_document`, `other_value`).

Severity rule: an ERROR where the declaration would carry a false figure or a false claim, so the documents
cannot all be right: weights beyond the tolerance, package counts, HS codes on a document that the invoice
does not list, the country of origin. A WARNING where documents may legitimately differ or the comparison is
a heuristic: parties (a forwarder may send goods a trader sold; names are compared loosely), goods
descriptions, one line's weight (the totals carry the error; a line paired by its number may be another),
HS codes the invoice lists but another document leaves out (the CMR's box 10 is often partial, a certificate
may cover the originating goods only), destination, invoice references, the vehicle and the container.
"""

from __future__ import annotations

import difflib
import operator
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kiosk.customs.documents import (
    Certificate,
    CertificateLine,
    Cmr,
    Invoice,
    InvoiceLine,
    PackingLine,
    PackingList,
    Party,
)
from kiosk.customs.findings import Finding, Severity, finding

LEGAL_FORMS = frozenset({
    "llc", "ltd", "limited", "inc", "corp", "co", "company", "plc", "llp", "gmbh", "ag", "kg", "se", "sa", "as",
    "sti", "sp", "z", "o", "oo", "uab", "ab", "oy", "bv", "nv", "srl", "spa", "sro", "kft", "jsc", "cjsc", "ojsc",
    "pjsc", "ooo", "mmc", "asc", "qsc", "ооо", "зао", "оао", "пао", "ао", "ип", "тоо", "шпс", "შპს", "სს", "ссп",
})
"""Legal-form words left out of a name before comparing (LLC, Ltd, GmbH, A.Ş., Sp. z o.o., ООО, ЗАО, შპს, სს...),
lower case and without diacritics: the same firm writes its form differently from one document to the next."""
SAME_NAME = 0.85
"""Names at least this similar (difflib's ratio, after normalising) are one firm misread by a letter or two."""
DESCRIPTION_PREFIX = 5
"""Description words are compared by their first letters: 'hazelnut' and 'hazelnuts' are one word."""


@dataclass(frozen=True)
class Tolerance:
    """How far two weights of one consignment may differ: the larger of `absolute_kg` and `relative` of the larger
    weight. The defaults cover printing rounding (the CMR prints whole kilograms, the invoice one decimal) and
    scales at loading; beyond them one document is wrong."""

    relative: Decimal = Decimal("0.005")
    absolute_kg: Decimal = Decimal("1")

    def __post_init__(self) -> None:
        limits = (self.relative, self.absolute_kg)
        if not all(isinstance(limit, Decimal) and limit.is_finite() and limit >= 0 for limit in limits):
            raise ValueError(f"a weight tolerance is a finite Decimal, not negative: got {limits}")

    def allows(self, first: Decimal, second: Decimal) -> bool:
        return abs(first - second) <= max(self.absolute_kg, self.relative * max(abs(first), abs(second)))


@dataclass(frozen=True)
class _Said:
    """One document's value for an aspect."""

    document: str
    value: Any
    shown: str


def _script(text: str) -> str | None:
    """The script most letters of `text` are written in (LATIN, CYRILLIC, GEORGIAN, ...)."""
    counts: dict[str, int] = {}
    for char in text:
        if char.isalpha():
            script = unicodedata.name(char, "UNKNOWN").split(" ")[0]
            counts[script] = counts.get(script, 0) + 1
    return max(counts, key=lambda script: counts[script]) if counts else None


def _words(text: str) -> list[str]:
    """Lower-case words without diacritics or punctuation ('A.Ş.' -> 'as', '«Арарат»' -> 'арарат')."""
    plain = "".join(ch for ch in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(ch))
    return re.sub(r"[^\w\s]", "", re.sub(r"(?<=\w)[.'’](?=\w)", "", plain)).split()


def name_key(name: str) -> str:
    """A firm's name without case, punctuation, diacritics and legal-form words."""
    kept = [word for word in _words(name) if word not in LEGAL_FORMS]
    return " ".join(kept) or " ".join(_words(name))


def same_party(first: Party, second: Party) -> bool | None:
    """Whether two party boxes name one firm; None when they cannot be compared (names in different scripts with
    no country on one side): a firm writes its name in its own script on one document and in Latin on another."""
    if _script(first.name) != _script(second.name):
        if first.country and second.country:
            return first.country == second.country
        return None
    one, other = name_key(first.name), name_key(second.name)
    if one == other or difflib.SequenceMatcher(None, one, other).ratio() >= SAME_NAME:
        return True
    shorter, longer = sorted((set(one.split()), set(other.split())), key=len)
    return len(shorter) >= 2 and shorter <= longer


def _hs_match(code: str, others: Iterable[str]) -> bool:
    """Whether `code` is one of `others` at six digits, or within one of them at the precision both carry (a CMR's
    four-digit heading matches the invoice's subheadings under it)."""
    return any(code[:min(len(code), len(other), 6)] == other[:min(len(code), len(other), 6)] for other in others)


def _significant(text: str) -> set[str]:
    return {word[:DESCRIPTION_PREFIX] for word in _words(text) if len(word) >= 4 and word.isalpha()}


class _Checker:
    def __init__(self, tolerance: Tolerance) -> None:
        self.tolerance = tolerance
        self.findings: list[Finding] = []

    def flag(self, aspect: str, template: str, severity: Severity, first: _Said, second: _Said,
             where: str | None = None, **more: Any) -> None:
        self.findings.append(finding(f"consistency.{aspect}", f"sets.{where or aspect}", template, severity,
                                     document=first.document, value=first.shown,
                                     other_document=second.document, other_value=second.shown, **more))

    def against_most(self, aspect: str, said: Sequence[_Said], same: Callable[[Any, Any], bool | None],
                     template: str, severity: Severity) -> None:
        """Each document's value against the one most others agree with (ties: the earliest in `said`, whose order
        is the caller's), so one odd document is one finding, not one per document that agrees."""
        if len(said) < 2:
            return
        agreeing = [sum(same(one.value, other.value) is True for other in said if other is not one) for one in said]
        reference = said[agreeing.index(max(agreeing))]
        for other in said:
            if other is not reference and same(reference.value, other.value) is False:
                self.flag(aspect, template, severity, reference, other)


def _party(document: str, party: Party | None) -> list[_Said]:
    return [_Said(document, party, party.name)] if party is not None else []


def _number(document: str, value: Decimal | int | None) -> list[_Said]:
    return [_Said(document, value, str(value))] if value is not None else []


def _text(document: str, value: str | None) -> list[_Said]:
    return [_Said(document, value, value)] if value is not None else []


def _line_sum(values: Sequence[Decimal | int | None]) -> Decimal | None:
    """The lines' total when every line gives its value, else None (a sum of some lines is no total)."""
    return Decimal(sum(value for value in values if value is not None)) \
        if values and all(value is not None for value in values) else None


def _parties(check: _Checker, cmr: Cmr, invoice: Invoice, certificate: Certificate | None,
             packing: PackingList | None) -> None:
    exporters = [*_party("invoice", invoice.seller.value), *_party("cmr", cmr.sender.value)]
    consignees = [*_party("invoice", invoice.buyer.value), *_party("cmr", cmr.consignee.value)]
    if certificate is not None:
        exporters += _party("certificate_of_origin", certificate.exporter.value)
        consignees += _party("certificate_of_origin", certificate.consignee.value)
    if packing is not None:
        exporters += _party("packing_list", packing.shipper.value)
        consignees += _party("packing_list", packing.consignee.value)
    check.against_most("exporter", exporters, same_party,
                        "The exporter differs: {document} names {value}, {other_document} names {other_value}",
                        Severity.WARNING)
    check.against_most("consignee", consignees, same_party,
                        "The consignee differs: {document} names {value}, {other_document} names {other_value}",
                        Severity.WARNING)


def _weights(check: _Checker, cmr: Cmr, invoice: Invoice, certificate: Certificate | None,
             packing: PackingList | None) -> None:
    within = check.tolerance.allows
    invoice_gross = invoice.total_gross_kg.value if invoice.total_gross_kg.present \
        else _line_sum([line.gross_kg.value for line in invoice.lines])
    gross = [*_number("cmr", cmr.gross_weight.value), *_number("invoice", invoice_gross)]
    net = _number("invoice", invoice.total_net_kg.value)
    if packing is not None:
        gross += _number("packing_list", packing.total_gross_kg.value)
        net += _number("packing_list", packing.total_net_kg.value)
    if certificate is not None:
        gross += _number("certificate_of_origin", certificate.gross_mass.value)
    template = "The {weight} weight differs: {{document}} gives {{value}} kg, {{other_document}} {{other_value}} kg"
    check.against_most("gross_weight", gross, within, template.format(weight="gross"), Severity.ERROR)
    check.against_most("net_weight", net, within, template.format(weight="net"), Severity.ERROR)


def _packages(check: _Checker, cmr: Cmr, certificate: Certificate | None, packing: PackingList | None) -> None:
    counts = _number("cmr", cmr.packages.value)
    if packing is not None:
        counts += _number("packing_list", packing.total_packages.value if packing.total_packages.present
                          else _line_sum([line.packages.value for line in packing.lines]))
    if certificate is not None:
        counts += _number("certificate_of_origin", _line_sum([line.packages.value for line in certificate.lines]))
    check.against_most("packages", counts, operator.eq,
                        "The number of packages differs: {document} gives {value}, {other_document} {other_value}",
                        Severity.ERROR)


def _countries(check: _Checker, cmr: Cmr, invoice: Invoice, certificate: Certificate | None) -> None:
    origins = _text("invoice", invoice.origin.value)
    destinations = [*_text("cmr", cmr.consignee.value.country if cmr.consignee.value else None),
                    *_text("invoice", invoice.buyer.value.country if invoice.buyer.value else None)]
    if certificate is not None:
        origins += _text("certificate_of_origin", certificate.origin_country.value)
        destinations += _text("certificate_of_origin", certificate.destination_country.value)
    check.against_most("origin", origins, operator.eq,
                        "The country of origin differs: {document} gives {value}, {other_document} {other_value}",
                        Severity.ERROR)
    check.against_most("destination", destinations, operator.eq,
                        "The destination differs: {document} gives {value}, {other_document} {other_value}",
                        Severity.WARNING)


def _plain(text: str) -> str:
    """Letters and digits only, in capitals: plates and container numbers are printed with and without spaces and
    dashes."""
    return re.sub(r"[\W_]", "", text).upper()


def _references(check: _Checker, invoice: Invoice, certificate: Certificate | None,
                packing: PackingList | None) -> None:
    number = invoice.invoice_number.value
    if number is None:
        return
    key = _plain(number)
    named = [("packing_list", packing.invoice_number.value)] if packing and packing.invoice_number.value else []
    if certificate is not None:
        named += [("certificate_of_origin", value) for value in sorted(certificate.invoice_numbers)]
    for document, value in named:
        if _plain(value) != key:
            check.flag("invoice_reference", "The invoice number differs: {document} is {value}, {other_document} "
                       "names {other_value}", Severity.WARNING, _Said("invoice", number, number),
                       _Said(document, value, value))


def _transport(check: _Checker, cmr: Cmr, certificate: Certificate | None, packing: PackingList | None) -> None:
    """The CMR's truck against the packing list's and the certificate's transport box, and a container the packing
    list names against the CMR's marks: WARNINGs, since a truck may change after the papers were made out."""
    plate = cmr.vehicle_plate.value
    if plate is None:
        return
    template = "The vehicle differs: {document} gives {value}, {other_document} {other_value}"
    named = [("packing_list", packing.vehicle_plate.value)] if packing and packing.vehicle_plate.value else []
    if certificate is not None and certificate.transport.value:
        named.append(("certificate_of_origin", certificate.transport.value))
    for document, text in named:
        if _plain(plate) not in _plain(text):
            check.flag("vehicle", template, Severity.WARNING, _Said("cmr", plate, plate), _Said(document, text, text))
    container, marks = (packing.container.value if packing else None), cmr.marks.value
    if container and marks and _plain(container) not in _plain(marks):
        check.flag("container", "The container differs: {document} gives {value}, {other_document} marks {other_value}",
                   Severity.WARNING, _Said("packing_list", container, container), _Said("cmr", marks, marks))


def _codes(document: str, codes: Iterable[str | None]) -> tuple[str, tuple[str, ...]]:
    return document, tuple(code for code in codes if code)


def _hs_codes(check: _Checker, cmr: Cmr, invoice: Invoice, certificate: Certificate | None,
              packing: PackingList | None) -> None:
    reference = _codes("invoice", (line.hs_code.value for line in invoice.lines))
    if not reference[1]:
        return
    shown = ", ".join(reference[1])
    others = [_codes("cmr", cmr.statistical_number.value or ())]
    if certificate is not None:
        others.append(_codes("certificate_of_origin", (line.hs_code.value for line in certificate.lines)))
    if packing is not None:
        others.append(_codes("packing_list", (line.hs_code.value for line in packing.lines)))
    for document, codes in others:
        if not codes:
            continue
        for code in codes:
            if not _hs_match(code, reference[1]):
                check.flag("hs_code", "HS code {value} on the {document} is not on the {other_document} "
                           "({other_value})", Severity.ERROR, _Said(document, code, code),
                           _Said("invoice", reference[1], shown))
        for code in reference[1]:
            if not _hs_match(code, codes):
                check.flag("hs_code_missing", "HS code {value} of the {document} is not on the {other_document} "
                           "({other_value})", Severity.WARNING, _Said("invoice", code, code),
                           _Said(document, codes, ", ".join(codes)))


def _line_pairs(invoice: Invoice, certificate: Certificate | None,
                packing: PackingList | None) -> list[tuple[InvoiceLine, str, CertificateLine | PackingLine]]:
    """(invoice line, document, its line) for each invoice line another document itemises: the line of the same HS
    code, else of the same number (an EUR.1 prints no codes)."""
    others: list[tuple[str, Sequence[CertificateLine | PackingLine]]] = []
    if certificate is not None:
        others.append(("certificate_of_origin", certificate.lines))
    if packing is not None:
        others.append(("packing_list", packing.lines))
    pairs = []
    for document, lines in others:
        for line in invoice.lines:
            code = line.hs_code.value
            pair = next((other for other in lines if code and other.hs_code.value == code),
                        next((other for other in lines if other.number == line.number), None))
            if pair is not None:
                pairs.append((line, document, pair))
    return pairs


def _goods(check: _Checker, cmr: Cmr, invoice: Invoice,
           pairs: Sequence[tuple[InvoiceLine, str, CertificateLine | PackingLine]]) -> None:
    """Each invoice line's description against the other documents' goods: a WARNING when they share no word.

    The CMR's box 9 is one text for all goods, so it need only share a word with some invoice line."""
    template = "The goods differ: {document} says '{value}', {other_document} says '{other_value}'"
    described = [text for line in invoice.lines if (text := line.description.value)]
    if cmr.goods.value and described and not any(_significant(text) & _significant(cmr.goods.value)
                                                 for text in described):
        check.flag("goods", template, Severity.WARNING, _Said("invoice", described[0], described[0]),
                   _Said("cmr", cmr.goods.value, cmr.goods.value))
    for line, document, other in pairs:
        text, said = line.description.value, other.description.value
        if text and said and not _significant(text) & _significant(said):
            check.flag("goods", template, Severity.WARNING, _Said("invoice", text, text), _Said(document, said, said),
                       where=f"goods[{line.number}]")


def _line_weights(check: _Checker, pairs: Sequence[tuple[InvoiceLine, str, CertificateLine | PackingLine]]) -> None:
    """A line's gross weight against the invoice's: a WARNING, since the totals' comparison carries the error and a
    line paired by its number only may be another line."""
    for line, document, other in pairs:
        mine, theirs = line.gross_kg.value, other.gross_kg.value
        if mine is not None and theirs is not None and not check.tolerance.allows(mine, theirs):
            check.flag("line_gross_weight", "The gross weight of line {line} differs: {document} gives {value} kg, "
                       "{other_document} {other_value} kg", Severity.WARNING, _Said("invoice", mine, str(mine)),
                       _Said(document, theirs, str(theirs)), where=f"goods[{line.number}].gross_weight",
                       line=line.number)


def check_consistency(cmr: Cmr, invoice: Invoice, certificate: Certificate | None = None,
                      packing_list: PackingList | None = None, *, tolerance: Tolerance | None = None) -> list[Finding]:
    """Every disagreement between the documents of one consignment, per field (see the module for the rule)."""
    check = _Checker(tolerance or Tolerance())
    _parties(check, cmr, invoice, certificate, packing_list)
    pairs = _line_pairs(invoice, certificate, packing_list)
    _goods(check, cmr, invoice, pairs)
    _line_weights(check, pairs)
    _hs_codes(check, cmr, invoice, certificate, packing_list)
    _packages(check, cmr, certificate, packing_list)
    _weights(check, cmr, invoice, certificate, packing_list)
    _countries(check, cmr, invoice, certificate)
    _references(check, invoice, certificate, packing_list)
    _transport(check, cmr, certificate, packing_list)
    return check.findings
