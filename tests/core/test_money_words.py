from decimal import Decimal

import pytest

from ansinh.core.money_words import amount_in_words, format_vnd


@pytest.mark.parametrize(
    "amount, words",
    [
        (0, "Không đồng"),
        (1, "Một đồng"),
        (5, "Năm đồng"),
        (10, "Mười đồng"),
        (11, "Mười một đồng"),
        (14, "Mười bốn đồng"),
        (15, "Mười lăm đồng"),
        (20, "Hai mươi đồng"),
        (21, "Hai mươi mốt đồng"),
        (24, "Hai mươi bốn đồng"),
        (25, "Hai mươi lăm đồng"),
        (101, "Một trăm linh một đồng"),
        (105, "Một trăm linh năm đồng"),
        (110, "Một trăm mười đồng"),
        (115, "Một trăm mười lăm đồng"),
        (1_005, "Một nghìn không trăm linh năm đồng"),
        (1_010, "Một nghìn không trăm mười đồng"),
        (1_021, "Một nghìn không trăm hai mươi mốt đồng"),
        (15_000, "Mười lăm nghìn đồng"),
        (101_000, "Một trăm linh một nghìn đồng"),
        (360_000, "Ba trăm sáu mươi nghìn đồng"),
        (500_000, "Năm trăm nghìn đồng"),
        (540_000, "Năm trăm bốn mươi nghìn đồng"),
        (750_000, "Bảy trăm năm mươi nghìn đồng"),
        (810_000, "Tám trăm mười nghìn đồng"),
        (1_000_000, "Một triệu đồng"),
        (1_000_001, "Một triệu không trăm linh một đồng"),
        (1_005_000, "Một triệu không trăm linh năm nghìn đồng"),
        (1_080_000, "Một triệu không trăm tám mươi nghìn đồng"),
        (1_250_000, "Một triệu hai trăm năm mươi nghìn đồng"),
        (2_505_000, "Hai triệu năm trăm linh năm nghìn đồng"),
        (10_000_000, "Mười triệu đồng"),
        (21_500_000, "Hai mươi mốt triệu năm trăm nghìn đồng"),
        (1_000_000_000, "Một tỷ đồng"),
        (1_000_005_000, "Một tỷ không trăm linh năm nghìn đồng"),
        (1_005_000_000, "Một tỷ không trăm linh năm triệu đồng"),
        (1_234_567_891,
         "Một tỷ hai trăm ba mươi bốn triệu năm trăm sáu mươi bảy nghìn tám trăm chín mươi mốt đồng"),
        (25_000_000_000, "Hai mươi lăm tỷ đồng"),
        (1_500_000_000_000, "Một nghìn năm trăm tỷ đồng"),
    ],
)
def test_amounts_read_as_accounting_documents_write_them(amount, words):
    assert amount_in_words(amount) == words


def test_a_decimal_of_whole_dong_is_accepted():
    assert amount_in_words(Decimal("1250000.00")) == "Một triệu hai trăm năm mươi nghìn đồng"


def test_the_currency_word_can_be_changed_or_left_out():
    assert amount_in_words(21, currency="") == "Hai mươi mốt"


@pytest.mark.parametrize("bad, error", [(-1, ValueError), (Decimal("10.5"), ValueError),
                                        (10.0, TypeError), ("10", TypeError), (True, TypeError)])
def test_it_refuses_what_has_no_reading(bad, error):
    with pytest.raises(error):
        amount_in_words(bad)


@pytest.mark.parametrize(
    "amount, text",
    [(1_250_000, "1.250.000 đ"), (0, "0 đ"), (500, "500 đ"), (-250_000, "-250.000 đ"),
     (1_000_000_000, "1.000.000.000 đ"), (Decimal("750000"), "750.000 đ")],
)
def test_format_vnd_puts_dots_between_thousands(amount, text):
    assert format_vnd(amount) == text


def test_format_vnd_takes_another_unit_and_leaves_none_empty():
    assert format_vnd(750_000, "đồng/tháng") == "750.000 đồng/tháng"
    assert format_vnd(750_000, "") == "750.000"
    assert format_vnd(None) == ""
