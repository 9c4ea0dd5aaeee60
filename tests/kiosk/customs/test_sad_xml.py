"""The export-declaration draft as XML (checked by the real xmllint against docs/declaration.xsd) and as JSON."""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, get_args

import pytest
from pydantic import BaseModel, ValidationError

from kiosk.customs.sad import (
    INCOTERMS_2020,
    DocumentRef,
    Draft,
    GeneralSegment,
    Item,
    Party,
    Transport,
    Valuation,
)
from kiosk.customs.sad_xml import NAMESPACE, DeclarationXmlError, from_xml, to_xml

XSD = Path(__file__).resolve().parents[3] / "docs" / "declaration.xsd"
XS = "{http://www.w3.org/2001/XMLSchema}"
NS = f"{{{NAMESPACE}}}"


def _item(number: int, **changes: Any) -> Item:
    values: dict[str, Any] = {
        "number": number,
        "description": "Red dry wine Saperavi, 0.75 l bottles",
        "packages": 12,
        "package_kind": "pallets",
        "hs_code": "22042109",
        "origin_country": "GE",
        "gross_kg": Decimal("9840.5"),
        "net_kg": Decimal("7200.125"),
        "quantity": Decimal("7200"),
        "unit": "l",
        "invoice_amount": Decimal("21600.00"),
        "statistical_value": Decimal("58104.00"),
    }
    return Item(**(values | changes))


def _draft(**general_changes: Any) -> Draft:
    """A draft with every optional element present, so every element of the XSD occurs in its XML."""
    exporter = Party(name="Kindzmarauli Marani LLC", address="12 Chavchavadze Ave, Kvareli 2200", country="GE",
                     taxpayer_id="231234567", eori="GE231234567")
    consignee = Party(name="Vinimport SIA", address="Brivibas iela 40, Riga LV-1050", country="LV",
                      taxpayer_id="40003245752", eori="LV40003245752")
    declarant = Party(name="Caucasus Broker LLC", address="Kakheti Hwy 3, Tbilisi 0198", country="GE",
                      taxpayer_id="01024012345", eori="GE404987654")
    general: dict[str, Any] = {
        "office": "GE-20402",
        "date": date(2026, 11, 22),
        "exporter": exporter,
        "consignee": consignee,
        "declarant": declarant,
        "destination_country": "LV",
        "transport": Transport(vehicle_plate="AB-123-CD", vehicle_country="GE", trailer_plate="ZZ-004-TR",
                               containers=("CSQU3054383", "MSKU9070323")),
        "valuation": Valuation(incoterm="FCA", incoterm_place="Kvareli", currency="EUR",
                               invoice_total=Decimal("30600.5"), freight=Decimal("1800"), insurance=Decimal("95.40")),
        "total_packages": 17,
        "total_gross_kg": Decimal("13420.5"),
        "documents": (DocumentRef(kind="cmr", number="GE 0412877", issued=date(2026, 11, 21)),
                      DocumentRef(kind="invoice", number="INV-2026/1187")),
    }
    return Draft(
        uuid="7c9e6679-7425-40de-944b-e07fc1f90ae7",
        reference="CEZ-20261122-5E0C1A9F",
        kiosk_id="kiosk-sarpi-03",
        created_at=datetime(2026, 11, 22, 10, 45, 7, 250000, tzinfo=timezone(timedelta(hours=4))),
        general=GeneralSegment(**(general | general_changes)),
        items=(_item(1), _item(2, hs_code="220429", package_kind=None, quantity=Decimal("2250.5"), unit="l",
                               gross_kg=Decimal("3580"), net_kg=Decimal("3000"), invoice_amount=Decimal("9000.50"))),
    )


def _xmllint() -> str:
    path = shutil.which("xmllint")
    if path is None:
        pytest.fail("xmllint is missing: install the Debian package libxml2-utils (scripts/bootstrap-system does)")
    return path


