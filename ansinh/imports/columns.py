"""The columns an import understands, and how a header row is recognised.

Commune lists carry title rows ("UBND XÃ …", "DANH SÁCH HỘ …") above the header, and write the
same column many ways ("Số CCCD", "Số định danh cá nhân", "CMND/CCCD"). Headers are folded
(no diacritics, lower case) and matched against phrases, most specific first, so that
"Quan hệ với chủ hộ" is a relationship and not a name.
"""

from ansinh.core.text import fold

# Field key → the label shown to the user (and in error messages).
FIELDS: dict[str, str] = {
    "stt": "STT",
    "full_name": "Họ và tên",
    "birth_date": "Ngày sinh",
    "sex": "Giới tính",
    "id_number": "Số CCCD",
    "relationship": "Quan hệ với chủ hộ",
    "household_code": "Mã hộ",
    "address": "Địa chỉ",
    "commune": "Xã/Phường",
    "ethnicity": "Dân tộc",
    "phone": "Số điện thoại",
    "disability_level": "Mức độ khuyết tật",
    "poverty_status": "Hộ nghèo/cận nghèo",
}

# (field, phrases): a folded header matches when it equals a phrase or contains it as whole
# words. Order matters: the first field that matches wins.
_PHRASES: list[tuple[str, tuple[str, ...]]] = [
    ("stt", ("stt", "so tt", "so thu tu", "tt", "no", "#")),
    ("relationship", ("quan he voi chu ho", "quan he", "qh voi chu ho", "relationship",
                      "relation")),
    ("household_code", ("ma ho", "ma ho gia dinh", "ma so ho", "so ho", "household code",
                        "household id", "household")),
    ("poverty_status", ("ho ngheo can ngheo", "ngheo", "dien ho", "phan loai ho", "poverty",
                        "poverty status")),
    ("disability_level", ("muc do khuyet tat", "khuyet tat", "disability level",
                          "disability")),
    ("id_number", ("so cccd", "cccd", "so dinh danh", "dinh danh", "cmnd", "so cmnd",
                   "id number", "national id", "personal id", "id")),
    ("birth_date", ("ngay sinh", "ngay thang nam sinh", "nam sinh", "ngay sinh nam sinh",
                    "date of birth", "birth date", "birthdate", "birth year", "dob", "born")),
    ("sex", ("gioi tinh", "gioi", "sex", "gender")),
    ("ethnicity", ("dan toc", "ethnicity", "ethnic group", "ethnic")),
    ("phone", ("so dien thoai", "dien thoai", "sdt", "dt", "phone", "phone number",
               "mobile")),
    ("address", ("dia chi", "noi o", "cho o", "thon xom", "address")),
    ("commune", ("xa phuong", "xa phuong dac khu", "ma xa", "ten xa", "xa", "phuong",
                 "commune", "ward", "commune code")),
    ("full_name", ("ho va ten", "ho ten", "ho ten nguoi", "ten", "full name", "name",
                   "ho va ten nhan khau", "ten nhan khau")),
]

# How many rows from the top are searched for the header.
HEADER_SEARCH_ROWS = 30


def match_header(text: object) -> str | None:
    """The field a header cell names, or None."""
    key = fold(str(text or "").replace("/", " ").replace("_", " "))
    if not key:
        return None
    padded = f" {key} "
    for field, phrases in _PHRASES:
        if key in phrases:
            return field
    for field, phrases in _PHRASES:
        if field == "stt":
            continue  # "no" and "tt" are too short to look for inside longer headers
        for phrase in phrases:
            if len(phrase) > 2 and f" {phrase} " in padded:
                return field
    return None


def map_header_row(cells: list) -> dict[int, str]:
    """Column index → field for one candidate header row; each field taken once, leftmost."""
    mapping: dict[int, str] = {}
    taken: set[str] = set()
    for index, cell in enumerate(cells):
        field = match_header(cell)
        if field and field not in taken:
            mapping[index] = field
            taken.add(field)
    return mapping


def detect_header(rows: list[list]) -> tuple[int, dict[int, str]] | None:
    """(0-based row index, mapping) of the row that looks most like a header.

    A header must name the person (Họ và tên) and at least one more column; among candidates
    the one naming the most fields wins, the topmost on a tie.
    """
    best: tuple[int, dict[int, str]] | None = None
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        # A header is text: a row of numbers or dates is data.
        if not any(isinstance(c, str) and c.strip() for c in row):
            continue
        mapping = map_header_row(row)
        fields = set(mapping.values()) - {"stt"}
        if "full_name" not in fields or len(fields) < 2:
            continue
        if best is None or len(fields) > len(set(best[1].values()) - {"stt"}):
            best = (index, mapping)
    return best


def apply_overrides(mapping: dict[int, str], headers: list[str],
                    overrides: dict | None) -> dict[int, str]:
    """Correct a detected mapping: `{column: field}` where column is a 0-based index, its
    header text or a column letter (A, B, …) and field a key of FIELDS or "" to ignore."""
    result = dict(mapping)
    for column, field in (overrides or {}).items():
        index = column_index(column, headers)
        field = (field or "").strip()
        if field and field not in FIELDS:
            raise ValueError(f"Không có trường «{field}». Các trường: {', '.join(FIELDS)}.")
        result.pop(index, None)
        if field:
            for other, f in list(result.items()):
                if f == field:
                    del result[other]
            result[index] = field
    return result


def column_index(column, headers: list[str]) -> int:
    if isinstance(column, int):
        return column
    text = str(column).strip()
    if text.isdigit():
        return int(text)
    for i, header in enumerate(headers):
        if str(header).strip() == text:
            return i
    folded = fold(text)
    for i, header in enumerate(headers):
        if fold(str(header)) == folded:
            return i
    if text.isalpha() and text.isascii() and len(text) <= 2:
        index = 0
        for ch in text.upper():
            index = index * 26 + ord(ch) - 64
        return index - 1
    raise ValueError(f"Không tìm thấy cột «{text}» trong dòng tiêu đề.")


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters
