"""The export-declaration draft as XML, in the form `docs/declaration.xsd` defines, and back.

Element names are the model's field names in the model's order, so the XML, the JSON form and `sad.py` read
alike; a tuple becomes a wrapper holding one child per entry (`items/item`), and an absent optional value or an
empty tuple is left out. The SAD box of each element is documented in the XSD, not repeated in every draft.

Decimals go from `Decimal` to text without a float: money is written with exactly two decimals (the model allows
no more, so nothing is ever rounded: a third decimal raises `decimal.Inexact`); masses and quantities are written
with the decimals they carry, trailing zeros dropped, never in exponent form.

Text may hold tab and line feed but no other control character: XML 1.0 cannot carry most of them, a parser turns
a carriage return into a line feed, and DEL or C1 controls are never part of a real name or address. Such text is
refused with a finding before anything is written, so no malformed or silently altered declaration leaves the box.
"""

from __future__ import annotations

import unicodedata
import xml.etree.ElementTree as ET
from datetime import date, datetime
from decimal import Context, Decimal, Inexact
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel

from kiosk.customs.findings import Finding, finding
from kiosk.customs.sad import Draft

NAMESPACE = "urn:cez-kiosk:declaration:1"

_ROOT = "draft"
_ENTRY = {"containers": "container", "documents": "document", "items": "item"}
_MONEY = frozenset({"invoice_total", "freight", "insurance", "invoice_amount", "statistical_value"})
_CENT = Decimal("0.01")
_EXACT = Context(traps=[Inexact])


class DeclarationXmlError(ValueError):
    """A draft that cannot be written as XML, or XML that is not a draft; `finding` says why, translatably."""

    def __init__(self, problem: Finding) -> None:
        super().__init__(problem.message)
        self.finding = problem


def to_xml(draft: Draft) -> bytes:
    """UTF-8 XML with an XML declaration; raises `DeclarationXmlError` for text XML cannot carry."""
    root = ET.Element(_tag(_ROOT))
    _write_model(root, draft, "")
    ET.indent(root)
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True, default_namespace=NAMESPACE)
    return data


def from_xml(data: bytes) -> Draft:
    """The draft that `to_xml` wrote; values are checked by the model (pydantic), not by the XSD."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as error:
        raise DeclarationXmlError(
            finding("declaration.xml.malformed", "xml", "The declaration is not well-formed XML: {reason}.",
                    reason=str(error))
        ) from error
    if root.tag != _tag(_ROOT):
        raise DeclarationXmlError(
            finding("declaration.xml.root", "xml", "The root element is {found}; {expected} was expected.",
                    found=root.tag, expected=_tag(_ROOT))
        )
    return Draft.model_validate(_read_model(Draft, root, ""))


def _tag(name: str) -> str:
    return f"{{{NAMESPACE}}}{name}"


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _write_model(parent: ET.Element, model: BaseModel, path: str) -> None:
    for name in type(model).model_fields:
        value = getattr(model, name)
        where = _join(path, name)
        if value is None or value == ():
            continue
        if isinstance(value, tuple):
            wrapper = ET.SubElement(parent, _tag(name))
            for index, entry in enumerate(value):
                _write_value(wrapper, _ENTRY[name], entry, f"{where}[{index}]")
        else:
            _write_value(parent, name, value, where)


def _write_value(parent: ET.Element, name: str, value: object, where: str) -> None:
    element = ET.SubElement(parent, _tag(name))
    if isinstance(value, BaseModel):
        _write_model(element, value, where)
    elif isinstance(value, Decimal):
        exact = value.quantize(_CENT, context=_EXACT) if name in _MONEY else value.normalize()
        element.text = format(exact, "f")
    elif isinstance(value, date | datetime):
        element.text = value.isoformat()
    else:
        element.text = _writable(str(value), where)


def _writable(text: str, where: str) -> str:
    for position, char in enumerate(text):
        if char not in "\t\n" and (unicodedata.category(char) == "Cc" or char in "\ufffe\uffff"):
            raise DeclarationXmlError(
                finding("declaration.xml.character", where,
                        "{path} holds the character {codepoint} at position {position}; XML cannot carry it, "
                        "and only tab and line feed are allowed among control characters.",
                        path=where, codepoint=f"U+{ord(char):04X}", position=position)
            )
    return text


def _read_model(model: type[BaseModel], element: ET.Element, path: str) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for child in element:
        name = child.tag.removeprefix(f"{{{NAMESPACE}}}")
        where = _join(path, name)
        field = model.model_fields.get(name)
        if field is None or name in values or name == child.tag:
            raise _unexpected(child, where)
        if name in _ENTRY:
            entry_type = get_args(field.annotation)[0]
            entries = []
            for index, entry in enumerate(child):
                if entry.tag != _tag(_ENTRY[name]):
                    raise _unexpected(entry, f"{where}[{index}]")
                entries.append(_read_value(entry_type, entry, f"{where}[{index}]"))
            values[name] = entries
        else:
            values[name] = _read_value(field.annotation, child, where)
    return values


def _read_value(annotation: Any, element: ET.Element, where: str) -> Any:
    model = next((arg for arg in (annotation, *get_args(annotation))
                  if isinstance(arg, type) and issubclass(arg, BaseModel)), None)
    if model is not None:
        return _read_model(model, element, where)
    if len(element):
        raise _unexpected(element[0], _join(where, element[0].tag.removeprefix(f"{{{NAMESPACE}}}")))
    text = element.text or ""
    # XML text is always a string; a Literal of ints (transport mode) is the one type pydantic will not coerce.
    literal_ints = get_origin(annotation) is Literal and all(isinstance(arg, int) for arg in get_args(annotation))
    if literal_ints and text.isascii() and text.isdigit():
        return int(text)
    return text


def _unexpected(element: ET.Element, where: str) -> DeclarationXmlError:
    return DeclarationXmlError(
        finding("declaration.xml.element", where, "The element {element} is unknown or repeated here.",
                element=element.tag)
    )
