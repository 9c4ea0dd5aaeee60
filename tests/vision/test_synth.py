from __future__ import annotations

import json
import random
import re
from pathlib import Path

import numpy as np
import pytest

from vision import cmr_layout
from vision.barcodes import read_codes
from vision.icao9303 import parse
from vision.iso6346 import check_digit, is_valid
from vision.plates import PLATE_SHAPES
from vision.synth import KINDS, LAYOUTS, Variant, fonts, generate, generate_cmr, png_bytes, variants
from vision.synth.cmr_content import plate_for
from vision.synth.fonts import FAMILIES
from vision.synth.iso6346 import container_number
from vision.synth.parties import party

LOW_DPI = 100  # enough to render every element; the tests that decode codes or check geometry use more


def test_same_seed_same_page_and_truth() -> None:
    first, second = generate_cmr(5), generate_cmr(5)
    assert png_bytes(first) == png_bytes(second)
    assert first.truth == second.truth


def test_different_seeds_differ() -> None:
    pages = [generate_cmr(seed) for seed in (1, 2, 3)]
    assert len({png_bytes(page) for page in pages}) == 3
    assert len({page.truth["fields"]["sender"] for page in pages}) > 1


def test_page_is_a4_at_the_requested_dpi() -> None:
    page = generate_cmr(1, dpi=150)
    width, height = page.image.size
    assert (round(width / 150 * 25.4), round(height / 150 * 25.4)) == (210, 297)
    assert set(page.truth["fields"]) == {"sender", "consignee", "vehicle_plate", "gross_weight_kg"}
    assert page.truth["fields"]["gross_weight_kg"].isdigit()


def test_classic_cmr_prints_the_reader_fields_inside_the_boxes_cmr_layout_expects() -> None:
    page = generate_cmr(7)
    width, height = page.image.size
    for name, box in cmr_layout.FIELD_AREAS.items():
        left, top, right, bottom = box.content_rect.to_pixels(width, height)
        x0, y0, x1, y1 = page.truth["regions"][name]["box"]
        assert left <= x0 < x1 <= right and top <= y0 < y1 <= bottom, name
    assert page.truth["codes"] == []  # the barcode benchmark pastes its own code on this page


def test_generate_draws_the_classic_cmr_exactly_as_generate_cmr() -> None:
    page = generate("cmr", 3, variant="iru-classic:dejavu-sans", dpi=150)
    classic = generate_cmr(3, dpi=150)
    assert page.image.tobytes() == classic.image.tobytes()
    assert page.truth["fields"] == classic.truth["fields"] and page.truth["boxes"] == classic.truth["boxes"]


def test_varied_pages_sit_off_centre_on_shaded_paper_with_their_boxes_moved_along() -> None:
    pages = [generate("packing_list", seed, dpi=LOW_DPI, variant="packing-table") for seed in range(8)]
    corners = {tuple(page.truth["regions"]["packing_list_number"]["box"][:2]) for page in pages}
    assert len(corners) > 4  # the same field lands in different places
    assert len({page.image.getpixel((2, 2)) for page in pages}) > 1  # and the paper is not always white


