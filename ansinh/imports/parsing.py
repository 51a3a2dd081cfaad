"""Spreadsheet cells → registry values, column by column, with every problem a row alone shows.

A file of 100,000 people holds only a few thousand distinct values in most columns (communes,
sexes, relationships, dates, the words of names), so each column is parsed once per distinct
value and the result fanned out to its rows. Only what truly depends on several cells of one
row (an ID number against the row's sex and year of birth) is checked row by row.

Cross-row and registry checks (duplicates, heads, existing persons) are in `planning.py`.
"""

import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import zip_longest
from operator import itemgetter

from ansinh.access.scoping import Scope
from ansinh.core.dates import DAY, YEAR, InvalidDate, parse_partial_date
from ansinh.core.ethnicity import ETHNIC_GROUPS, ethnicity_code
from ansinh.core.identity import (
    BIRTH_PROVINCE_PREFIXES,
    InvalidIdNumber,
    check_id_number,
    normalise_id_number,
    parse_id_number,
)
from ansinh.core.text import clean_name, fold, word_sort_key
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

# What a staged row holds once parsed, in the order ImportRow stores it. Text fields are ""
# when the file gives nothing usable; the ids are None.
NAME_FIELDS = ("ho", "ten_dem", "ten", "full_name", "search_name", "sort_key")
PARSED_FIELDS = (
    *NAME_FIELDS, "birth_date", "birth_date_precision", "sex", "ethnicity", "id_number",
    "phone", "disability_level", "relationship", "household_code", "address",
    "poverty_status", "commune_id", "province_id",
)
# The registry is searched by these; staged rows keep them as columns, the rest as one array.
KEY_FIELDS = ("id_number", "commune_id", "household_code")
CARRIED_FIELDS = tuple(f for f in PARSED_FIELDS if f not in KEY_FIELDS)
# The array, by the file column each part is read from.
_CARRIED_BY_COLUMN = (
    ("full_name", NAME_FIELDS), ("birth_date", ("birth_date", "birth_date_precision")),
    ("sex", ("sex",)), ("ethnicity", ("ethnicity",)), ("phone", ("phone",)),
    ("disability_level", ("disability_level",)), ("relationship", ("relationship",)),
    ("address", ("address",)), ("poverty_status", ("poverty_status",)),
    ("commune", ("province_id",)),
)


@dataclass
class Staged:
    """The data rows of one file, column-wise: `values[field][i]` belongs to row i, which the
    spreadsheet shows as `row_numbers[i]`."""

    row_numbers: list[int]
    values: dict[str, list]
    # Row i's errors, in the order of the fields; rows without errors are absent.
    errors: dict[int, list[dict]] = field(default_factory=dict)
    # How many of row i's errors the row alone shows (the rest are cross-row or registry).
    local_errors: dict[int, int] = field(default_factory=dict)
    raw: list[str] | None = None  # each row's original cells as JSON text
    carried: list[str] | None = None  # each row's CARRIED_FIELDS as a JSON array
    # Set by planning.plan():
    outcome: list[str] = field(default_factory=list)
    diff: dict[int, dict] = field(default_factory=dict)  # field → [old, new] as displayed
    changes: dict[int, dict] = field(default_factory=dict)  # field → [old, new] as stored
    target: list[int | None] = field(default_factory=list)  # registry person id
    household: list[int | None] = field(default_factory=list)  # registry household id

    def __len__(self) -> int:
        return len(self.row_numbers)

    def parsed(self, i: int) -> dict:
        """Row i as the dict the rest of the code base knows: only the fields it has."""
        return parsed_dict({f: self.values[f][i] for f in PARSED_FIELDS})

    def fail(self, i: int, label: str, text: str, field_key: str) -> None:
        self.errors.setdefault(i, []).append(error(self.row_numbers[i], label, text, field_key))


def parsed_dict(values: dict) -> dict:
    """Drop what a row does not have: the name parts come together (họ and tên đệm may be
    empty), every other field only when it holds a value."""
    out = {}
    for key, value in values.items():
        if key in NAME_FIELDS:
            if values.get("full_name"):
                out[key] = value
        elif value not in (None, ""):
            out[key] = value.isoformat() if isinstance(value, date) else value
    return out