def _validate(xml: bytes, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    target = tmp_path / "draft.xml"
    target.write_bytes(xml)
    return subprocess.run([_xmllint(), "--noout", "--schema", str(XSD), str(target)],
                          capture_output=True, text=True, check=False, timeout=60)


def _schema_elements() -> Iterator[tuple[str, bool]]:
    """Every element path the XSD declares under the root, with whether the XSD requires it (minOccurs >= 1)."""
    schema = ET.parse(XSD).getroot()
    types = {node.get("name"): node for node in schema.findall(f"{XS}complexType")}

    def walk(declaration: ET.Element, path: str) -> Iterator[tuple[str, bool]]:
        assert declaration.find(f"{XS}complexType") is None, "name the complex types, so this walk can follow them"
        here = f"{path}/{declaration.get('name')}" if path else str(declaration.get("name"))
        yield here, declaration.get("minOccurs", "1") != "0"
        complex_type = types.get(declaration.get("type"))
        if complex_type is not None:
            sequence = complex_type.find(f"{XS}sequence")
            assert sequence is not None and len(complex_type) == 1, f"{here}: only plain sequences are walked"
            for child in sequence:
                assert child.tag == f"{XS}element", f"{here}: unexpected {child.tag}"
                yield from walk(child, here)

    roots = schema.findall(f"{XS}element")
    assert len(roots) == 1
    for path, required in walk(roots[0], ""):
        if "/" in path:
            yield path.split("/", 1)[1], required


REQUIRED = [path for path, required in _schema_elements() if required]


def _find_all(root: ET.Element, path: str) -> list[ET.Element]:
    return root.findall("./" + "/".join(NS + step for step in path.split("/")))


def _serialised(root: ET.Element) -> bytes:
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data


def _with(xml: bytes, path: str, text: str) -> bytes:
    """The XML with the first element at `path` holding `text`."""
    root = ET.fromstring(xml)
    _find_all(root, path)[0].text = text
    return _serialised(root)


def _names(stderr: str, name: str) -> bool:
    """Whether xmllint's schema check (not its XML parser) complained about the element `name`."""
    return "Schemas validity error" in stderr and re.search(re.escape(NS + name) + r"(?![\w])", stderr) is not None


# --- a full draft --------------------------------------------------------------------------------------------


def test_a_full_draft_validates(tmp_path: Path) -> None:
    result = _validate(to_xml(_draft()), tmp_path)
    assert result.returncode == 0, result.stderr
    assert "validates" in result.stderr


def test_a_minimal_draft_validates(tmp_path: Path) -> None:
    minimal = Draft(
        uuid="00000000-0000-4000-8000-000000000001", reference="CEZ-20260101-00000000", kiosk_id="k",
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
        general=GeneralSegment(
            office="GE-1", date=date(2026, 1, 1),
            exporter=Party(name="A", address="B", country="GE"), consignee=Party(name="C", address="D", country="TR"),
            destination_country="TR", transport=Transport(vehicle_plate="TT-001-TT", vehicle_country="GE"),
            valuation=Valuation(incoterm="EXW", incoterm_place="Poti", currency="GEL", invoice_total=Decimal("0")),
            total_packages=0, total_gross_kg=Decimal("0"), documents=(DocumentRef(kind="cmr", number="1"),)),
        items=(Item(number=1, description="x", packages=0, hs_code="010121", origin_country="GE",
                    gross_kg=Decimal("0"), net_kg=Decimal("0"), invoice_amount=Decimal("0")),),
    )
    xml = to_xml(minimal)
    assert b"declarant" not in xml and b"containers" not in xml and b"freight" not in xml
    result = _validate(xml, tmp_path)
    assert result.returncode == 0, result.stderr
    assert from_xml(xml) == minimal


def test_the_full_draft_uses_every_element_the_xsd_declares() -> None:
    root = ET.fromstring(to_xml(_draft()))
    missing = [path for path, _ in _schema_elements() if not _find_all(root, path)]
    assert missing == []


def _model_elements(model: type[BaseModel], path: str) -> Iterator[tuple[str, bool]]:
    """Every element the model writes, and whether every draft has it (a field without a None or () default)."""
    wrapped = {"containers": "container", "documents": "document", "items": "item"}
    for name, field in model.model_fields.items():
        here = f"{path}/{name}" if path else name
        yield here, field.default is not None and field.default != ()
        inner = [arg for arg in (field.annotation, *get_args(field.annotation))
                 if isinstance(arg, type) and issubclass(arg, BaseModel)]
        if name in wrapped:
            here = f"{here}/{wrapped[name]}"
            yield here, True
        if inner:
            yield from _model_elements(inner[0], here)


def test_the_schema_requires_exactly_what_the_model_requires() -> None:
    assert sorted(_model_elements(Draft, "")) == sorted(_schema_elements())


def test_the_schema_walk_finds_the_required_elements() -> None:
    assert {"uuid", "general/office", "general/exporter/name", "general/documents/document/kind", "items/item",
            "items/item/hs_code", "general/transport/containers/container"} <= set(REQUIRED)
    assert not {"general/declarant", "general/transport/containers", "items/item/quantity"} & set(REQUIRED)


@pytest.mark.parametrize("path", REQUIRED)
def test_xmllint_rejects_a_draft_missing_a_required_element(path: str, tmp_path: Path) -> None:
    root = ET.fromstring(to_xml(_draft()))
    *parents, name = path.split("/")
    parent = _find_all(root, "/".join(parents))[0] if parents else root
    doomed = parent.findall(NS + name)
    assert doomed, f"the full draft has no {path}"
    for element in doomed:
        parent.remove(element)
    result = _validate(_serialised(root), tmp_path)
    assert result.returncode != 0
    assert "fails to validate" in result.stderr
    assert re.search(r"Expected is.*" + re.escape(NS + name) + r"\b", result.stderr), result.stderr


# --- wrong values ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("general/exporter/country", "Ge"),
        ("general/destination_country", "GEO"),
        ("items/item/origin_country", "G1"),
        ("general/valuation/currency", "usd"),
        ("general/valuation/invoice_total", "30600.505"),
        ("items/item/invoice_amount", "1.001"),
        ("general/valuation/freight", "1,800.00"),
        ("items/item/hs_code", "2204210"),
        ("items/item/hs_code", "22042"),
        ("items/item/hs_code", "2204.21"),
        ("items/item/hs_code", "٢٢٠٤٢١"),  # Arabic-Indic digits: a digit to a regex, not to a customs officer
        ("items/item/gross_kg", "-1.000"),
        ("items/item/net_kg", "0.0005"),
        ("general/total_gross_kg", "1e3"),
        ("items/item/quantity", "-1"),
        ("general/valuation/incoterm", "DAT"),
        ("general/valuation/incoterm", "fob"),
        ("general/documents/document/kind", "passport"),
        ("uuid", "7c9e6679-7425-40de-944b-e07fc1f90ae"),
        ("uuid", "7C9E6679-7425-40DE-944B-E07FC1F90AE7"),
        ("reference", "CEZ-20261322-5E0C1A9F"),
        ("reference", "CEZ-20261122-5e0c1a9f"),
        ("created_at", "2026-11-22T10:45:07"),
        ("created_at", "2026-11-22 10:45:07Z"),
        ("general/date", "22.11.2026"),
        ("general/documents/document/issued", "2026-02-30"),
        ("general/transport/mode", "4"),
        ("general/transport/containers/container", "CSQU305438"),
        ("items/item/procedure", "100"),
        ("items/item/number", "0"),
        ("general/total_packages", "-3"),
        ("general/declaration_type", "IM"),
        ("general/exporter/name", ""),
        ("general/exporter/address", "x" * 301),
        ("general/exporter/eori", "231234567"),
        ("general/office", "GE-2040200000000000000"),
    ],
)
def test_xmllint_rejects_a_wrong_value(path: str, value: str, tmp_path: Path) -> None:
    result = _validate(_with(to_xml(_draft()), path, value), tmp_path)
    assert result.returncode != 0
    assert _names(result.stderr, path.rsplit("/", 1)[-1]), result.stderr


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("general/valuation/invoice_total", "0.00"),
        ("general/valuation/invoice_total", "7"),
        ("items/item/gross_kg", "0.001"),
        ("items/item/hs_code", "010121"),
        ("created_at", "2026-11-22T06:45:07Z"),
        ("general/valuation/incoterm", "DPU"),
    ],
)
def test_xmllint_accepts_edge_values(path: str, value: str, tmp_path: Path) -> None:
    result = _validate(_with(to_xml(_draft()), path, value), tmp_path)
    assert result.returncode == 0, result.stderr


