"""Script detection, per-script language choice and look-alike repair (`vision.scripts`)."""

from __future__ import annotations

import pytest

from vision.scripts import (
    SCRIPT_LANGS,
    dominant_script,
    first_pass_langs,
    page_scripts,
    repair_lookalikes,
    script_langs,
    second_pass_langs,
    standard_letters,
    unreadable_letters,
)


@pytest.mark.parametrize(
    ("text", "script"),
    [
        ("ООО «Волга Транс», ул. Ленина, 24", "Cyrillic"),
        ("Boğaziçi Gıda Ltd. Şti., İzmir", "Latin"),
        ("შპს კავკასიის ღვინო, 0108 თბილისი", "Georgian"),
        ("125009, 24", None),
    ],
)
def test_the_script_is_the_one_most_letters_are_in(text: str, script: str | None) -> None:
    assert dominant_script(text) == script


def test_a_page_spans_the_scripts_of_its_languages_once_each() -> None:
    assert page_scripts("kat+rus+eng+tur+aze+deu") == ("Georgian", "Cyrillic", "Latin")
    assert page_scripts("eng+deu") == ("Latin",)
    assert first_pass_langs(("Georgian", "Cyrillic", "Latin")) == "kat+rus+eng"


@pytest.mark.parametrize(
    ("first_text", "langs"),
    [
        ("35210 Izmir, Tiirkiye", "tur+eng"),
        ("AZ2000 Gancg, Azorbaycan", "aze+eng"),
        ("80331 Munchen, Deutschland", "deu+eng"),
        ("75011 Paris, France", "fra+eng"),
        ("2201 Vanadzor, Armenia", SCRIPT_LANGS["Latin"]),
        ("80-001 Gdansk, Polska", "pol+eng"),
        ("LT-01103 Vilnius, Lietuva", "lit+eng"),
        ("010063 Bucuresti, Romdnia", "ron+eng"),
        ("80-001 Gdansk, Poland", SCRIPT_LANGS["Latin"]),  # the export form is written without Polish letters
    ],
)
def test_a_latin_address_naming_its_country_is_read_in_its_language(first_text: str, langs: str) -> None:
    assert second_pass_langs("Latin", first_text) == langs


def test_only_languages_the_page_lists_are_chosen() -> None:
    page = "kat+rus+eng+tur+aze+deu+fra"
    assert second_pass_langs("Latin", "80-001 Gdansk, Polska", page) == "eng+tur+aze+deu+fra"
    assert second_pass_langs("Latin", "80-001 Gdansk, Polska", f"{page}+pol") == "pol+eng"
    # a page with the new packs reads an address naming no country as before, without them
    assert second_pass_langs("Latin", "2201 Vanadzor, Armenia", f"{page}+pol+lit+ron") == "eng+tur+aze+deu+fra"
    assert second_pass_langs("Latin", "75011 Paris, France", "kat+rus+eng") == "eng"
    assert script_langs("Latin", "rus+pol") == "pol"
    assert script_langs("Latin", "kat+rus") == ""


def test_an_address_in_its_own_language_is_unreadable_only_without_its_pack() -> None:
    assert unreadable_letters("90-001 Lodz, Polska", "eng+tur+aze+deu+fra")
    assert not unreadable_letters("90-001 Łódź, Polska", "pol+eng")
    assert not unreadable_letters("90-001 Lodz, Poland", "eng")  # the export form has no letters of its own


def test_other_scripts_are_read_with_their_own_languages_whatever_the_text() -> None:
    assert second_pass_langs("Cyrillic", "Москва, Россия") == "rus"
    assert second_pass_langs("Georgian", "France") == "kat"


def test_latin_lookalikes_in_a_cyrillic_address_become_cyrillic() -> None:
    # "OOO" all Latin look-alikes, "Mосква" Latin M in a Cyrillic word, "000" read for ООО
    assert repair_lookalikes("OOO «Волга», Mосква", "Cyrillic") == "ООО «Волга», Москва"
    assert repair_lookalikes("000 «Волга», 125009 Москва", "Cyrillic") == "ООО «Волга», 125009 Москва"


def test_a_foreign_word_with_letters_of_its_own_script_stays() -> None:
    assert repair_lookalikes("LLC «Волга»", "Cyrillic") == "LLC «Волга»"


def test_cyrillic_lookalikes_in_a_latin_address_become_latin() -> None:
    assert repair_lookalikes("Ural Metall Trade 000, Мira Street", "Latin") == "Ural Metall Trade OOO, Mira Street"
    assert repair_lookalikes("Trade 0001, AZ2000", "Latin") == "Trade 0001, AZ2000"


def test_georgian_is_left_as_read() -> None:
    assert repair_lookalikes("შპს 000", "Georgian") == "შპს 000"


def test_romanian_read_with_its_pack_gets_the_comma_below_and_turkish_keeps_its_cedilla() -> None:
    assert standard_letters("900001 Constanţa, România, Carpaţi Logistic, Şos.", "ron+eng") == (
        "900001 Constanța, România, Carpați Logistic, Șos.")
    assert standard_letters("Boğaziçi Gıda Ltd. Şti.", "tur+eng") == "Boğaziçi Gıda Ltd. Şti."