def error(row_number: int, label: str, text: str, field_key: str) -> dict:
    return {"field": field_key, "message": f"Dòng {row_number}, cột «{label}»: {text}"}


# ---------------------------------------------------------------------------------------------
# Values


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


def _make_encoder() -> Callable[[object], str]:
    """JSON text as the staged rows store it (no ASCII escaping, no spaces). The C encoder is
    called directly: JSONEncoder.encode costs several times more per small value."""
    try:
        from json.encoder import c_make_encoder, encode_basestring
    except ImportError:  # pragma: no cover - CPython always has the C accelerator
        c_make_encoder = None
    if c_make_encoder is None:  # pragma: no cover
        return json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    make = c_make_encoder(None, _jsonable, encode_basestring, None, ":", ",", False, False,
                          True)
    return lambda value: "".join(make(value, 0))


encode_json = _make_encoder()


_encode_str = json.encoder.encode_basestring  # the C version, as the encoder itself uses


def _encode_cell(value) -> str:
    """encode_json(_jsonable(value)) for one cell, without the encoder's per-call cost for the
    types a sheet is made of."""
    kind = type(value)
    if kind is str:
        return _encode_str(value)
    if kind is float and value.is_integer():
        return str(int(value))
    if value is None:
        return "null"
    if kind is int:
        return int.__repr__(value)
    if kind is datetime:
        return '"' + value.isoformat(sep=" ") + '"'
    if kind is date:
        return '"' + value.isoformat() + '"'
    return encode_json(_jsonable(value))


def per_value(column, parse: Callable, distinct: dict | None = None) -> list:
    """parse(cell) for every cell, computed once per distinct cell value (`distinct`, when
    given, holds at least every value of the column).

    Python treats True == 1 == 1.0 as one dict key; a column holding booleans is parsed cell by
    cell so that TRUE and 1 keep their own meaning."""
    if distinct is None:
        distinct = dict.fromkeys(column)
    # A boolean can only hide behind a key equal to 1 or 0; look for one only then. A column
    # of (nearly) all different values (serial numbers, IDs) gains nothing from a table.
    if 10 * len(distinct) > 9 * len(column) or (
            (True in distinct or False in distinct) and any(type(v) is bool for v in distinct)):
        return list(map(parse, column))
    table = {value: parse(value) for value in distinct}
    return [table[v] for v in column]


_WORD_FORMS: dict[str, tuple[str, str, str]] = {}


def _word_forms(word: str) -> tuple[str, str, str]:
    """(cleaned word, folded word, sort key of the word), cached across imports: a name is a
    handful of words out of a few thousand in the language."""
    forms = _WORD_FORMS.get(word)
    if forms is None:
        # clean_name runs twice on every word of a name (once on the whole name, once on its
        # part), so it does here too, to store exactly what Person.refresh_derived would.
        cleaned = clean_name(clean_name(word))
        forms = (cleaned, fold(cleaned), word_sort_key(cleaned))
        if len(_WORD_FORMS) < 50_000:
            _WORD_FORMS[word] = forms
    return forms


def name_forms(raw: str) -> tuple[str, str, str, str, str, str]:
    """(họ, tên đệm, tên, full name, folded, sort key) — what Person.refresh_derived stores.

    Word by word, which is what core.text does to a whole name: split_full_name cleans and
    splits on spaces, fold works per word once punctuation has become spaces, and
    name_sort_key joins the keys of tên, họ and each word of tên đệm."""
    words = unicodedata.normalize("NFC", raw).split()
    if not words:
        return "", "", "", "", "", ""
    forms = [_word_forms(w) for w in words]
    if len(forms) == 1:
        ho_f, middle, ten_f = None, [], forms[0]
    else:
        ho_f, middle, ten_f = forms[0], forms[1:-1], forms[-1]
    ho = ho_f[0] if ho_f else ""
    ten_dem = " ".join(f[0] for f in middle)
    ten = ten_f[0]
    ordered = [ho_f, *middle, ten_f] if ho_f else [ten_f]
    full = " ".join(f[0] for f in ordered)
    search = " ".join(f[1] for f in ordered if f[1])
    keys = [ten_f[2]] + ([ho_f[2]] if ho_f else []) + [f[2] for f in middle]
    return ho, ten_dem, ten, full, search, " ".join(keys)[:250]


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


