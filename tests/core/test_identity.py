import pytest

from ansinh.core.identity import (
    InvalidIdNumber,
    check_id_number,
    make_id_number,
    normalise_id_number,
    parse_id_number,
)


def test_it_reads_province_century_sex_and_year():
    parts = parse_id_number("001090123456")
    assert parts.province_prefix == "001"
    assert parts.sex == "M"
    assert parts.birth_year == 1990


@pytest.mark.parametrize(
    "digit, year, sex",
    [("0", 1900, "M"), ("1", 1900, "F"), ("2", 2000, "M"), ("3", 2000, "F"), ("4", 2100, "M")],
)
def test_it_maps_the_century_and_sex_digit(digit, year, sex):
    parts = parse_id_number(f"079{digit}00123456")
    assert (parts.birth_year, parts.sex) == (year, sex)


@pytest.mark.parametrize("bad", ["", "12345678901", "0010901234567", "00109012345a", "abc"])
def test_it_rejects_anything_but_twelve_digits(bad):
    with pytest.raises(InvalidIdNumber, match="12 chữ số"):
        parse_id_number(bad)


@pytest.mark.parametrize("prefix", ["000", "003", "063", "099", "100"])
def test_it_rejects_a_prefix_outside_the_birth_province_list(prefix):
    with pytest.raises(InvalidIdNumber, match="Mã tỉnh"):
        parse_id_number(prefix + "090123456")


def test_it_rejects_a_sex_digit_that_contradicts_the_declared_sex():
    with pytest.raises(InvalidIdNumber, match="giới tính"):
        check_id_number("001090123456", sex="F")


def test_it_rejects_a_year_that_contradicts_the_birth_year():
    with pytest.raises(InvalidIdNumber, match="năm sinh 1990"):
        check_id_number("001090123456", sex="M", birth_year=1991)


def test_a_woman_born_in_2005_has_digit_three():
    number = make_id_number("036", "F", 2005, 42)
    assert number == "036305000042"
    assert check_id_number(number, sex="F", birth_year=2005).sex == "F"


@pytest.mark.parametrize(
    "raw, expected",
    [
        (1090123456, "001090123456"),  # Excel stored it as a number
        (1090123456.0, "001090123456"),
        ("1090123456.0", "001090123456"),
        (" 001 090 123 456 ", "001090123456"),
        ("'001090123456", "001090123456"),
        ("12345", "12345"),  # too short to be a lost-zero ID: left for validation to reject
        (None, ""),
    ],
)
def test_it_restores_ids_mangled_by_spreadsheets(raw, expected):
    assert normalise_id_number(raw) == expected