def test_eur1_names_the_preferential_trade_of_its_two_countries() -> None:
    for seed in range(6):
        fields = generate("certificate_of_origin", seed, dpi=72, variant="eur1").truth["fields"]
        areas = {"Georgia": "GEORGIA", "Türkiye": "TÜRKİYE"}
        for country in (fields["origin_country"], fields["destination_country"]):
            assert areas.get(country, "the EUROPEAN UNION") in fields["preferential_trade"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("level", ["none", "scan", "camera"])
def test_every_kind_and_level_is_deterministic_per_seed(kind: str, level: str) -> None:
    first = generate(kind, 11, degrade=level, dpi=LOW_DPI)  # type: ignore[arg-type]
    again = generate(kind, 11, degrade=level, dpi=LOW_DPI)  # type: ignore[arg-type]
    other = generate(kind, 12, degrade=level, dpi=LOW_DPI)  # type: ignore[arg-type]
    assert png_bytes(first) == png_bytes(again)
    assert first.truth == again.truth
    assert png_bytes(first) != png_bytes(other)
    assert first.truth["degradation"]["level"] == level


@pytest.mark.parametrize(("kind", "layout"), [(kind, layout) for kind in KINDS for layout in LAYOUTS[kind]])
def test_every_layout_renders_a_page_with_truth_inside_it(kind: str, layout: str) -> None:
    page = generate(kind, 3, dpi=LOW_DPI, variant=layout)
    truth = page.truth
    width, height = page.image.size
    assert truth["kind"] == kind and truth["size_px"] == [width, height]
    assert truth["variant"]["layout"] == layout
    assert json.loads(json.dumps(truth, ensure_ascii=False)) == truth
    assert any(value for value in truth["fields"].values())
    for name, region in truth["regions"].items():
        x0, y0, x1, y1 = region["box"]
        assert 0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height, name
        ink = np.asarray(page.image.convert("L"))[y0:y1, x0:x1]
        assert ink.min() < 160, f"{name}: nothing dark printed in its box"
    assert set(truth["handwriting"]) <= set(truth["regions"])
    assert all(truth["regions"][name]["handwriting"] for name in truth["handwriting"])


def test_each_kind_has_a_held_out_layout_and_the_font_families_one() -> None:
    for kind in KINDS:
        held = [name for name, layout in LAYOUTS[kind].items() if layout.held_out]
        tuned = [name for name, layout in LAYOUTS[kind].items() if not layout.held_out]
        assert held and len(tuned) >= 2, kind
    assert any(family.held_out for family in FAMILIES.values())
    page = generate("invoice", 1, dpi=LOW_DPI, variant="invoice-boxed:c059")
    assert page.truth["variant"] == {"layout": "invoice-boxed", "font": "c059",
                                     "held_out": {"layout": True, "font": True}}


def test_every_font_family_renders_every_layout_of_a_kind() -> None:
    every = variants("certificate_of_origin")
    rendered = [generate("certificate_of_origin", 1, dpi=72, variant=variant) for variant in every]
    assert len(every) == len(LAYOUTS["certificate_of_origin"]) * len(FAMILIES)
    assert [(page.truth["variant"]["layout"], page.truth["variant"]["font"]) for page in rendered] == [
        (variant.layout, variant.font) for variant in every]
    assert len({page.image.tobytes() for page in rendered}) == len(every)


def test_a_tuning_corpus_never_holds_a_held_out_variant_and_a_held_out_one_always_does() -> None:
    for kind in KINDS:
        tuning = [generate(kind, seed, dpi=72, held_out="exclude").truth["variant"]["held_out"] for seed in range(12)]
        assert not any(flags["layout"] or flags["font"] for flags in tuning), kind
        held = [generate(kind, seed, dpi=72, held_out="only").truth["variant"]["held_out"] for seed in range(6)]
        assert all(flags["layout"] or flags["font"] for flags in held), kind


def test_seeds_spread_over_every_layout_and_font() -> None:
    seen = {(Variant(**{k: v for k, v in generate(kind, seed, dpi=72).truth["variant"].items() if k != "held_out"}))
            for kind in ("packing_list",) for seed in range(40)}
    assert {variant.layout for variant in seen} == set(LAYOUTS["packing_list"])
    assert len({variant.font for variant in seen}) >= 4


def test_every_kind_prints_latin_cyrillic_and_georgian_text_somewhere() -> None:
    text = " ".join(" ".join(generate(kind, seed, dpi=72).truth["fields"].values())
                    for kind in KINDS for seed in range(6))
    assert re.search("[A-Za-z]", text) and re.search("[А-Яа-я]", text) and re.search("[ა-ჰ]", text)


def test_handwriting_like_fields_exist_on_every_kind() -> None:
    for kind in KINDS:
        pages = [generate(kind, seed, dpi=72) for seed in range(4)]
        assert any(page.truth["handwriting"] for page in pages), kind


def test_printed_codes_decode_to_their_truth() -> None:
    for kind, variant in (("invoice", "invoice-grid"), ("invoice", "invoice-letterhead"),
                          ("packing_list", "packing-by-package"), ("certificate_of_origin", "generic-coo")):
        page = generate(kind, 21, dpi=300, variant=variant)
        expected = sorted((code["format"], code["text"]) for code in page.truth["codes"])
        assert expected
        found = sorted((code.format, code.text) for code in read_codes(np.asarray(page.image.convert("L"))))
        assert found == expected, variant


@pytest.mark.parametrize("layout", list(LAYOUTS["id_document"]))
def test_id_documents_carry_a_valid_mrz_in_their_truth(layout: str) -> None:
    for seed in range(5):
        truth = generate("id_document", seed, dpi=72, variant=layout).truth
        mrz = parse(truth["mrz"]["lines"])
        assert mrz.valid and mrz.format == truth["mrz"]["format"]
        assert [truth["fields"][f"mrz_line{i + 1}"] for i in range(len(mrz.lines))] == list(mrz.lines)
        assert mrz.holder.document_number == truth["fields"]["document_number"]


def test_scan_records_its_skew_and_camera_its_corners() -> None:
    scan = generate("cmr", 4, degrade="scan", dpi=LOW_DPI).truth["degradation"]
    assert -3.0 <= scan["skew_deg"] <= 3.0 and 25 <= scan["jpeg_quality"] < 75
    assert len(scan["homography"]) == 3
    page = generate("invoice", 4, degrade="camera", dpi=LOW_DPI)
    camera = page.truth["degradation"]
    width, height = page.image.size
    corners = np.array(camera["corners"])
    assert corners.shape == (4, 2)
    assert (corners[:, 0] >= 0).all() and (corners[:, 0] <= width).all()
    assert (corners[:, 1] >= 0).all() and (corners[:, 1] <= height).all()
    homography = np.array(camera["homography"])
    mapped = homography @ np.array([width, height, 1.0])
    assert np.allclose(mapped[:2] / mapped[2], corners[2], atol=0.01)  # the page's bottom-right corner


def test_the_homography_follows_a_field_onto_the_scanned_page() -> None:
    clean = generate("invoice", 8, dpi=150, variant="invoice-grid")
    scanned = generate("invoice", 8, degrade="scan", dpi=150, variant="invoice-grid")
    x0, y0, x1, y1 = clean.truth["regions"]["invoice_number"]["box"]
    homography = np.array(scanned.truth["degradation"]["homography"])
    cx, cy, w = homography @ np.array([(x0 + x1) / 2, (y0 + y1) / 2, 1.0])
    gray = np.asarray(scanned.image.convert("L"))
    patch = gray[round(cy / w) - 3:round(cy / w) + 4, round(cx / w) - 40:round(cx / w) + 40]
    assert patch.min() < 120  # ink where the field moved to


@pytest.mark.parametrize("number", ["CSQU3054383", "TCNU7200794", "TOLU4734787", "GYOU4047990"])
def test_iso6346_accepts_real_container_numbers(number: str) -> None:
    assert is_valid(number)
    assert check_digit(number[:10]) == int(number[10])


def test_iso6346_refuses_a_changed_digit_and_bad_shapes() -> None:
    assert not is_valid("CSQU3054384")
    assert not is_valid("CSQU305438")
    with pytest.raises(ValueError, match="not a container number"):
        check_digit("7SQU305438")


def test_generated_container_numbers_are_valid() -> None:
    rng = random.Random(3)
    assert all(is_valid(container_number(rng)) for _ in range(200))


_COUNTRY_SHAPES = {
    "GE": r"[A-Z]{2}-\d{3}-[A-Z]{2}", "TR": r"\d{2} [A-Z]{1,3} \d{2,4}", "AZ": r"\d{2}-[A-Z]{2}-\d{3}",
    "AM": r"\d{2} [A-Z]{2} \d{3}", "RU": r"[ABEKMHOPCTYX]\d{3}[ABEKMHOPCTYX]{2} \d{2,3}",
    "DE": r"[A-Z]{1,2}-[A-Z]{1,2} \d{1,4}", "PL": r"[A-Z]{2} \d{5}", "LT": r"[A-Z]{3} \d{3}",
    "FR": r"[A-Z]{2}-\d{3}-[A-Z]{2}", "IT": r"[A-Z]{2} \d{3} [A-Z]{2}", "BG": r"[A-Z]{1,2} \d{4} [A-Z]{2}",
    "RO": r"[A-Z]{1,2} \d{2,3} [A-Z]{3}",
}


@pytest.mark.parametrize("country", sorted(_COUNTRY_SHAPES))
def test_plates_have_their_countrys_shape_and_the_readers_too(country: str) -> None:
    rng = random.Random(country)
    for _ in range(50):
        plate = plate_for(country, rng)
        assert re.fullmatch(_COUNTRY_SHAPES[country], plate), plate
        assert any(shape.fullmatch(plate) for shape in PLATE_SHAPES.values()), plate


@pytest.mark.parametrize("country", sorted(_COUNTRY_SHAPES))
def test_plates_are_ones_the_customs_validator_accepts(country: str) -> None:
    """Letters a country never prints (Q, W, X in Turkey; U in France and Italy; X first on an Italian car)
    would make every clean set of the customs benchmark carry a false error."""
    from kiosk.customs.validators import validate_plate

    rng = random.Random(f"validator:{country}")
    for _ in range(200):
        plate = plate_for(country, rng)
        assert validate_plate(plate, country, "cmr.vehicle_plate") == [], plate


def test_unknown_plate_or_trader_country_is_refused() -> None:
    with pytest.raises(ValueError, match="no plate format"):
        plate_for("XX", random.Random(1))
    with pytest.raises(ValueError, match="no traders"):
        party(random.Random(1), "XX")


def test_traders_write_in_their_countrys_scripts() -> None:
    rng = random.Random(5)
    georgian = party(rng, "GE", script="georgian")
    assert re.search("[ა-ჰ]", georgian.name) and georgian.country == "საქართველო"
    assert re.search("[А-Яа-я]", party(rng, "RU", script="cyrillic").street)
    assert party(rng, "TR").script == "latin"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "passport"}, "unknown kind"),
        ({"degrade": "fax"}, "unknown degradation"),
        ({"dpi": 20}, "dpi must be between"),
        ({"variant": "no-such-layout"}, "has no layout"),
        ({"variant": "invoice-grid:comic-sans"}, "no font family"),
        ({"held_out": "sometimes"}, "unknown held_out"),
    ],
    ids=["kind", "degrade", "dpi", "layout", "font", "held-out"],
)
def test_bad_arguments_are_refused_clearly(kwargs: dict[str, object], message: str) -> None:
    arguments: dict[str, object] = {"kind": "invoice", **kwargs}
    kind = str(arguments.pop("kind"))
    with pytest.raises(ValueError, match=message):
        generate(kind, 1, **arguments)  # type: ignore[arg-type]