# ---------------------------------------------------------------------------------------------
# Rows


def is_skipped(cells: list, name_index: int | None) -> bool:
    """Blank rows, total rows ('Tổng cộng', 'Cộng') and the '(1) (2) (3)' numbering row."""
    texts = [c for c in cells if c is not None and c != ""]
    if not texts:
        return True
    for cell in texts[:4]:
        if _is_total_word(cell):
            return True
    if name_index is not None and name_index < len(cells):
        name = cells[name_index]
        if name is None or name == "":
            # No name: the row is data only if something personal is there.
            return all(isinstance(c, (int, float)) for c in texts)
        if type(name) is str and len(name) <= 4 and _COLUMN_NUMBER.match(name.strip()):
            return True
    return False


def _is_total_word(cell) -> bool:
    # Cheap test first: total words are short and start with T or C.
    return (type(cell) is str and len(cell) <= 16 and cell[:1] in "TtCc"
            and fold(cell) in _TOTAL_WORDS)


def data_row_indexes(rows: list[list], header_index: int, name_index: int | None,
                     columns: list[tuple], distinct: list[dict]) -> list[int]:
    """Indexes of the rows below the header that hold data (is_skipped decides); `columns`
    are the columns of those rows and `distinct` their values.

    Almost every row has a name longer than four characters and no total word; such a row is
    data without further ado, and only the others go through is_skipped."""
    first = header_index + 1
    suspects: set[int] = set()
    for column, values in zip(columns, distinct, strict=True):
        totals = {v for v in values if type(v) is str and len(v) <= 16 and v[:1] in "TtCc"
                  and fold(v) in _TOTAL_WORDS}
        if totals:
            suspects.update(first + k for k, v in enumerate(column) if v in totals)
    keep = []
    for index in range(first, len(rows)):
        cells = rows[index]
        name = cells[name_index] if name_index is not None and name_index < len(cells) else None
        if type(name) is str and len(name) > 4 and index not in suspects:
            keep.append(index)
        elif not is_skipped(cells, name_index):
            keep.append(index)
    return keep


def parse_rows(rows: list[list], header_index: int, mapping: dict[int, str],
               ctx: ParseContext, *, progress=None) -> Staged:
    """Parse every data row below the header. `rows[i]` is spreadsheet row i + 1."""
    name_index = next((i for i, f in sorted(mapping.items()) if f == "full_name"), None)
    first = header_index + 1
    below = rows[first:]
    width = len(below[0]) if below else 0
    if all(len(r) == width for r in below):
        columns = list(zip(*below, strict=True))
    else:  # a cell beyond the end of a short (CSV) row reads as empty
        columns = list(zip_longest(*below, fillvalue=""))
    distinct = [dict.fromkeys(c) for c in columns]
    keep = data_row_indexes(rows, header_index, name_index, columns, distinct)
    n = len(keep)
    if n < len(rows) - first:
        if n and keep[-1] - keep[0] == n - 1:  # what was skipped lies above or below the data
            columns = [c[keep[0] - first:keep[-1] - first + 1] for c in columns]
        elif n > 1:
            pick = itemgetter(*(i - first for i in keep))
            columns = [pick(c) for c in columns]
        else:
            columns = [tuple(c[i - first] for i in keep) for c in columns]
    data = [rows[i] for i in keep]
    cells = {f: (columns[i], distinct[i]) if i < len(columns) else (("",) * n, {"": None})
             for i, f in mapping.items()}
    staged = Staged(row_numbers=[i + 1 for i in keep], values={},
                    raw=_raw_json(data, columns, distinct))
    parser = _ColumnParser(staged, cells, ctx, n)
    steps = parser.steps()
    for done, step in enumerate(steps, 1):
        step()
        if progress:
            progress(done, len(steps))
    staged.local_errors = {i: len(e) for i, e in staged.errors.items()}
    staged.carried = parser.carried_json()
    return staged


def _raw_json(data: list[list], columns: list[tuple], distinct: list[dict]) -> list[str]:
    """Each row's cells as JSON text (what the preview and the rejects report give back)."""
    width = len(columns)
    if any(len(r) != width for r in data):  # ragged rows keep their own length
        return [encode_json([_jsonable(c) for c in r]) for r in data]
    if not width:
        return ["[]"] * len(data)
    return json_rows(columns, distinct)


