from __future__ import annotations

import pytest

from vision.icao9303 import (
    CHECK_BLIND,
    Holder,
    MrzError,
    check_blind,
    check_digit,
    compose_td1,
    compose_td3,
    name_field,
    parse,
)

# The specimens printed in ICAO Doc 9303 (Part 4 passport, Part 5 ID card, Part 6 TD2), holder Anna Maria Eriksson.
TD3_SPECIMEN = ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10")
TD1_SPECIMEN = ("I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6", "ERIKSSON<<ANNA<MARIA<<<<<<<<<<")
TD2_SPECIMEN = ("I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D231458907UTO7408122F1204159<<<<<<<6")


@pytest.mark.parametrize(("data", "digit"), [("L898902C3", "6"), ("740812", "2"), ("120415", "9"),
                                             ("D23145890", "7"), ("ZE184226B<<<<<", "1")])
def test_check_digits_of_the_specimen_fields(data: str, digit: str) -> None:
    assert check_digit(data) == digit


@pytest.mark.parametrize(("lines", "kind"), [(TD3_SPECIMEN, "TD3"), (TD1_SPECIMEN, "TD1"), (TD2_SPECIMEN, "TD2")])
def test_the_specimens_parse_and_validate(lines: tuple[str, ...], kind: str) -> None:
    mrz = parse("\n".join(lines))
    assert (mrz.format, mrz.valid, mrz.failed) == (kind, True, ())
    assert (mrz.holder.surname, mrz.holder.given_names) == ("ERIKSSON", "ANNA MARIA")
    assert (mrz.holder.birth_date, mrz.holder.expiry_date, mrz.holder.sex) == ("740812", "120415", "F")


def test_composing_the_specimen_holders_gives_the_specimens_back() -> None:
    passport = Holder("P", "UTO", "L898902C3", "UTO", "740812", "F", "120415", "ERIKSSON", "ANNA MARIA", "ZE184226B")
    card = Holder("I", "UTO", "D23145890", "UTO", "740812", "F", "120415", "ERIKSSON", "ANNA MARIA")
    assert compose_td3(passport) == TD3_SPECIMEN
    assert compose_td1(card) == TD1_SPECIMEN


def test_a_misread_birth_date_names_its_check_digit_and_the_composite() -> None:
    line2 = TD3_SPECIMEN[1].replace("740812", "740813")
    mrz = parse([TD3_SPECIMEN[0], line2])
    assert not mrz.valid
    assert mrz.failed == ("birth_date", "composite")


def test_a_wrong_document_number_check_digit_is_caught_on_an_id_card() -> None:
    line1 = TD1_SPECIMEN[0].replace("D231458907", "D231458901")
    mrz = parse([line1, *TD1_SPECIMEN[1:]])
    assert mrz.failed == ("document_number", "composite")


def test_a_changed_composite_digit_alone_fails_only_the_composite() -> None:
    mrz = parse([TD3_SPECIMEN[0], TD3_SPECIMEN[1][:-1] + "1"])
    assert mrz.failed == ("composite",)


def test_long_id_card_numbers_use_the_extension_and_round_trip() -> None:
    holder = Holder("ID", "GEO", "12345678901", "GEO", "900101", "M", "300101", "BERIDZE", "GIORGI")
    lines = compose_td1(holder)
    assert lines[0][14] == "<"
    mrz = parse(lines)
    assert mrz.valid
    assert mrz.holder.document_number == "12345678901"


def test_names_are_transliterated_fields_with_double_filler() -> None:
    assert name_field("de la Cruz", "Anna-Maria", 30) == "DE<LA<CRUZ<<ANNA<MARIA" + "<" * 8
    assert len(name_field("A" * 40, "B", 39)) == 39


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (["P<UTOERIKSSON", "L898902C36UTO"], "not a TD1, TD2 or TD3"),
        ([TD3_SPECIMEN[0], TD3_SPECIMEN[1][:-1]], "differ in length"),
        ([TD3_SPECIMEN[0].lower(), TD3_SPECIMEN[1]], "not allowed"),
        ([], "not a TD1, TD2 or TD3"),
    ],
    ids=["short", "ragged", "lowercase", "empty"],
)
def test_text_that_is_no_mrz_is_refused(lines: list[str], message: str) -> None:
    with pytest.raises(MrzError, match=message):
        parse(lines)


@pytest.mark.parametrize(
    ("holder", "message"),
    [
        (Holder("P", "UTO", "L898902C3", "UTO", "7408", "F", "120415", "ERIKSSON", "ANNA"), "birth date"),
        (Holder("P", "UTO", "L898902C3", "UTO", "740812", "Q", "120415", "ERIKSSON", "ANNA"), "sex"),
        (Holder("P", "UTO", "L898902C3", "UTO", "740812", "F", "120415", "ბერიძე", "ANNA"), "surname"),
        (Holder("P", "UTO", "L898902C3XYZ", "UTO", "740812", "F", "120415", "ERIKSSON", "ANNA"), "longer than"),
    ],
    ids=["short-date", "bad-sex", "non-latin-surname", "long-passport-number"],
)
def test_bad_holder_data_is_refused_when_composing(holder: Holder, message: str) -> None:
    with pytest.raises(MrzError, match=message):
        compose_td3(holder)


def test_the_check_blind_characters_are_the_look_alikes_whose_values_end_alike() -> None:
    assert frozenset("U0L1G6S8K") == CHECK_BLIND
    assert check_digit("00FG43444") == check_digit("00F643444")  # G (16) read as 6: the check still holds
    assert check_digit("00F0") != check_digit("00FO")  # O (24) read as 0 is caught
    assert check_blind("00FG43444") and not check_blind("C5PTJ2ZAY")