def test_xmllint_takes_999_items_and_refuses_1000(tmp_path: Path) -> None:
    draft = _draft()
    full = draft.model_copy(update={"items": tuple(_item(number) for number in range(1, 1000))})
    xml = to_xml(full)
    accepted = _validate(xml, tmp_path)
    assert accepted.returncode == 0, accepted.stderr
    root = ET.fromstring(xml)
    items = root.find(NS + "items")
    assert items is not None
    items.append(copy.deepcopy(items[0]))
    refused = _validate(_serialised(root), tmp_path)
    assert refused.returncode != 0
    assert _names(refused.stderr, "item"), refused.stderr


def test_xmllint_rejects_an_unknown_element(tmp_path: Path) -> None:
    root = ET.fromstring(to_xml(_draft()))
    ET.SubElement(root, NS + "remarks").text = "please hurry"
    result = _validate(_serialised(root), tmp_path)
    assert result.returncode != 0
    assert _names(result.stderr, "remarks"), result.stderr


def test_the_schema_enumerations_match_the_model() -> None:
    schema = ET.parse(XSD).getroot()

    def enumeration(name: str) -> tuple[str, ...]:
        node = schema.find(f"{XS}simpleType[@name='{name}']")
        assert node is not None
        return tuple(str(value.get("value")) for value in node.iter(f"{XS}enumeration"))

    assert enumeration("Incoterm") == INCOTERMS_2020 == get_args(Valuation.model_fields["incoterm"].annotation)
    assert enumeration("DocumentKind") == get_args(DocumentRef.model_fields["kind"].annotation)


