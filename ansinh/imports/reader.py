"""Reading an uploaded spreadsheet into rows of Python values, refusing whole files early.

Everything is read with python-calamine (xlsx, xlsm, xls, ods) or the csv module. The checks
that refuse a file come before any parsing: size (from the upload's size, never by reading),
extension, encryption (an encrypted OOXML file is an OLE container that calamine would call
"corrupt", which would mislead the officer).
"""

import csv
import hashlib
import io
import os
import unicodedata
from dataclasses import dataclass

import msoffcrypto
from django.conf import settings
from python_calamine import CalamineWorkbook

from .errors import ImportFileError

SPREADSHEET_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".ods")
EXTENSIONS = (*SPREADSHEET_EXTENSIONS, ".csv")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass
class SheetData:
    rows: list[list]  # rows[i] is the spreadsheet's row i + 1
    sha256: str
    size: int


def file_size(fileobj) -> int | None:
    size = getattr(fileobj, "size", None)
    if isinstance(size, int):
        return size
    try:
        here = fileobj.tell()
        fileobj.seek(0, os.SEEK_END)
        end = fileobj.tell()
        fileobj.seek(here)
        return end
    except (AttributeError, OSError):
        return None


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB" if n >= 1024 * 1024 else f"{n} byte"


def read_bytes(fileobj, filename: str) -> bytes:
    """The file's content, after the checks that need no reading."""
    ext = os.path.splitext(filename or "")[1].lower()
    if ext not in EXTENSIONS:
        raise ImportFileError(
            f"Tệp «{filename}» không được hỗ trợ: chỉ nhận {', '.join(EXTENSIONS)}."
        )
    limit = settings.IMPORT_MAX_BYTES
    size = file_size(fileobj)
    if size is not None and size > limit:
        raise ImportFileError(
            f"Tệp quá lớn ({_mb(size)}); giới hạn là {_mb(limit)}. Hãy chia thành nhiều tệp."
        )
    if hasattr(fileobj, "seek"):
        fileobj.seek(0)
    if hasattr(fileobj, "chunks"):
        data = b"".join(fileobj.chunks())
    else:
        data = fileobj.read(limit + 1)
    if len(data) > limit:  # a stream that did not know its size
        raise ImportFileError(f"Tệp quá lớn; giới hạn là {_mb(limit)}. Hãy chia thành nhiều tệp.")
    if not data:
        raise ImportFileError(f"Tệp «{filename}» rỗng.")
    return data


def read_sheet(fileobj, filename: str) -> SheetData:
    data = read_bytes(fileobj, filename)
    ext = os.path.splitext(filename)[1].lower()
    if ext == ".csv":
        rows = _read_csv(data)
    else:
        rows = _read_workbook(data, filename)
    return SheetData(rows=rows, sha256=hashlib.sha256(data).hexdigest(), size=len(data))


def _is_encrypted(data: bytes) -> bool:
    if not data.startswith(_OLE_MAGIC):
        return False
    try:
        return bool(msoffcrypto.OfficeFile(io.BytesIO(data)).is_encrypted())
    except Exception:  # noqa: BLE001 - an OLE file msoffcrypto cannot parse is not ours to judge
        return False


def _read_workbook(data: bytes, filename: str) -> list[list]:
    if _is_encrypted(data):
        raise ImportFileError(
            f"Tệp «{filename}» được đặt mật khẩu. Hãy mở bằng Excel, bỏ mật khẩu "
            "(Tệp → Thông tin → Bảo vệ sổ làm việc) rồi tải lên lại."
        )
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        if not workbook.sheet_names:
            raise ImportFileError(f"Tệp «{filename}» không có trang tính nào.")
        # Keep leading empty rows and columns so that row numbers are the ones Excel shows.
        return workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except ImportFileError:
        raise
    except Exception as exc:  # noqa: BLE001 - calamine raises several unrelated types
        raise ImportFileError(
            f"Không đọc được tệp «{filename}»: tệp bị hỏng hoặc không phải bảng tính Excel "
            f"({type(exc).__name__})."
        ) from exc


def _read_csv(data: bytes) -> list[list]:
    for encoding in ("utf-8-sig", "cp1258", "latin-1"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if encoding != "utf-8-sig":
        # cp1258 writes tone marks as combining characters; everything else expects NFC.
        text = unicodedata.normalize("NFC", text)
    if "\x00" in text:
        raise ImportFileError("Tệp CSV chứa ký tự không hợp lệ (có thể là tệp nhị phân).")
    sample = text[:20000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    try:
        return [row for row in csv.reader(io.StringIO(text, newline=""), dialect)]
    except csv.Error as exc:
        raise ImportFileError(f"Tệp CSV không đúng định dạng: {exc}.") from exc
