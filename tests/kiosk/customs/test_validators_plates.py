from __future__ import annotations

import pytest

from kiosk.customs.validators import PlateKind, normalize_plate, validate_plate

# (country, kind, plate as written, expected finding code or None for valid)
CASES = [
    # Georgia: AB-123-CD (2014), ABC-123 (before); trailers AB-123-C
    ("GE", "vehicle", "AB-123-CD", None),
    ("GE", "vehicle", "gg 001 gg", None),
    ("GE", "vehicle", "TBC-123", None),
    ("GE", "vehicle", "АВ-123-СD", None),  # Cyrillic А, В, С typed for their Latin twins
    ("GE", "vehicle", "AB-1234-CD", "plate.format"),
    ("GE", "vehicle", "A-123-BC", "plate.format"),
    ("GE", "vehicle", "AB-123-C", "plate.trailer_on_vehicle"),
    ("GE", "vehicle", "ЖB-123-CD", "plate.letter"),
    ("GE", "trailer", "AB-123-C", None),
    ("GE", "trailer", "zx 001 a", None),
    ("GE", "trailer", "TT-555-T", None),
    ("GE", "trailer", "AB-123-CD", "plate.vehicle_on_trailer"),
    ("GE", "trailer", "AB-12-C", "plate.trailer_format"),
    ("GE", "trailer", "A-123-C", "plate.trailer_format"),
    # Turkey: province 01..81, 1-3 letters, 2-5 digits; no Q, W, X; trailers share the shapes
    ("TR", "vehicle", "34 ABC 123", None),
    ("TR", "vehicle", "06 a 1234", None),
    ("TR", "vehicle", "35 AB 1234", None),
    ("TR", "vehicle", "81 A 12345", None),
    ("TR", "trailer", "34 ABC 12", None),
    ("TR", "vehicle", "00 ABC 123", "plate.format"),
    ("TR", "vehicle", "82 AB 123", "plate.format"),
    ("TR", "vehicle", "34 QW 123", "plate.letter"),
    ("TR", "vehicle", "34 ABCD 12", "plate.format"),
    ("TR", "vehicle", "34 A 123", "plate.format"),
    # Azerbaijan
    ("AZ", "vehicle", "10-AB-123", None),
    ("AZ", "vehicle", "90 HG 001", None),
    ("AZ", "trailer", "77-zz-999", None),
    ("AZ", "vehicle", "10-A-123", "plate.format"),
    ("AZ", "vehicle", "1-AB-123", "plate.format"),
    ("AZ", "vehicle", "10-ABC-12", "plate.format"),
    # Armenia
    ("AM", "vehicle", "35 LL 350", None),
    ("AM", "vehicle", "01 AA 001", None),
    ("AM", "vehicle", "77oo777", None),
    ("AM", "vehicle", "350 LL 35", None),  # the older order
    ("AM", "vehicle", "35 ՕՕ 350", None),  # Armenian Օ as printed, Latin O's twin
    ("AM", "vehicle", "35 L 350", "plate.format"),
    ("AM", "vehicle", "3500 LL 35", "plate.format"),
    ("AM", "vehicle", "35 LL 35", "plate.format"),
    ("AM", "vehicle", "35 ԼԼ 350", "plate.letter"),  # Armenian Լ has no Latin twin
    # Russia: only А В Е К М Н О Р С Т У Х; trailers two letters, four digits, region
    ("RU", "vehicle", "А123ВС77", None),
    ("RU", "vehicle", "a 123 bc 77", None),  # Latin look-alikes, lower case
    ("RU", "vehicle", "Х 999 ХХ 777", None),
    ("RU", "vehicle", "М001АА199", None),
    ("RU", "vehicle", "А123BC 750", None),  # mixed scripts
    ("RU", "vehicle", "Д123ВС77", "plate.letter"),
    ("RU", "vehicle", "A123BD77", "plate.letter"),  # Latin D has no Cyrillic twin
    ("RU", "vehicle", "А000ВС77", "plate.format"),
    ("RU", "vehicle", "А123ВС7", "plate.format"),
    ("RU", "vehicle", "АВ 1234 77", "plate.trailer_on_vehicle"),
    ("RU", "trailer", "АВ 1234 77", None),
    ("RU", "trailer", "ab1234 50", None),
    ("RU", "trailer", "ХХ 0001 178", None),
    ("RU", "trailer", "А123ВС77", "plate.vehicle_on_trailer"),
    ("RU", "trailer", "АВ 123 77", "plate.trailer_format"),
    ("RU", "trailer", "АЯ 1234 77", "plate.letter"),
    # Ukraine: А В Е І К М Н О Р С Т Х (І, not У); trailers share the shape
    ("UA", "vehicle", "АА 1234 ВС", None),
    ("UA", "vehicle", "ka 5678 ix", None),  # Latin I stands for Ukrainian І
    ("UA", "trailer", "ВН 0001 ОО", None),
    ("UA", "vehicle", "АУ 1234 ВС", "plate.letter"),
    ("UA", "vehicle", "АА 123 ВС", "plate.format"),
    ("UA", "vehicle", "ААА 1234 ВС", "plate.format"),
    # Kazakhstan: 123 ABC 02 (persons), 123 AB 02 (organisations), regions 01..20
    ("KZ", "vehicle", "123 ABC 02", None),
    ("KZ", "vehicle", "001 KZ 17", None),
    ("KZ", "vehicle", "123 АВС 02", None),  # Cyrillic look-alikes of a Latin plate
    ("KZ", "vehicle", "123 ABC 21", "plate.format"),
    ("KZ", "vehicle", "12 ABC 02", "plate.format"),
    ("KZ", "vehicle", "123 ABCD 02", "plate.format"),
    ("KZ", "vehicle", "123 ЖBC 02", "plate.letter"),
    # EU member states
    ("AT", "vehicle", "W 12345 A", None),
    ("AT", "vehicle", "G 123 AB", None),
    ("AT", "vehicle", "L 1 ABC", None),
    ("AT", "vehicle", "12345", "plate.format"),
    ("AT", "vehicle", "W 123456 AB", "plate.format"),
    ("AT", "vehicle", "123 W 45", "plate.format"),
    ("BE", "vehicle", "1-ABC-123", None),
    ("BE", "vehicle", "2-xyz-999", None),
    ("BE", "vehicle", "ABC-123", None),
    ("BE", "vehicle", "0-ABC-123", "plate.format"),
    ("BE", "vehicle", "1-AB-123", "plate.format"),
    ("BE", "vehicle", "Q-ABC-123", "plate.trailer_on_vehicle"),
    ("BE", "trailer", "Q-ABC-123", None),
    ("BE", "trailer", "1-ABC-123", "plate.vehicle_on_trailer"),
    ("BG", "vehicle", "CA 1234 AB", None),
    ("BG", "vehicle", "В 1234 ВХ", None),  # Cyrillic, as printed
    ("BG", "vehicle", "PB 0001 CT", None),
    ("BG", "vehicle", "CA 1234 AD", "plate.letter"),
    ("BG", "vehicle", "CA 123 AB", "plate.format"),
    ("BG", "vehicle", "CA 1234 ABC", "plate.format"),
    ("CY", "vehicle", "ABC 123", None),
    ("CY", "vehicle", "KXA 555", None),
    ("CY", "vehicle", "zzz 001", None),
    ("CY", "vehicle", "AB 123", "plate.format"),
    ("CY", "vehicle", "ABC 1234", "plate.format"),
    ("CY", "vehicle", "123 ABC", "plate.format"),
    ("CZ", "vehicle", "1A2 3456", None),
    ("CZ", "vehicle", "5T8 1234", None),
    ("CZ", "vehicle", "2ab 1234", None),
    ("CZ", "vehicle", "1X2 3456", "plate.format"),
    ("CZ", "vehicle", "A12 3456", "plate.format"),
    ("CZ", "vehicle", "1A2 345", "plate.format"),
    ("DE", "vehicle", "B-MW 1234", None),
    ("DE", "vehicle", "M AB 123", None),
    ("DE", "vehicle", "HH-XY 99H", None),
    ("DE", "vehicle", "MÜ A 1", None),
    ("DE", "vehicle", "B-MW 12345", "plate.format"),
    ("DE", "vehicle", "B-MW 0123", "plate.format"),
    ("DE", "vehicle", "BMW", "plate.format"),
    ("DE", "vehicle", "XYZ AB 12345", "plate.format"),
    ("DK", "vehicle", "AB 12 345", None),
    ("DK", "vehicle", "XY 99 999", None),
    ("DK", "vehicle", "cd12345", None),
    ("DK", "vehicle", "AB 1234", "plate.format"),
    ("DK", "vehicle", "A 12 345", "plate.format"),
    ("DK", "vehicle", "ABC 12 34", "plate.format"),
    ("EE", "vehicle", "123 ABC", None),
    ("EE", "vehicle", "001 XYZ", None),
    ("EE", "vehicle", "777bbb", None),
    ("EE", "vehicle", "12 ABC", "plate.format"),
    ("EE", "vehicle", "ABC 123", "plate.format"),
    ("EE", "vehicle", "123 AB", "plate.format"),
    ("ES", "vehicle", "1234 BCD", None),
    ("ES", "vehicle", "9876-XYZ", None),
    ("ES", "vehicle", "M-1234-AB", None),  # provincial series, before 2000
    ("ES", "vehicle", "1234 ABC", "plate.format"),  # no vowels in the national series
    ("ES", "vehicle", "123 BCD", "plate.format"),
    ("ES", "vehicle", "R-1234-BCD", "plate.trailer_on_vehicle"),
    ("ES", "trailer", "R-1234-BCD", None),
    ("ES", "trailer", "1234 BCD", "plate.vehicle_on_trailer"),
    ("FI", "vehicle", "ABC-123", None),
    ("FI", "vehicle", "AB-1", None),
    ("FI", "vehicle", "xyz-999", None),
    ("FI", "vehicle", "ABCD-123", "plate.format"),
    ("FI", "vehicle", "ABC-1234", "plate.format"),
    ("FI", "vehicle", "123-ABC", "plate.format"),
    ("FR", "vehicle", "AB-123-CD", None),
    ("FR", "vehicle", "GA-456-ZZ", None),
    ("FR", "vehicle", "fz 001 ab", None),
    ("FR", "vehicle", "AB-000-CD", "plate.format"),
    ("FR", "vehicle", "AI-123-CD", "plate.letter"),
    ("FR", "vehicle", "AB-12-CD", "plate.format"),
    ("GR", "vehicle", "ABE-1234", None),
    ("GR", "vehicle", "ΙΚΒ-1234", None),  # Greek letters, as printed
    ("GR", "vehicle", "zzz 9999", None),
    ("GR", "vehicle", "ABC-1234", "plate.letter"),
    ("GR", "vehicle", "ABE-0123", "plate.format"),
    ("GR", "vehicle", "AB-1234", "plate.format"),
    ("HR", "vehicle", "ZG 1234-AB", None),
    ("HR", "vehicle", "ST 123-A", None),
    ("HR", "vehicle", "ČK 456-BC", None),
    ("HR", "vehicle", "ZG 12-AB", "plate.format"),
    ("HR", "vehicle", "ZG 1234-ABC", "plate.format"),
    ("HR", "vehicle", "Z 1234-AB", "plate.format"),
    ("HU", "vehicle", "ABC-123", None),
    ("HU", "vehicle", "AA BC-123", None),
    ("HU", "vehicle", "xyz 999", None),
    ("HU", "vehicle", "AB-123", "plate.format"),
    ("HU", "vehicle", "ABC-1234", "plate.format"),
    ("HU", "vehicle", "AABBC-123", "plate.format"),
    ("IE", "vehicle", "241-D-12345", None),
    ("IE", "vehicle", "12-C-1", None),
    ("IE", "vehicle", "131-KY-456", None),
    ("IE", "vehicle", "241-D-1234567", "plate.format"),
    ("IE", "vehicle", "243-D-1", "plate.format"),
    ("IE", "vehicle", "D-12345", "plate.format"),
    ("IT", "vehicle", "AB 123 CD", None),
    ("IT", "vehicle", "GM 001 ZZ", None),
    ("IT", "vehicle", "ew 399 zh", None),
    ("IT", "vehicle", "AB 123 CO", "plate.letter"),
    ("IT", "vehicle", "AB 1234 CD", "plate.format"),
    ("IT", "vehicle", "XA 123 BC", "plate.trailer_on_vehicle"),
    ("IT", "trailer", "XA 123 BC", None),
    ("IT", "trailer", "AF 01102", None),  # trailer series before 20 February 2013
    ("IT", "trailer", "AB 123 CD", "plate.vehicle_on_trailer"),
    ("LT", "vehicle", "ABC 123", None),
    ("LT", "vehicle", "KLM 001", None),
    ("LT", "vehicle", "zzz999", None),
    ("LT", "vehicle", "AB 123", "plate.format"),
    ("LT", "vehicle", "ABC 12", "plate.format"),
    ("LT", "vehicle", "ABC 1234", "plate.format"),
    ("LU", "vehicle", "AB 1234", None),
    ("LU", "vehicle", "XY 0001", None),
    ("LU", "vehicle", "12345", None),
    ("LU", "vehicle", "ABC 123", "plate.format"),
    ("LU", "vehicle", "AB 12345", "plate.format"),
    ("LU", "vehicle", "0123", "plate.format"),
    ("LV", "vehicle", "AB-1234", None),
    ("LV", "vehicle", "KL-1", None),
    ("LV", "vehicle", "zz 99", None),
    ("LV", "vehicle", "A-1234", "plate.format"),
    ("LV", "vehicle", "AB-12345", "plate.format"),
    ("LV", "vehicle", "ABC-123", "plate.format"),
    ("MT", "vehicle", "ABC 123", None),
    ("MT", "vehicle", "BBZ 009", None),
    ("MT", "vehicle", "xyz001", None),
    ("MT", "vehicle", "AB 123", "plate.format"),
    ("MT", "vehicle", "ABC 12", "plate.format"),
    ("MT", "vehicle", "1234 AB", "plate.format"),
    ("NL", "vehicle", "12-ABC-3", None),
    ("NL", "vehicle", "GB-123-K", None),
    ("NL", "vehicle", "1-KBB-00", None),
    ("NL", "vehicle", "XX-99-99", None),
    ("NL", "vehicle", "123-4567", "plate.format"),
    ("NL", "vehicle", "AB-12-345", "plate.format"),
    ("NL", "vehicle", "ABC-DEF", "plate.format"),
    ("PL", "vehicle", "WA 12345", None),
    ("PL", "vehicle", "KR 1234A", None),
    ("PL", "vehicle", "WPI 1234A", None),
    ("PL", "vehicle", "PO 5AB12", None),
    ("PL", "vehicle", "W 12345", "plate.format"),
    ("PL", "vehicle", "WA 123", "plate.format"),
    ("PL", "vehicle", "WAB ABCD", "plate.format"),
    ("PT", "vehicle", "AA-12-BC", None),
    ("PT", "vehicle", "12-AB-34", None),
    ("PT", "vehicle", "12-34-AB", None),
    ("PT", "vehicle", "ABC-12-D", "plate.format"),
    ("PT", "vehicle", "AA-123-BC", "plate.format"),
    ("PT", "vehicle", "1-AB-2", "plate.format"),
    ("RO", "vehicle", "B 123 ABC", None),
    ("RO", "vehicle", "B 12 XYZ", None),
    ("RO", "vehicle", "CJ 12 ABC", None),
    ("RO", "vehicle", "is 99 zzz", None),
    ("RO", "vehicle", "XX 12 ABC", "plate.format"),
    ("RO", "vehicle", "CJ 123 ABC", "plate.format"),
    ("RO", "vehicle", "B 1 ABC", "plate.format"),
    ("SE", "vehicle", "ABC 123", None),
    ("SE", "vehicle", "ABC 12D", None),
    ("SE", "vehicle", "xyz 001", None),
    ("SE", "vehicle", "ABI 123", "plate.letter"),
    ("SE", "vehicle", "AB 123", "plate.format"),
    ("SE", "vehicle", "ABC 1234", "plate.format"),
    ("SI", "vehicle", "LJ AB-123", None),
    ("SI", "vehicle", "MB 12-34A", None),
    ("SI", "vehicle", "KP 123-45", None),
    ("SI", "vehicle", "XX AB-123", "plate.format"),
    ("SI", "vehicle", "LJ ABCDE", "plate.format"),
    ("SI", "vehicle", "LJ 1", "plate.format"),
    ("SK", "vehicle", "BA 123AB", None),
    ("SK", "vehicle", "KE 999ZZ", None),
    ("SK", "vehicle", "ab123cd", None),
    ("SK", "vehicle", "BA 1234AB", "plate.format"),
    ("SK", "vehicle", "B 123AB", "plate.format"),
    ("SK", "vehicle", "BA 123A", "plate.format"),
    # a country without a table entry: letters and digits, 2 to 12 of them
    ("UZ", "vehicle", "01 A 123 BC", None),
    ("UZ", "vehicle", "A", "plate.format"),
    ("UZ", "vehicle", "AB#12", "plate.character"),
]


