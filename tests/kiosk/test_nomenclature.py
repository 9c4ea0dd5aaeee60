"""The HS nomenclature over the real shared CSVs (skipped with a reason where the shared data is absent)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kiosk.customs.nomenclature import Nomenclature, NomenclatureError, cn_edition, default_data_dir, normalize_code

pytestmark = pytest.mark.skipif(not (default_data_dir() / "harmonized-system.csv").is_file(),
                                reason="shared data ../shared/data/hs is not beside the checkout")


@pytest.fixture(scope="module")
def nomenclature() -> Nomenclature:
    return Nomenclature.load(on=date(2026, 5, 1))


def test_six_digit_lookup_with_leading_zero(nomenclature: Nomenclature) -> None:
    entry = nomenclature.lookup("030617")
    assert (entry.code, entry.level, entry.parent, entry.section) == ("030617", 6, "0306", "I")
    assert "shrimps and prawns" in entry.description
    assert nomenclature.lookup("0306.17").code == "030617"
    assert nomenclature.lookup("0101 21").code == "010121"


def test_parents_run_from_chapter_down(nomenclature: Nomenclature) -> None:
    assert [e.code for e in nomenclature.parents("03061792")] == ["03", "0306", "030617"]
    assert nomenclature.parents("03") == []


def test_other_leaves_get_their_parents_text(nomenclature: Nomenclature) -> None:
    assert nomenclature.lookup("03061799").description == "Other"
    full = nomenclature.full_description("03061799")
    assert full.endswith(" — Other") and "shrimps and prawns" in full
    named = nomenclature.full_description("03061792")
    assert named == "Shrimps of the genus Penaeus"


def test_cn_edition_follows_the_date() -> None:
    assert cn_edition(date(2025, 12, 31)) == 2025
    assert cn_edition(date(2026, 1, 1)) == 2026
    assert cn_edition(date(2030, 6, 1)) == 2026
    assert cn_edition(date(2023, 6, 1)) is None
    assert Nomenclature.load(on=date(2023, 6, 1)).edition == "HS 2022"
    only_hs = Nomenclature.load(on=date(2023, 6, 1))
    assert "030617" in only_hs and "03061792" not in only_hs


def test_a_code_new_in_one_edition(nomenclature: Nomenclature) -> None:
    older = Nomenclature.load(on=date(2025, 6, 1))
    new_codes = {code for code in _cn_codes(2026)} - {code for code in _cn_codes(2025)}
    assert new_codes, "the 2026 CN adds codes"
    code = sorted(new_codes)[0]
    assert code in nomenclature and code not in older


def _cn_codes(year: int) -> list[str]:
    lines = (default_data_dir() / f"cn8_{year}.csv").read_text(encoding="utf-8").splitlines()[1:]
    return [line.split(",", 1)[0] for line in lines]


@pytest.mark.parametrize("bad", ["", "30617", "0306171", "03A617", "030617999", "0306-17"])
def test_malformed_codes_are_refused(nomenclature: Nomenclature, bad: str) -> None:
    with pytest.raises(NomenclatureError, match="bad HS code"):
        normalize_code(bad)
    assert bad not in nomenclature


def test_lost_leading_zero_is_named() -> None:
    with pytest.raises(NomenclatureError, match="leading zero lost"):
        normalize_code("30617")


def test_unknown_code_and_date_before_hs2022(nomenclature: Nomenclature) -> None:
    with pytest.raises(NomenclatureError, match="030698 is not in HS 2022 \\+ CN 2026"):
        nomenclature.lookup("030698")
    with pytest.raises(NomenclatureError, match="no nomenclature in force on 2021-12-31"):
        Nomenclature.load(on=date(2021, 12, 31))


def test_missing_data_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(NomenclatureError, match="nomenclature file not found"):
        Nomenclature.load(tmp_path, on=date(2026, 1, 1))
