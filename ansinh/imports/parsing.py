"""Row by row: spreadsheet cells → registry values, with every problem the row alone shows.

Cross-row and registry checks (duplicates, heads, existing persons) are in `planning.py`; this
module only needs the row itself and a few lookup tables, so it is a tight loop of dict
look-ups with caches for the values that repeat (communes, words, names).
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache

from ansinh.access.scoping import Scope
from ansinh.core.dates import YEAR, InvalidDate, parse_partial_date
from ansinh.core.ethnicity import ETHNIC_GROUPS, ethnicity_code
from ansinh.core.identity import InvalidIdNumber, check_id_number, normalise_id_number
from ansinh.core.text import clean_name, fold, name_sort_key, split_full_name
from ansinh.geo.models import AdminUnit, Level, Scheme
from ansinh.registry.choices import (
    DISABILITY_WORDS,
    POVERTY_WORDS,
    RELATIONSHIP_WORDS,
    SEX_WORDS,
)

from .columns import FIELDS

_TOTAL_WORDS = {"tong cong", "cong", "tong", "tong so", "total", "cong so", "tong cong so"}
_COLUMN_NUMBER = re.compile(r"^\(?[0-9a-zA-Z]{1,2}\)?$")
_PHONE_JUNK = re.compile(r"[\s.\-()]")
_MAX_LEN = {"household_code": 30, "address": 255}
MIN_BIRTH_YEAR = 1880
ETHNIC_NAMES = dict(ETHNIC_GROUPS)


@dataclass(slots=True)
class StagedRow:
    row_number: int
    raw: list
    parsed: dict
    errors: list = field(default_factory=list)
    # True when the row alone shows no problem; cross-row checks may still reject it.
    local_ok: bool = True
    outcome: str = ""
    diff: dict = field(default_factory=dict)
    target_person_id: int | None = None


def error(row_number: int, label: str, text: str, field_key: str) -> dict:
    return {"field": field_key, "message": f"Dòng {row_number}, cột «{label}»: {text}"}


@lru_cache(maxsize=200_000)
def name_forms(raw: str) -> tuple[str, str, str, str, str, str]:
    """(họ, tên đệm, tên, full name, folded, sort key) — what Person.refresh_derived stores."""
    ho, ten_dem, ten = split_full_name(raw)
    ho, ten_dem, ten = clean_name(ho), clean_name(ten_dem), clean_name(ten)
    full = " ".join(p for p in (ho, ten_dem, ten) if p)
    return ho, ten_dem, ten, full, fold(full), name_sort_key(ho, ten_dem, ten)


def _text(value) -> str:
    if type(value) is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value).strip()


class CommuneResolver:
    """A commune cell (5-digit code or name) → the current commune, once per distinct value.

    Names are looked up within `province_ids` (the user's provinces, or the chosen commune's),
    because commune names repeat across provinces. Units of the 2004 scheme resolve to their
    successor when they have exactly one.
    """

    def __init__(self, province_ids: set[int] | None):
        self.province_ids = province_ids
        self.current_by_code: dict[str, tuple[int, int, str]] = {}
        self.current_by_name: dict[str, list[tuple[int, int, str]]] = {}
        self.names: dict[int, str] = {}
        for pk, code, name, search, province_id in AdminUnit.objects.communes().values_list(
            "pk", "code", "name", "search_name", "province_id"
        ):
            unit = (pk, province_id, name)
            self.names[pk] = name
            self.current_by_code[code] = unit
            for key in _name_keys(search):
                self.current_by_name.setdefault(key, []).append(unit)
        self.retired_by_code: dict[str, tuple] = {}
        self.retired_by_name: dict[str, list[tuple]] = {}
        for code, name, search, province_id, successor_id in AdminUnit.objects.filter(
            scheme=Scheme.RETIRED, level=Level.COMMUNE
        ).values_list("code", "name", "search_name", "province_id", "successor_id"):
            unit = (successor_id, province_id, name)
            self.retired_by_code[code] = unit
            for key in _name_keys(search):
                self.retired_by_name.setdefault(key, []).append(unit)
        self._cache: dict[str, tuple[int | None, int | None, str | None]] = {}

    def resolve(self, raw) -> tuple[int | None, int | None, str | None]:
        """(commune id, province id, None) or (None, None, Vietnamese reason)."""
        text = _text(raw)
        hit = self._cache.get(text)
        if hit is None:
            hit = self._cache[text] = self._resolve(text)
        return hit

    def _in_area(self, units):
        if self.province_ids is None:
            return units
        return [u for u in units if u[1] in self.province_ids]

    def _retired(self, unit) -> tuple[int | None, int | None, str | None]:
        successor_id, province_id, name = unit
        if successor_id is None:
            return None, None, (
                f"«{name}» là đơn vị hành chính cũ (trước 01/07/2025) không có một đơn vị kế "
                "thừa duy nhất; hãy ghi tên hoặc mã xã/phường mới."
            )
        return successor_id, province_id, None

    def _resolve(self, text: str):
        if text.isdigit() and len(text) <= 5:
            code = text.zfill(5)
            if code in self.current_by_code:
                pk, province_id, _ = self.current_by_code[code]
                return pk, province_id, None
            if code in self.retired_by_code:
                return self._retired(self.retired_by_code[code])
            return None, None, f"không có xã/phường nào mang mã «{code}»."
        keys = _name_keys(fold(text))
        key = keys[-1] if keys else ""
        units = self._in_area(self.current_by_name.get(key, []))
        if len(units) == 1:
            return units[0][0], units[0][1], None
        if len(units) > 1:
            return None, None, (
                f"có nhiều xã/phường tên «{text}»; hãy ghi mã xã/phường 5 chữ số."
            )
        retired = self._in_area(self.retired_by_name.get(key, []))
        if len(retired) == 1:
            return self._retired(retired[0])
        if len(retired) > 1:
            return None, None, (
                f"«{text}» là tên cũ của nhiều xã/phường trước 01/07/2025; "
                "hãy ghi mã xã/phường mới (5 chữ số)."
            )
        where = " trong tỉnh/thành phố của bạn" if self.province_ids is not None else ""
        return None, None, f"không tìm thấy xã/phường «{text}»{where}."


_KINDS = ("phuong ", "xa ", "thi tran ", "dac khu ", "p ", "x ", "tt ")


def _name_keys(folded: str) -> list[str]:
    """The folded name, and without its kind: 'phuong ba dinh' → ['phuong ba dinh', 'ba dinh'].

    Lookups use the last key, so 'P. Ba Đình', 'Phường Ba Đình' and 'Ba Đình' all meet.
    """
    for kind in _KINDS:
        if folded.startswith(kind) and len(folded) > len(kind):
            return [folded, folded[len(kind):]]
    return [folded]


@dataclass
class ParseContext:
    scope: Scope  # where the user may import
    communes: CommuneResolver
    labels: dict[str, str]  # field → the header the file uses, for messages
    default_commune: tuple[int, int] | None = None  # (commune id, province id) chosen at upload
    today: date = field(default_factory=date.today)


def is_skipped(cells: list, name_index: int | None) -> bool:
    """Blank rows, total rows ('Tổng cộng', 'Cộng') and the '(1) (2) (3)' numbering row."""
    texts = [c for c in cells if c is not None and c != ""]
    if not texts:
        return True
    for cell in texts[:4]:
        # Cheap test first: total words are short and start with T or C.
        if (type(cell) is str and len(cell) <= 16 and cell[:1] in "TtCc"
                and fold(cell) in _TOTAL_WORDS):
            return True
    if name_index is not None and name_index < len(cells):
        name = cells[name_index]
        if name is None or name == "":
            # No name: the row is data only if something personal is there.
            return all(isinstance(c, (int, float)) for c in texts)
        if type(name) is str and len(name) <= 4 and _COLUMN_NUMBER.match(name.strip()):
            return True
    return False


def parse_rows(rows: list[list], header_index: int, mapping: dict[int, str],
               ctx: ParseContext, *, progress=None) -> list[StagedRow]:
    """Parse every data row below the header. `rows[i]` is spreadsheet row i + 1."""
    columns = sorted(mapping.items())
    name_index = next((i for i, f in columns if f == "full_name"), None)
    staged: list[StagedRow] = []
    word_cache: dict[tuple[str, object], tuple] = {}
    total = len(rows)
    for index in range(header_index + 1, total):
        cells = rows[index]
        if is_skipped(cells, name_index):
            continue
        row_number = index + 1
        values = {f: (cells[i] if i < len(cells) else "") for i, f in columns}
        parsed, errors = _parse(row_number, values, ctx, word_cache)
        staged.append(StagedRow(
            row_number=row_number,
            raw=[c if type(c) is str else _jsonable(c) for c in cells],
            parsed=parsed, errors=errors, local_ok=not errors,
        ))
        if progress and len(staged) % 5000 == 0:
            progress(index, total)
    return staged


def _jsonable(value):
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _word(cache, kind: str, table: dict, raw) -> tuple[str | None, bool]:
    """(value, known) for a word cell, cached per distinct cell value."""
    key = (kind, raw)
    hit = cache.get(key)
    if hit is None:
        text = _text(raw)
        if not text:
            hit = (None, True)
        elif kind == "ethnicity":
            code = ethnicity_code(text)
            hit = (code, code is not None)
        else:
            folded = fold(text)
            hit = (table[folded], True) if folded in table else (None, False)
        cache[key] = hit
    return hit


def _parse(row_number: int, values: dict, ctx: ParseContext, cache) -> tuple[dict, list]:
    errors: list[dict] = []
    parsed: dict = {}
    labels = ctx.labels

    def fail(field_key: str, text: str) -> None:
        errors.append(error(row_number, labels.get(field_key, FIELDS[field_key]), text,
                            field_key))

    def choose(field_key: str, kind: str, table: dict, unknown: str) -> None:
        """A cell holding one word of a fixed list; `unknown` formats the raw text."""
        value, known = _word(cache, kind, table, values.get(field_key))
        if not known:
            fail(field_key, unknown.format(_text(values.get(field_key))))
        elif value:
            parsed[field_key] = value

    # Name
    raw_name = values.get("full_name")
    raw_name = raw_name.strip() if type(raw_name) is str else _text(raw_name)
    if raw_name:
        ho, ten_dem, ten, full, search, sort_key = name_forms(raw_name)
        if len(ho) > 50 or len(ten_dem) > 80 or len(ten) > 50:
            fail("full_name", "họ tên quá dài.")
        parsed.update(ho=ho, ten_dem=ten_dem, ten=ten, full_name=full, search_name=search,
                      sort_key=sort_key)
    else:
        fail("full_name", "thiếu họ và tên.")

    # Sex
    sex, sex_known = _word(cache, "sex", SEX_WORDS, values.get("sex"))
    if not sex_known:
        fail("sex", f"không hiểu giới tính «{_text(values.get('sex'))}» (ghi Nam hoặc Nữ).")
    elif sex:
        parsed["sex"] = sex

    # Birth date
    raw_birth = values.get("birth_date")
    birth_year = None
    if raw_birth not in (None, ""):
        try:
            birth = parse_partial_date(raw_birth, today=ctx.today)
        except InvalidDate as exc:
            fail("birth_date", str(exc))
        else:
            if birth is not None:
                if birth.value > ctx.today:
                    fail("birth_date", f"ngày sinh {birth} ở tương lai.")
                elif birth.value.year < MIN_BIRTH_YEAR:
                    fail("birth_date", f"năm sinh {birth.value.year} không hợp lý "
                                       f"(trước {MIN_BIRTH_YEAR}).")
                else:
                    parsed["birth_date"] = birth.value.isoformat()
                    parsed["birth_date_precision"] = birth.precision
                    birth_year = birth.value.year

    # Personal ID
    raw_id = values.get("id_number")
    if raw_id not in (None, ""):
        number = normalise_id_number(raw_id)
        if "e+" in number.lower():
            fail("id_number", f"«{number}» là số đã bị Excel đổi sang dạng khoa học và mất "
                              "chữ số; hãy định dạng cột là Văn bản và nhập lại.")
        elif number:
            try:
                parts = check_id_number(number, sex=sex, birth_year=birth_year)
            except InvalidIdNumber as exc:
                fail("id_number", f"{exc} (giá trị «{number}»)")
            else:
                parsed["id_number"] = number
                if sex is None and sex_known:
                    # The 4th digit records sex; a blank sex cell is filled from it.
                    parsed["sex"] = parts.sex

    # Relationship
    choose("relationship", "relationship", RELATIONSHIP_WORDS,
           "không hiểu quan hệ «{}» (ví dụ: Chủ hộ, Vợ, Chồng, Con, Cha, Mẹ, Cháu, Khác).")

    # Household code
    code = _text(values.get("household_code"))
    if code:
        if len(code) > _MAX_LEN["household_code"]:
            fail("household_code", "mã hộ dài quá 30 ký tự.")
        else:
            parsed["household_code"] = code
    else:
        fail("household_code", "thiếu mã hộ: mỗi người phải thuộc một hộ.")

    address = _text(values.get("address"))
    if address:
        if len(address) > _MAX_LEN["address"]:
            fail("address", "địa chỉ dài quá 255 ký tự.")
        else:
            parsed["address"] = address

    # Commune
    raw_commune = values.get("commune")
    commune_id = province_id = None
    if raw_commune not in (None, ""):
        commune_id, province_id, problem = ctx.communes.resolve(raw_commune)
        if problem:
            fail("commune", problem)
    elif ctx.default_commune:
        commune_id, province_id = ctx.default_commune
    else:
        fail("commune", "thiếu xã/phường (ghi tên hoặc mã 5 chữ số, hoặc chọn xã khi tải "
                        "tệp lên).")
    if commune_id is not None:
        if ctx.default_commune and commune_id != ctx.default_commune[0]:
            fail("commune", f"xã/phường «{ctx.communes.names.get(commune_id)}» khác với "
                            f"xã/phường đã chọn khi tải lên "
                            f"«{ctx.communes.names.get(ctx.default_commune[0])}».")
        elif not ctx.scope.covers(commune_id, province_id):
            fail("commune", f"xã/phường «{ctx.communes.names.get(commune_id)}» nằm ngoài "
                            "địa bàn bạn được phép nhập dữ liệu.")
        else:
            parsed["commune_id"] = commune_id
            parsed["province_id"] = province_id

    # Ethnicity
    choose("ethnicity", "ethnicity", {}, "không có dân tộc «{}» trong danh mục 54 dân tộc.")

    # Phone
    raw_phone = values.get("phone")
    if raw_phone not in (None, ""):
        phone, problem = normalise_phone(raw_phone)
        if problem:
            fail("phone", problem)
        else:
            parsed["phone"] = phone

    choose("disability_level", "disability", DISABILITY_WORDS,
           "không hiểu mức độ khuyết tật «{}» (Nhẹ, Nặng, Đặc biệt nặng).")
    choose("poverty_status", "poverty", POVERTY_WORDS,
           "không hiểu diện hộ «{}» (Hộ nghèo, Hộ cận nghèo hoặc để trống).")
    return parsed, errors


def normalise_phone(raw) -> tuple[str, str | None]:
    text = _PHONE_JUNK.sub("", _text(raw))
    if text.startswith("+84"):
        text = "0" + text[3:]
    elif text.startswith("84") and len(text) == 11:
        text = "0" + text[2:]
    if text.isdigit() and len(text) in (9, 10) and not text.startswith("0"):
        text = "0" + text  # Excel stored it as a number and dropped the leading zero
    if not text.isdigit() or not 10 <= len(text) <= 11 or not text.startswith("0"):
        return "", f"số điện thoại «{_text(raw)}» phải có 10–11 chữ số và bắt đầu bằng 0."
    return text, None


def birth_year_only(parsed: dict) -> bool:
    return parsed.get("birth_date_precision") == YEAR
