from __future__ import annotations

from vision.synth import generate_cmr, png_bytes


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
