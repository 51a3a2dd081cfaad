"""Spreadsheet builders for the import tests: real .xlsx files written with openpyxl."""

import csv
import datetime as dt
import io
import unicodedata
from pathlib import Path

import pytest
from openpyxl import Workbook

HEADERS = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Quan hệ với chủ hộ",
           "Mã hộ", "Địa chỉ", "Xã/Phường", "Dân tộc", "Số điện thoại"]
TITLE = ["UBND PHƯỜNG BA ĐÌNH", "DANH SÁCH HỘ GIA ĐÌNH VÀ NHÂN KHẨU NĂM 2026"]


@pytest.fixture(autouse=True)
def _fast_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # The shared `users` fixture hashes seven passwords per test; PBKDF2 made that 7 s.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def write_xlsx(path: Path, rows, *, headers=HEADERS, title=TITLE) -> Path:
    wb = Workbook()
    ws = wb.active
    for line in title:
        ws.append([line])
    if title:
        ws.append([])
    if headers is not None:
        ws.append(list(headers))
    for row in rows:
        ws.append(list(row))
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # typed text, as a user's name would be, not a formula
    wb.save(path)
    return path


def write_csv(path: Path, rows, *, headers=HEADERS, encoding="utf-8-sig") -> Path:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(row)
    text = buf.getvalue()
    if encoding == "cp1258":
        # Windows-1258 has only base letters and combining tone marks, as old Excel wrote it.
        text = "".join(_cp1258_char(ch) for ch in text)
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture
def xlsx(tmp_path):
    counter = iter(range(1, 1000))

    def make(rows, **kwargs) -> Path:
        return write_xlsx(tmp_path / f"ds{next(counter)}.xlsx", rows, **kwargs)

    return make


@pytest.fixture
def household(id_number):
    """A household of three in Phường Ba Đình (code 00004), as an officer would type it."""

    def make(code="H001", commune="00004", head_id=None, wife_id=None, child_id=None):
        return [
            [1, "Nguyễn Văn An", dt.datetime(1975, 4, 2), "Nam",
             head_id or id_number("M", 1975), "Chủ hộ", code, "Tổ 5", commune, "Kinh",
             "0912345678"],
            [2, "Trần Thị Bình", "05/06/1978", "Nữ", wife_id or id_number("F", 1978), "Vợ",
             code, "", commune, "Kinh", ""],
            [3, "Nguyễn Minh Châu", "2005", "Nữ", child_id or id_number("F", 2005), "Con",
             code, "", commune, "Kinh", ""],
        ]

    return make


def _cp1258_char(ch: str) -> str:
    """'ộ' → 'ô' + combining dot below: the letter cp1258 has, then the tone mark."""
    try:
        ch.encode("cp1258")
        return ch
    except UnicodeEncodeError:
        decomposed = unicodedata.normalize("NFD", ch)
        tones = "".join(c for c in decomposed if c in _TONE_MARKS)
        base = "".join(c for c in decomposed if c not in _TONE_MARKS)
        return unicodedata.normalize("NFC", base) + tones


_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"