def json_rows(columns: list, distinct: list[dict] | None = None) -> list[str]:
    """Row i's JSON array of columns[j][i], each distinct value of a column encoded once."""
    if not columns:
        return []
    encoded = [per_value(c, _encode_cell, d) for c, d in
               zip(columns, distinct or [None] * len(columns), strict=True)]
    return ["[" + line + "]" for line in map(",".join, zip(*encoded, strict=True))]


class _ColumnParser:
    """One method per field, in the order the errors of a row are reported."""

    def __init__(self, staged: Staged, cells: dict[str, list], ctx: ParseContext, n: int):
        self.s = staged
        self.cells = cells
        self.ctx = ctx
        self.n = n
        self.v = staged.values
        self.sex_known: list[bool] = []
        self.birth_year: list[int | None] = []
        self.pieces: dict[str, list[str]] = {}  # file column → its part of the JSON array

    def steps(self) -> list[Callable[[], None]]:
        return [self.name, self.sex, self.birth_date, self.id_number, self.relationship,
                self.household_code, self.address, self.commune, self.ethnicity, self.phone,
                self.disability_level, self.poverty_status]

    def per_value(self, field_key: str, parse: Callable,
                  carry: Callable | None = None) -> list:
        """parse() of the field's cell in every row (None where the field is not mapped).

        With `carry` (result → the values it adds to the staged array), each distinct result
        is also encoded once as its piece of the row's JSON array."""
        if carry is not None:
            def parse_and_encode(raw, parse=parse):
                result = parse(raw)
                return result, ",".join(map(_encode_cell, carry(result)))

            results = self._per_value(field_key, parse_and_encode)
            self.pieces[field_key] = [r[1] for r in results]
            return [r[0] for r in results]
        return self._per_value(field_key, parse)

    def _per_value(self, field_key: str, parse: Callable) -> list:
        found = self.cells.get(field_key)
        if found is None:
            return [parse(None)] * self.n
        return per_value(found[0], parse, found[1])

    def carried_json(self) -> list[str]:
        """Each row's CARRIED_FIELDS as a JSON array, from the pieces encoded per distinct
        value; sex is encoded row by row, as an ID number may have filled it in."""
        codes = {value: _encode_cell(value) for value in dict.fromkeys(self.v["sex"])}
        self.pieces["sex"] = [codes[v] for v in self.v["sex"]]
        pieces = [self.pieces[column] for column, _ in _CARRIED_BY_COLUMN]
        return ["[" + line + "]" for line in map(",".join, zip(*pieces, strict=True))]

    def label(self, field_key: str) -> str:
        return self.ctx.labels.get(field_key, FIELDS[field_key])

    def report(self, field_key: str, problems: list) -> None:
        """Add the error of every row whose problem is not None."""
        if problems.count(None) == len(problems):
            return
        label = self.label(field_key)
        for i, problem in enumerate(problems):
            if problem is not None:
                self.s.fail(i, label, problem, field_key)

    # Each parser below returns per distinct value a tuple whose last item is the problem
    # (a Vietnamese sentence) or None.

    def name(self) -> None:
        def parse(raw):
            text = raw.strip() if type(raw) is str else _text(raw)
            if not text:
                return "", "", "", "", "", "", "thiếu họ và tên."
            forms = name_forms(text)
            ho, ten_dem, ten = forms[:3]
            too_long = len(ho) > 50 or len(ten_dem) > 80 or len(ten) > 50
            return (*forms, "họ tên quá dài." if too_long else None)

        results = self.per_value("full_name", parse, carry=lambda r: r[:6])
        columns = list(zip(*results, strict=True)) if results else [()] * 7
        for key, values in zip(NAME_FIELDS, columns, strict=False):
            self.v[key] = list(values)
        self.report("full_name", columns[6])

    def _words(self, field_key: str, table: dict, unknown: str, *,
               ethnicity: bool = False) -> tuple[list, list]:
        """A cell holding one word of a fixed list: (values, problems)."""
        def parse(raw):
            text = _text(raw)
            if not text:
                return None, True, None
            if ethnicity:
                code = ethnicity_code(text)
                return code, code is not None, None if code is not None else \
                    unknown.format(text)
            folded = fold(text)
            if folded in table:
                return table[folded], True, None
            return None, False, unknown.format(text)

        results = self.per_value(field_key, parse, carry=lambda r: (r[0] or "",))
        values = [r[0] or "" for r in results]
        self.report(field_key, [r[2] for r in results])
        return values, [r[1] for r in results]

    def sex(self) -> None:
        def parse(raw):
            text = _text(raw)
            if not text:
                return None, True, None
            folded = fold(text)
            if folded in SEX_WORDS:
                return SEX_WORDS[folded], True, None
            return None, False, f"không hiểu giới tính «{text}» (ghi Nam hoặc Nữ)."

        results = self.per_value("sex", parse)
        self.v["sex"] = [r[0] or "" for r in results]
        self.sex_known = [r[1] for r in results]
        self.report("sex", [r[2] for r in results])

    def birth_date(self) -> None:
        today = self.ctx.today

        def parse(raw):
            if raw is None or raw == "":
                return None, "", None, None
            kind = type(raw)
            value = None
            if kind is date or kind is datetime:  # a real Excel date: a full date
                value = raw.date() if kind is datetime else raw
            elif (kind is str and len(raw) == 10 and raw[2] in "/-." and raw[5] in "/-."
                  and raw.isascii() and raw[:2].isdigit() and raw[3:5].isdigit()
                  and raw[6:].isdigit()):  # dd/mm/yyyy, the usual typed date
                try:
                    value = date(int(raw[6:]), int(raw[3:5]), int(raw[:2]))
                except ValueError:
                    value = None  # core.dates words the problem
            if value is not None and MIN_BIRTH_YEAR <= value.year and value <= today:
                return value, DAY, value.year, None
            try:
                birth = parse_partial_date(raw, today=today)
            except InvalidDate as exc:
                return None, "", None, str(exc)
            if birth is None:
                return None, "", None, None
            if birth.value > today:
                return None, "", None, f"ngày sinh {birth} ở tương lai."
            if birth.value.year < MIN_BIRTH_YEAR:
                return None, "", None, (f"năm sinh {birth.value.year} không hợp lý "
                                        f"(trước {MIN_BIRTH_YEAR}).")
            return birth.value, birth.precision, birth.value.year, None

        results = self.per_value("birth_date", parse, carry=lambda r: r[:2])
        self.v["birth_date"] = [r[0] for r in results]
        self.v["birth_date_precision"] = [r[1] for r in results]
        self.birth_year = [r[2] for r in results]
        self.report("birth_date", [r[3] for r in results])

    def id_number(self) -> None:
        """Structure once per distinct number; agreement with sex and year row by row."""
        results = self.per_value("id_number", _id_structure)
        numbers = [""] * self.n
        problems: list[str | None] = [None] * self.n
        sexes = self.v["sex"]
        years = self.birth_year
        known = self.sex_known
        for i, (number, id_sex, id_year, problem) in enumerate(results):
            if problem is not None:
                problems[i] = problem
            elif id_sex is None:
                continue  # an empty cell
            elif (sexes[i] and id_sex != sexes[i]) or (years[i] and id_year != years[i]):
                try:
                    check_id_number(number, sex=sexes[i] or None, birth_year=years[i])
                except InvalidIdNumber as exc:
                    problems[i] = f"{exc} (giá trị «{number}»)"
            else:
                numbers[i] = number
                if not sexes[i] and known[i]:
                    # The 4th digit records sex; a blank sex cell is filled from it.
                    sexes[i] = id_sex
        self.v["id_number"] = numbers
        self.report("id_number", problems)

    def relationship(self) -> None:
        self.v["relationship"], _ = self._words(
            "relationship", RELATIONSHIP_WORDS,
            "không hiểu quan hệ «{}» (ví dụ: Chủ hộ, Vợ, Chồng, Con, Cha, Mẹ, Cháu, Khác).")

    def household_code(self) -> None:
        def parse(code):
            code = _text(code)
            if not code:
                return "", "thiếu mã hộ: mỗi người phải thuộc một hộ."
            if len(code) > _MAX_LEN["household_code"]:
                return "", "mã hộ dài quá 30 ký tự."
            return code, None

        results = self.per_value("household_code", parse)
        self.v["household_code"] = [r[0] for r in results]
        self.report("household_code", [r[1] for r in results])

    def address(self) -> None:
        def parse(address):
            address = _text(address)
            if len(address) > _MAX_LEN["address"]:
                return "", "địa chỉ dài quá 255 ký tự."
            return address, None

        results = self.per_value("address", parse, carry=lambda r: r[:1])
        self.v["address"] = [r[0] for r in results]
        self.report("address", [r[1] for r in results])

    def commune(self) -> None:
        ctx = self.ctx
        names = ctx.communes.names
        default = ctx.default_commune

        def parse(raw):
            if raw not in (None, ""):
                commune_id, province_id, problem = ctx.communes.resolve(raw)
                if problem:
                    return None, None, problem
            elif default:
                commune_id, province_id = default
            else:
                return None, None, ("thiếu xã/phường (ghi tên hoặc mã 5 chữ số, hoặc chọn xã "
                                    "khi tải tệp lên).")
            if default and commune_id != default[0]:
                return None, None, (f"xã/phường «{names.get(commune_id)}» khác với xã/phường "
                                    f"đã chọn khi tải lên «{names.get(default[0])}».")
            if not ctx.scope.covers(commune_id, province_id):
                return None, None, (f"xã/phường «{names.get(commune_id)}» nằm ngoài địa bàn "
                                    "bạn được phép nhập dữ liệu.")
            return commune_id, province_id, None

        results = self.per_value("commune", parse, carry=lambda r: r[1:2])
        self.v["commune_id"] = [r[0] for r in results]
        self.v["province_id"] = [r[1] for r in results]
        self.report("commune", [r[2] for r in results])

    def ethnicity(self) -> None:
        self.v["ethnicity"], _ = self._words(
            "ethnicity", {}, "không có dân tộc «{}» trong danh mục 54 dân tộc.", ethnicity=True)

    def phone(self) -> None:
        def parse(raw):
            if raw in (None, ""):
                return "", None
            return normalise_phone(raw)

        results = self.per_value("phone", parse, carry=lambda r: r[:1])
        self.v["phone"] = [r[0] for r in results]
        self.report("phone", [r[1] for r in results])

    def disability_level(self) -> None:
        self.v["disability_level"], _ = self._words(
            "disability_level", DISABILITY_WORDS,
            "không hiểu mức độ khuyết tật «{}» (Nhẹ, Nặng, Đặc biệt nặng).")

    def poverty_status(self) -> None:
        self.v["poverty_status"], _ = self._words(
            "poverty_status", POVERTY_WORDS,
            "không hiểu diện hộ «{}» (Hộ nghèo, Hộ cận nghèo hoặc để trống).")


