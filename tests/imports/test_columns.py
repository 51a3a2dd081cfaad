import pytest

from ansinh.imports.columns import apply_overrides, detect_header, match_header
from ansinh.imports.errors import ImportFileError
from ansinh.imports.services import import_detect_columns, import_stage

from .conftest import HEADERS


def test_it_finds_the_header_below_title_rows(xlsx, household):
    path = xlsx(household())
    with open(path, "rb") as f:
        detected = import_detect_columns(f, path.name)
    # Two title rows and a blank row above: the header is row 4, as Excel shows it.
    assert detected["header_row"] == 4
    assert detected["headers"] == HEADERS
    assert detected["columns"] == {
        "0": "stt", "1": "full_name", "2": "birth_date", "3": "sex", "4": "id_number",
        "5": "relationship", "6": "household_code", "7": "address", "8": "commune",
        "9": "ethnicity", "10": "phone",
    }
    assert detected["sample"][0][1] == "Nguyễn Văn An"


@pytest.mark.parametrize("header,field", [
    ("Số định danh cá nhân", "id_number"), ("CCCD", "id_number"), ("Số CMND/CCCD", "id_number"),
    ("Năm sinh", "birth_date"), ("Ngày, tháng, năm sinh", "birth_date"),
    ("Quan hệ với chủ hộ", "relationship"), ("Mã hộ", "household_code"),
    ("Xã/Phường", "commune"), ("Mã xã", "commune"), ("Mức độ khuyết tật", "disability_level"),
    ("Hộ nghèo/cận nghèo", "poverty_status"), ("Số điện thoại", "phone"),
    ("Full name", "full_name"), ("Date of birth", "birth_date"), ("Household code",
                                                                    "household_code"),
    ("Ethnicity", "ethnicity"), ("Commune", "commune"), ("Sex", "sex"),
])
def test_it_recognises_vietnamese_and_english_headers(header, field):
    assert match_header(header) == field


def test_it_does_not_take_a_title_row_for_the_header():
    rows = [["UBND XÃ TÂN LẬP"], ["DANH SÁCH HỘ GIA ĐÌNH"], [],
            ["STT", "Họ và tên", "Ngày sinh", "Mã hộ"], [1, "A", "1990", "H1"]]
    index, mapping = detect_header(rows)
    assert index == 3
    assert mapping == {0: "stt", 1: "full_name", 2: "birth_date", 3: "household_code"}


def test_a_mapping_override_moves_a_field_to_another_column():
    headers = ["Họ và tên", "Ghi chú", "CCCD"]
    mapping = {0: "full_name", 2: "id_number"}
    fixed = apply_overrides(mapping, headers, {"Ghi chú": "id_number", "2": ""})
    assert fixed == {0: "full_name", 1: "id_number"}
    assert apply_overrides(mapping, headers, {"B": "phone"}) == {
        0: "full_name", 1: "phone", 2: "id_number"}


def test_staging_uses_the_corrected_mapping(xlsx, users, id_number):
    headers = ["STT", "Tên người", "Giấy tờ", "Giới tính", "Quan hệ", "Mã hộ"]
    number = id_number("M", 1980)
    path = xlsx([[1, "Lê Văn Tám", number, "Nam", "Chủ hộ", "H9"]], headers=headers)
    with open(path, "rb") as f:
        batch = import_stage(users["commune_officer"], f, path.name,
                             mapping={"Tên người": "full_name", "Giấy tờ": "id_number"})
    assert batch.mapping["columns"]["2"] == "id_number"
    row = batch.rows.get()
    assert row.outcome == "new", row.errors
    assert row.parsed["id_number"] == number


def test_an_unknown_field_in_the_mapping_is_refused(xlsx, users, household):
    path = xlsx(household())
    with open(path, "rb") as f, pytest.raises(ImportFileError, match="Không có trường"):
        import_stage(users["commune_officer"], f, path.name, mapping={"B": "nickname"})