def test_without_the_shared_data_the_built_in_goods_are_used(tmp_path: Path) -> None:
    page = generate("invoice", 2, dpi=72, variant="invoice-grid", data=tmp_path)
    built_in = {"080211", "080221", "220421", "610910", "720851", "940360", "847130", "030389"}
    codes = {value for name, value in page.truth["fields"].items() if name.endswith("_hs_code")}
    assert codes and codes <= built_in


def test_a_face_without_georgian_falls_back_for_georgian_runs_only() -> None:
    nimbus = FAMILIES["nimbus-sans"].regular
    runs = fonts.runs(nimbus, "Tbilisi თბილისი")
    assert [face for face, _ in runs] == [nimbus, fonts.fallback_for(nimbus)]
    assert "".join(text for _, text in runs) == "Tbilisi თბილისი"
    text = " ".join(generate("cmr", seed, dpi=72, variant="iru-compact:nimbus-sans").truth["boxes"]["sender"]
                    for seed in range(8))
    assert all(fonts.covers(face, char) for face, run in fonts.runs(nimbus, text) for char in run)


def test_printed_container_numbers_carry_valid_check_digits() -> None:
    containers = [generate("packing_list", seed, dpi=72).truth["fields"].get("container", "") for seed in range(12)]
    printed = [number for number in containers if number]
    assert printed and all(is_valid(number) for number in printed)


def test_id_cards_and_passports_print_their_type_and_state_as_their_mrz_says() -> None:
    for layout in LAYOUTS["id_document"]:
        truth = generate("id_document", 6, dpi=72, variant=layout).truth
        mrz = parse(truth["mrz"]["lines"])
        assert truth["fields"]["document_type"] == mrz.holder.document_code
        assert truth["fields"]["issuing_state"] == mrz.holder.issuing_state