# --- decimals --------------------------------------------------------------------------------------------------


def test_decimals_are_written_exactly() -> None:
    draft = _draft(total_gross_kg=Decimal("1.342E+4"))
    root = ET.fromstring(to_xml(draft))

    def text(path: str, index: int = 0) -> str | None:
        return _find_all(root, path)[index].text

    assert text("general/valuation/invoice_total") == "30600.50"
    assert text("general/valuation/freight") == "1800.00"
    assert text("general/valuation/insurance") == "95.40"
    assert text("general/total_gross_kg") == "13420"
    assert text("items/item/gross_kg") == "9840.5"
    assert text("items/item/net_kg") == "7200.125"
    assert text("items/item/net_kg", 1) == "3000"
    assert text("items/item/quantity", 1) == "2250.5"
    assert text("items/item/invoice_amount", 1) == "9000.50"
    back = from_xml(to_xml(draft))
    assert back == draft
    assert isinstance(back.items[0].net_kg, Decimal) and back.items[0].net_kg == Decimal("7200.125")


# --- hostile text ---------------------------------------------------------------------------------------------

HOSTILE = [
    'Fish & Chips <Ltd> "Best" \'Ever\' ]]> &amp; &#x41;',
    "შპს „ქართული ღვინო“",
    "ООО «Ромашка» — Москва, ул. Льва Толстого, 16",
    "Two lines\n\twith a tab",
    "  padded  ",
    "Ağaç İşleri A.Ş. 🚚",
]


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_text_round_trips_and_validates(name: str, tmp_path: Path) -> None:
    party = Party(name=name, address=name, country="GE")
    draft = _draft(exporter=party)
    draft = draft.model_copy(update={"items": (_item(1, description=name),)})
    xml = to_xml(draft)
    result = _validate(xml, tmp_path)
    assert result.returncode == 0, result.stderr
    assert from_xml(xml) == draft


def test_markup_in_text_is_escaped() -> None:
    xml = to_xml(_draft(exporter=Party(name="<b>&</b>", address="x", country="GE")))
    assert b"&lt;b&gt;&amp;&lt;/b&gt;" in xml
    assert b"<b>" not in xml


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x0b", "\x0c", "\x1b", "\r", "\x7f", "\x85", "\ufffe", "\uffff"])
def test_control_characters_are_refused_before_writing(char: str) -> None:
    draft = _draft(exporter=Party(name=f"Acme{char}LLC", address="x", country="GE"))
    with pytest.raises(DeclarationXmlError) as caught:
        to_xml(draft)
    problem = caught.value.finding
    assert problem.code == "declaration.xml.character"
    assert problem.field == "general.exporter.name"
    assert problem.params["codepoint"] == f"U+{ord(char):04X}"
    assert problem.params["position"] == 4
    assert f"U+{ord(char):04X}" in str(caught.value)