def _id_structure(raw) -> tuple[str, str | None, int | None, str | None]:
    """(number, sex, birth year, None) for a well-formed ID, ("", None, None, None) for an
    empty cell, (number, None, None, problem) otherwise.

    A whole number (Excel's usual type for IDs) is handled inline; any other cell goes through
    core.identity, which also words the problem."""
    if raw is None or raw == "":
        return "", None, None, None
    kind = type(raw)
    if (kind is float and raw.is_integer() and raw >= 0) or (kind is int and raw >= 0):
        number = str(int(raw))
        if 9 <= len(number) < 12:
            number = number.zfill(12)
        if len(number) == 12 and number[:3] in BIRTH_PROVINCE_PREFIXES:
            digit = ord(number[3]) - 48
            return (number, "M" if digit % 2 == 0 else "F",
                    1900 + (digit // 2) * 100 + int(number[4:6]), None)
    number = normalise_id_number(raw)
    if "e+" in number.lower():
        return number, None, None, (f"«{number}» là số đã bị Excel đổi sang dạng khoa học và "
                                    "mất chữ số; hãy định dạng cột là Văn bản và nhập lại.")
    if not number:
        return "", None, None, None
    try:
        parts = parse_id_number(number)
    except InvalidIdNumber as exc:
        return number, None, None, f"{exc} (giá trị «{number}»)"
    return number, parts.sex, parts.birth_year, None


def normalise_phone(raw) -> tuple[str, str | None]:
    if type(raw) is str and len(raw) == 10 and raw[0] == "0" and raw.isascii() \
            and raw.isdigit():
        return raw, None  # already as stored: nothing below would change it
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
