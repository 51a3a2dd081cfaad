import pytest

from ansinh.core.text import clean_name, fold, name_sort_key, split_full_name


@pytest.mark.parametrize(
    "text, folded",
    [
        ("Nguyễn Văn Dũng", "nguyen van dung"),
        ("ĐẶNG THỊ  Đào", "dang thi dao"),
        ("Huỳnh Ngọc Ánh", "huynh ngoc anh"),
        ("Lê-Văn  Ơn", "le van on"),
        ("", ""),
    ],
)
def test_fold_strips_diacritics_including_d_bar(text, folded):
    assert fold(text) == folded


def test_decomposed_input_folds_like_composed():
    import unicodedata

    assert fold(unicodedata.normalize("NFD", "Nguyễn Thị Ửng")) == "nguyen thi ung"


def test_it_splits_ho_ten_dem_ten():
    assert split_full_name("  nguyễn   thị minh KHAI") == ("Nguyễn", "Thị Minh", "Khai")
    assert split_full_name("Lan") == ("", "", "Lan")
    assert clean_name("trần  văn   a") == "Trần Văn A"


def test_lists_sort_by_ten_then_ho_then_ten_dem_in_vietnamese_order():
    people = [
        ("Nguyễn", "Văn", "Ân"), ("Trần", "", "An"), ("Lê", "Thị", "Anh"), ("Lê", "", "Ăn"),
        ("Phạm", "", "Đức"), ("Bùi", "", "Dung"), ("Võ", "", "Em"), ("Đặng", "", "Dũng"),
        ("Trần", "Văn", "Bình"), ("Lê", "Văn", "Bình"), ("Lê", "Thị", "Bình"),
    ]
    ordered = sorted(people, key=lambda p: name_sort_key(*p))
    assert ordered == [
        ("Trần", "", "An"), ("Lê", "Thị", "Anh"), ("Lê", "", "Ăn"), ("Nguyễn", "Văn", "Ân"),
        ("Lê", "Thị", "Bình"), ("Lê", "Văn", "Bình"), ("Trần", "Văn", "Bình"),
        ("Bùi", "", "Dung"), ("Đặng", "", "Dũng"), ("Phạm", "", "Đức"), ("Võ", "", "Em"),
    ]


def test_sort_key_is_ascii_so_byte_order_is_vietnamese_order():
    key = name_sort_key("Đặng", "Thị", "Ửng")
    assert key.isascii()