def test_a_control_character_in_a_later_item_names_that_item() -> None:
    draft = _draft().model_copy(update={"items": (_item(1), _item(2, description="Wine\x08"))})
    with pytest.raises(DeclarationXmlError) as caught:
        to_xml(draft)
    assert caught.value.finding.field == "items[1].description"


# --- reading XML back -----------------------------------------------------------------------------------------


def test_xml_round_trips() -> None:
    draft = _draft()
    assert from_xml(to_xml(draft)) == draft


@pytest.mark.parametrize(
    ("xml", "code"),
    [
        (b"<draft xmlns='urn:cez-kiosk:declaration:1'><uuid>", "declaration.xml.malformed"),
        (b"", "declaration.xml.malformed"),
        (b"<draft><uuid>x</uuid></draft>", "declaration.xml.root"),
        (b"<declaration xmlns='urn:cez-kiosk:declaration:1'/>", "declaration.xml.root"),
    ],
)
def test_from_xml_refuses_what_is_not_a_draft(xml: bytes, code: str) -> None:
    with pytest.raises(DeclarationXmlError) as caught:
        from_xml(xml)
    assert caught.value.finding.code == code


def _edited(edit: str) -> bytes:
    root = ET.fromstring(to_xml(_draft()))
    general = root.find(NS + "general")
    assert general is not None
    if edit == "unknown":
        ET.SubElement(general, NS + "remarks").text = "x"
    elif edit == "repeated":
        ET.SubElement(general, NS + "office").text = "GE-99999"
    elif edit == "foreign namespace":
        ET.SubElement(general, "{urn:other}office").text = "GE-99999"
    elif edit == "inside a value":
        exporter = general.find(NS + "exporter")
        assert exporter is not None
        ET.SubElement(exporter[3], NS + "digits").text = "231234567"
    elif edit == "wrong list entry":
        documents = general.find(NS + "documents")
        assert documents is not None
        ET.SubElement(documents, NS + "item")
    return _serialised(root)


@pytest.mark.parametrize(
    ("edit", "field"),
    [("unknown", "general.remarks"), ("repeated", "general.office"), ("foreign namespace", "general.{urn:other}office"),
     ("wrong list entry", "general.documents[2]"), ("inside a value", "general.exporter.taxpayer_id.digits")],
)
def test_from_xml_refuses_unknown_and_repeated_elements(edit: str, field: str) -> None:
    with pytest.raises(DeclarationXmlError) as caught:
        from_xml(_edited(edit))
    assert caught.value.finding.code == "declaration.xml.element"
    assert caught.value.finding.field == field


@pytest.mark.parametrize(
    ("path", "value"),
    [("items/item/hs_code", "22042"), ("items/item/gross_kg", "heavy"), ("general/transport/mode", "4"),
     ("general/valuation/invoice_total", "1.005")],
)
def test_from_xml_refuses_values_the_model_refuses(path: str, value: str) -> None:
    with pytest.raises(ValidationError):
        from_xml(_with(to_xml(_draft()), path, value))


# --- JSON -------------------------------------------------------------------------------------------------------


def _floats(value: object) -> list[float]:
    if isinstance(value, dict):
        return [found for entry in value.values() for found in _floats(entry)]
    if isinstance(value, list):
        return [found for entry in value for found in _floats(entry)]
    return [value] if isinstance(value, float) else []


def test_json_round_trips_with_decimals_intact() -> None:
    draft = _draft()
    text = json.dumps(draft.to_json(), ensure_ascii=False)
    loaded = json.loads(text)
    assert _floats(loaded) == []
    assert loaded["general"]["valuation"]["invoice_total"] == "30600.5"
    assert loaded["items"][0]["net_kg"] == "7200.125"
    back = Draft.model_validate(loaded)
    assert back == draft
    assert back.items[0].net_kg == Decimal("7200.125") and isinstance(back.items[0].net_kg, Decimal)
    assert back.general.valuation.insurance == Decimal("95.40")
    assert back.created_at == draft.created_at and back.created_at.utcoffset() == timedelta(hours=4)


def test_json_carries_hostile_text() -> None:
    draft = _draft(exporter=Party(name=HOSTILE[0], address=HOSTILE[1], country="GE"))
    assert Draft.model_validate(json.loads(json.dumps(draft.to_json()))) == draft