@pytest.mark.parametrize(("country", "kind", "plate", "expected"), CASES)
def test_plate(country: str, kind: PlateKind, plate: str, expected: str | None) -> None:
    found = validate_plate(plate, country, "cmr.vehicle_plate", kind)
    assert [item.code for item in found] == ([] if expected is None else [expected])
    assert all(item.field == "cmr.vehicle_plate" for item in found)


def test_every_required_country_has_three_valid_and_three_invalid_examples() -> None:
    required = {"GE", "TR", "AZ", "AM", "RU", "UA", "KZ", "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI",
                "FR", "GR", "HR", "HU", "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"}
    for country in required:
        valid = [case for case in CASES if case[0] == country and case[3] is None]
        invalid = [case for case in CASES if case[0] == country and case[3] is not None]
        assert len(valid) >= 3 and len(invalid) >= 3, country


def test_latin_and_cyrillic_spellings_of_a_russian_plate_are_one_plate() -> None:
    assert normalize_plate("a 123 bc 77", "RU") == normalize_plate("А123ВС77", "RU") == "А123ВС77"
    assert normalize_plate("ka-5678-ix", "UA") == "КА5678ІХ"


def test_cyrillic_look_alikes_on_a_latin_plate_become_latin() -> None:
    assert normalize_plate("123 АВС 02", "KZ") == "123ABC02"
    assert normalize_plate("АВ-123-СD", "GE") == "AB123CD"


def test_a_letter_without_a_twin_is_named_with_the_letters_allowed() -> None:
    (found,) = validate_plate("Д123ВС77", "RU", "cmr.vehicle_plate")
    assert found.params["letter"] == "Д"
    assert found.message == "Д cannot appear on a RU plate; the letters used are А В Е К М Н О Р С Т У Х"
    (ukrainian,) = validate_plate("АУ 1234 ВС", "UA", "cmr.vehicle_plate")
    assert ukrainian.params["letter"] == "У"


def test_format_message_names_an_example_of_the_expected_form() -> None:
    (found,) = validate_plate("AB-1234-CD", "GE", "cmr.vehicle_plate")
    assert found.message == "AB1234CD is not a GE plate; expected a form like AB-123-CD"
    (trailer,) = validate_plate("AB-123-CD", "GE", "cmr.trailer_plate", "trailer")
    assert trailer.message == "AB123CD has the form of a GE vehicle plate; GE trailers carry plates like AB-123-C"


def test_empty_plate_is_missing() -> None:
    assert [item.code for item in validate_plate("  - ", "GE", "cmr.vehicle_plate")] == ["plate.missing"]
