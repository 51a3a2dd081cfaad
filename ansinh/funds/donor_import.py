"""A campaign's donor and pledge list as centres keep it in Excel (`ansinh funds donors import`).

The sheet has title rows above a Vietnamese header (`Tên nhà tài trợ/Đơn vị`, `Loại`,
`Mã số thuế`, `Điện thoại`, `Số tiền cam kết`, `Hiện vật cam kết`, `Ngày cam kết`,
`Hiển thị`/`Ẩn danh`, …). The whole file is read and every row checked first (stage →
validate); the valid rows are then applied in one transaction through the fund services, so
the rules and the audit rows are those of a donor or pledge typed in by hand.

A donor is matched to one already recorded in the same area by tax code, or by name folded
without diacritics; a pledge is matched by donor, campaign/fund, date, amount and goods. So
importing the same file again changes nothing. A matched donor only gains what it lacked
(phone, email, tax code, contact) and the display wish stated in the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from ansinh.access.scoping import scope_for
from ansinh.audit.models import AuditAction
from ansinh.audit.services import audit_record
from ansinh.core.dates import DAY, InvalidDate, parse_partial_date
from ansinh.core.excel import write_xlsx
from ansinh.core.text import cell_text, fold
from ansinh.imports.errors import ImportFileError
from ansinh.imports.parsing import normalise_phone
from ansinh.imports.reader import read_sheet

from . import services
from .choices import Display, DonorKind
from .models import Campaign, Donor, Fund, Pledge

# Column → header texts as centres write them, folded (no diacritics, lower case). A unit in
# the header ("Số tiền cam kết (đồng)") is dropped before the look-up.
COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("ten nha tai tro", "ten nha tai tro don vi", "nha tai tro", "nha tai tro don vi",
             "don vi", "ten don vi", "ten don vi ca nhan", "ten ca nhan don vi", "ho va ten",
             "ho ten", "ten", "ten to chuc ca nhan", "don vi ca nhan", "ca nhan don vi"),
    "kind": ("loai", "loai nha tai tro", "loai hinh", "phan loai", "doi tuong"),
    "tax_code": ("ma so thue", "mst", "ma so doanh nghiep"),
    "phone": ("dien thoai", "so dien thoai", "sdt", "dt", "dien thoai lien he"),
    "email": ("email", "e mail", "thu dien tu"),
    "contact_persons": ("nguoi lien he", "nguoi dai dien", "lien he"),
    "country": ("quoc gia", "nuoc"),
    "amount": ("so tien cam ket", "so tien", "tien cam ket", "cam ket", "so tien ung ho",
               "so tien tai tro"),
    "in_kind": ("hien vat cam ket", "hien vat", "hien vat dich vu", "hien vat dich vu cam ket",
                "cam ket hien vat"),
    "pledged_on": ("ngay cam ket", "ngay", "ngay dang ky"),
    "display": ("hien thi", "hien thi an danh", "cong khai", "cong khai ten",
                "hien thi ten"),
    "anonymous": ("an danh",),
}
LABELS = {
    "name": "Tên nhà tài trợ", "kind": "Loại", "tax_code": "Mã số thuế",
    "phone": "Điện thoại", "email": "Email", "contact_persons": "Người liên hệ",
    "country": "Quốc gia", "amount": "Số tiền cam kết", "in_kind": "Hiện vật cam kết",
    "pledged_on": "Ngày cam kết", "display": "Hiển thị", "anonymous": "Ẩn danh",
}
_UNIT_WORDS = re.compile(r"\b(dong|vnd|d)$")
# Amounts kept in thousands or millions would be read a thousand times too small.
_SCALED_UNITS = ("trieu dong", "nghin dong", "ngan dong", "trieu", "tr dong")
_HEADER_SEARCH_ROWS = 30

KIND_WORDS = {
    **{fold(k.label): k.value for k in DonorKind}, **{k.value: k.value for k in DonorKind},
    "ca nhan": DonorKind.INDIVIDUAL, "nha hao tam": DonorKind.INDIVIDUAL,
    "doanh nghiep": DonorKind.BUSINESS, "cong ty": DonorKind.BUSINESS,
    "dn": DonorKind.BUSINESS, "to chuc": DonorKind.DOMESTIC_ORG,
    "co quan": DonorKind.DOMESTIC_ORG, "doan the": DonorKind.DOMESTIC_ORG,
    "don vi": DonorKind.DOMESTIC_ORG, "to chuc trong nuoc": DonorKind.DOMESTIC_ORG,
    "to chuc nuoc ngoai": DonorKind.FOREIGN_NGO, "ngo": DonorKind.FOREIGN_NGO,
    "pcpnn": DonorKind.FOREIGN_NGO, "to chuc pcpnn": DonorKind.FOREIGN_NGO,
    "to chuc phi chinh phu": DonorKind.FOREIGN_NGO,
}
# A sheet without a «Loại» column: the first words of a name say what it is.
_BUSINESS_PREFIXES = ("cong ty", "cty", "ngan hang", "tap doan", "tong cong ty", "doanh nghiep",
                      "hop tac xa", "htx", "ho kinh doanh", "chi nhanh")
_ORG_PREFIXES = ("hoi ", "uy ban", "ubnd", "ubmttq", "mat tran", "cong doan", "doan ",
                 "truong ", "benh vien", "chua ", "nha tho", "quy ", "so ", "phong ", "ban ",
                 "cau lac bo", "clb", "giao xu", "tinh doan", "thanh doan")
NAMED_WORDS = {"", "cong khai", "cong khai ten", "hien thi", "hien thi ten", "co", "x", "1",
               "named", "ten", "yes", "true"}
ANONYMOUS_WORDS = {"an danh", "khong", "khong cong khai", "khong hien thi", "0", "anonymous",
                   "an", "an ten", "no", "false"}
_TRUE = {"x", "co", "1", "an danh", "yes", "true", "v"}
_FALSE = {"", "khong", "0", "no", "false"}
_TOTAL_WORDS = ("tong", "tong cong", "cong", "tong so")
_TAX_CODE = re.compile(r"^\d{10}(-\d{3})?$|^\d{12}$")
_MULTIPLIERS = {"ty": 10**9, "ti": 10**9, "trieu": 10**6, "tr": 10**6, "nghin": 10**3,
                "ngan": 10**3, "k": 10**3}


class DonorImportError(ValueError):
    """The file or the options cannot be imported at all (Vietnamese / English message)."""


@dataclass
class Row:
    number: int  # the row number Excel shows
    raw: dict
    values: dict = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)
    donor: Donor | None = None
    donor_key: str = ""
    donor_outcome: str = ""  # new | updated | unchanged
    donor_changes: dict = field(default_factory=dict)
    pledge_outcome: str = ""  # new | unchanged | "" (no pledge on the row)

    @property
    def outcome(self) -> str:
        if self.errors:
            return "rejected"
        if "new" in (self.donor_outcome, self.pledge_outcome):
            return "new"
        return "updated" if self.donor_outcome == "updated" else "unchanged"


@dataclass
class Report:
    file_name: str
    columns: dict[str, str]  # column → header text as written in the file
    rows: list[Row]
    applied: bool = False
    donors_created: int = 0
    donors_updated: int = 0
    pledges_created: int = 0

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.rows if r.outcome == outcome)


@dataclass
class Target:
    """Where the file's donors and pledges go."""

    area: object  # AdminUnit: commune or province
    campaign: Campaign | None = None
    fund: Fund | None = None
    default_date: date | None = None

    @property
    def commune_id(self):
        return self.area.pk if self.area.level == "commune" else None

    @property
    def province_id(self):
        return self.area.province_id if self.area.level == "commune" else self.area.pk


# ---- reading --------------------------------------------------------------------------------

def _header_key(cell) -> str:
    key = fold(str(cell or ""))
    return _UNIT_WORDS.sub("", key).strip()


def _column(cell) -> str | None:
    key = _header_key(cell)
    for name, aliases in COLUMNS.items():
        if key in aliases:
            return name
    return None


def _header_index(table: list[list]) -> int:
    """The first row naming the donor column and one more known column: the title rows
    above it («DANH SÁCH NHÀ TÀI TRỢ …») are skipped."""
    for index, cells in enumerate(table[:_HEADER_SEARCH_ROWS]):
        names = [_column(c) for c in cells]
        if "name" in names and sum(1 for n in names if n) >= 2:
            return index
    raise DonorImportError(
        "Không tìm thấy dòng tiêu đề có cột «Tên nhà tài trợ» / no header row naming the "
        "donor column.")


def stage(path: str | Path) -> Report:
    path = Path(path)
    try:
        with open(path, "rb") as f:
            sheet = read_sheet(f, path.name)
    except ImportFileError as exc:
        raise DonorImportError(exc.message) from exc
    table = sheet.rows
    index = _header_index(table)
    cells = table[index]
    names = [_column(c) for c in cells]
    for cell in cells:
        if fold(str(cell or "")).startswith("so tien") and \
                fold(str(cell or "")).endswith(_SCALED_UNITS):
            raise DonorImportError(
                f"Cột «{cell_text(cell)}» ghi số tiền theo nghìn/triệu đồng; hãy đổi sang đồng "
                "rồi nhập lại / amounts must be in đồng, not thousands or millions.")
    columns: dict[str, int] = {}
    headers: dict[str, str] = {}
    for i, name in enumerate(names):
        if name and name not in columns:  # the first of two look-alike columns wins
            columns[name] = i
            headers[name] = cell_text(cells[i])
    rows = []
    for offset, cells in enumerate(table[index + 1:], start=index + 2):
        raw = {name: cells[i] if i < len(cells) else None for name, i in columns.items()}
        if not any(cell_text(v) for v in raw.values()):
            continue
        if fold(cell_text(raw.get("name"))) in _TOTAL_WORDS:
            continue  # the «Tổng cộng» line under the list
        row = Row(number=offset, raw=raw)
        _parse(row)
        rows.append(row)
    return Report(file_name=path.name, columns=headers, rows=rows)


# ---- parsing one row ------------------------------------------------------------------------

def parse_money(raw) -> int | None:
    """Whole đồng from a cell: 1500000, 1.500.000, "1,500,000 đ", "5,2 tỷ", "300 triệu".
    Raises ValueError with a Vietnamese message."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool):
        raise ValueError("không phải số tiền.")
    if isinstance(raw, (int, float)):
        if isinstance(raw, float) and not raw.is_integer():
            raise ValueError(f"«{raw}» không phải số nguyên đồng.")
        value = int(raw)
    else:
        text = fold(str(raw)).replace(" ", "")
        original = str(raw).strip()
        text = re.sub(r"(dong|vnd|d)$", "", text)
        unit = next((w for w in sorted(_MULTIPLIERS, key=len, reverse=True)
                     if text.endswith(w)), None)
        number = str(raw).strip().lower()
        number = re.sub(r"[^\d.,\-]", "", number)
        if unit:
            try:
                value = Decimal(number.replace(".", "").replace(",", ".")) * _MULTIPLIERS[unit]
            except InvalidOperation as exc:
                raise ValueError(f"«{original}» không phải số tiền.") from exc
            if value != value.to_integral_value():
                raise ValueError(f"«{original}» không phải số nguyên đồng.")
            value = int(value)
        elif re.fullmatch(r"-?\d{1,3}([.,]\d{3})+|-?\d+", number):
            value = int(number.replace(".", "").replace(",", ""))
        else:
            raise ValueError(f"«{original}» không phải số tiền (ví dụ 1.500.000).")
    if value <= 0:
        raise ValueError(f"«{cell_text(raw)}» phải lớn hơn 0 đồng.")
    return value


def _kind(raw, name: str) -> str | None:
    text = fold(cell_text(raw))
    if text:
        return KIND_WORDS.get(text)
    folded = fold(name) + " "
    if folded.startswith(_BUSINESS_PREFIXES):
        return DonorKind.BUSINESS
    if folded.startswith(_ORG_PREFIXES):
        return DonorKind.DOMESTIC_ORG
    return DonorKind.INDIVIDUAL


def _tax_code(raw) -> str:
    text = cell_text(raw).replace(" ", "").replace(".", "")
    if text.isdigit() and len(text) == 9:
        text = "0" + text  # a number cell dropped the leading zero of a Hà Nội code
    return text


def _parse(row: Row) -> None:
    raw, v, err = row.raw, row.values, row.errors
    v["name"] = " ".join(cell_text(raw.get("name")).split())
    if not v["name"]:
        err.append(("name", "Tên nhà tài trợ: bắt buộc."))
    elif len(v["name"]) > 200:
        err.append(("name", "Tên nhà tài trợ: tối đa 200 ký tự."))
    kind = _kind(raw.get("kind"), v["name"])
    if kind is None:
        err.append(("kind", f"Loại «{cell_text(raw.get('kind'))}» không rõ; dùng Cá nhân, "
                            "Doanh nghiệp, Tổ chức trong nước hoặc Tổ chức nước ngoài."))
    v["kind"] = kind or ""
    v["tax_code"] = _tax_code(raw.get("tax_code"))
    if v["tax_code"] and not _TAX_CODE.match(v["tax_code"]):
        err.append(("tax_code", f"Mã số thuế «{v['tax_code']}» phải có 10 chữ số (hoặc "
                                "10 chữ số-3 chữ số của chi nhánh, hoặc 12 chữ số)."))
    phone = cell_text(raw.get("phone"))
    v["phone"] = ""
    if phone:
        v["phone"], problem = normalise_phone(phone)
        if problem:
            err.append(("phone", "Điện thoại: " + problem))
    v["email"] = cell_text(raw.get("email"))
    if v["email"]:
        try:
            validate_email(v["email"])
        except ValidationError:
            err.append(("email", f"Email «{v['email']}» không hợp lệ."))
    v["contact_persons"] = cell_text(raw.get("contact_persons"))
    v["country"] = cell_text(raw.get("country")).upper()
    if kind == DonorKind.FOREIGN_NGO and (len(v["country"]) != 2 or not v["country"].isalpha()
                                          or v["country"] == "VN"):
        err.append(("country", "Quốc gia: bắt buộc với tổ chức nước ngoài (mã ISO hai chữ "
                               "cái, khác VN)."))
    v["display"] = _display(row)
    try:
        v["amount"] = parse_money(raw.get("amount"))
    except ValueError as exc:
        err.append(("amount", f"Số tiền cam kết: {exc}"))
        v["amount"] = None
    v["in_kind"] = " ".join(cell_text(raw.get("in_kind")).split())
    v["pledged_on"] = None
    pledged = raw.get("pledged_on")
    if isinstance(pledged, datetime):
        v["pledged_on"] = pledged.date()
    elif isinstance(pledged, date):
        v["pledged_on"] = pledged
    elif cell_text(pledged):
        try:
            parsed = parse_partial_date(cell_text(pledged))
            if parsed.precision != DAY:
                raise InvalidDate(f"Ngày cam kết «{cell_text(pledged)}» phải đủ ngày/tháng/năm.")
            v["pledged_on"] = parsed.value
        except InvalidDate as exc:
            err.append(("pledged_on", str(exc)))
    if v["pledged_on"] and v["pledged_on"] > timezone.localdate():
        err.append(("pledged_on", "Ngày cam kết: không được sau ngày hôm nay."))


def _display(row: Row) -> str | None:
    """None when the file says nothing, so a matched donor keeps its own wish."""
    if "display" in row.raw:
        text = fold(cell_text(row.raw["display"]))
        if text in NAMED_WORDS:
            return Display.NAMED if text else None
        if text in ANONYMOUS_WORDS:
            return Display.ANONYMOUS
        row.errors.append(("display", f"Hiển thị «{cell_text(row.raw['display'])}» không rõ; "
                                      "dùng «Công khai» hoặc «Ẩn danh»."))
        return None
    if "anonymous" in row.raw:
        text = fold(cell_text(row.raw["anonymous"]))
        if text in _TRUE:
            return Display.ANONYMOUS
        if text in _FALSE:
            return Display.NAMED if text else None
        row.errors.append(("anonymous", f"Ẩn danh «{cell_text(row.raw['anonymous'])}» không rõ; "
                                        "dùng «x»/«Có» hoặc để trống."))
    return None


# ---- validating against what is recorded ----------------------------------------------------

def _donor_key(values: dict) -> str:
    return f"tax:{values['tax_code']}" if values["tax_code"] else f"name:{fold(values['name'])}"


def _pledge_key(donor_ref, target: Target, v: dict) -> tuple:
    return (donor_ref, target.campaign and target.campaign.pk, target.fund and target.fund.pk,
            v["pledged_on"], v["amount"], fold(v["in_kind"]))


def validate(user, report: Report, target: Target) -> Report:
    if not scope_for(user, "funds").covers(target.commune_id, target.province_id):
        raise DonorImportError("Bạn không có quyền quản lý quỹ tại địa bàn này / you may not "
                               "manage funds in this area.")
    known = list(Donor.objects.filter(commune_id=target.commune_id,
                                      province_id=target.province_id))
    by_tax = {d.tax_code: d for d in known if d.tax_code}
    by_name: dict[str, list[Donor]] = {}
    for d in known:
        by_name.setdefault(d.name_folded, []).append(d)
    pledges = Pledge.objects.filter(donor__in=known, campaign=target.campaign,
                                    fund=target.fund)
    recorded = {(p.donor_id, p.campaign_id, p.fund_id, p.pledged_on, p.amount,
                 fold(p.in_kind)) for p in pledges}
    seen_pledges: dict[tuple, int] = {}
    first_row_of: dict[str, Row] = {}
    for row in report.rows:
        v = row.values
        if not v["name"]:
            continue
        donor = _match(row, by_tax, by_name)
        row.donor = donor
        row.donor_key = f"id:{donor.pk}" if donor else _donor_key(v)
        first = first_row_of.setdefault(row.donor_key, row)
        if donor is not None:
            row.donor_changes = _changes(donor, v) if first is row else {}
            row.donor_outcome = "updated" if row.donor_changes else "unchanged"
        else:
            row.donor_outcome = "new" if first is row else "unchanged"
        if v["amount"] is None and not v["in_kind"]:
            continue  # a donor without a pledge on this row
        if target.campaign is None and target.fund is None:
            row.errors.append(("amount", "Cam kết cần một chiến dịch hoặc quỹ: chạy lại với "
                                         "--campaign hoặc --fund."))
            continue
        v["pledged_on"] = v["pledged_on"] or target.default_date
        if v["pledged_on"] is None:
            row.errors.append(("pledged_on", "Ngày cam kết: bắt buộc khi có số tiền hoặc hiện "
                                             "vật cam kết (hoặc chạy với --pledged-on)."))
            continue
        key = _pledge_key(row.donor_key, target, v)
        if key in seen_pledges:
            row.errors.append(("amount", f"Cam kết trùng với dòng {seen_pledges[key]} (cùng "
                                         "nhà tài trợ, ngày, số tiền và hiện vật)."))
            continue
        seen_pledges[key] = row.number
        if donor is not None and _pledge_key(donor.pk, target, v) in recorded:
            row.pledge_outcome = "unchanged"
        else:
            row.pledge_outcome = "new"
    # A rejected first row must not leave later rows of the same donor without a creator.
    for row in report.rows:
        if row.errors and row.donor_outcome == "new":
            later = next((r for r in report.rows if r.donor_key == row.donor_key
                          and r is not row and not r.errors), None)
            if later is not None:
                later.donor_outcome = "new"
    return report


def _match(row: Row, by_tax: dict, by_name: dict) -> Donor | None:
    v = row.values
    if v["tax_code"] and v["tax_code"] in by_tax:
        return by_tax[v["tax_code"]]
    same_name = [d for d in by_name.get(fold(v["name"]), [])
                 if not (v["tax_code"] and d.tax_code and d.tax_code != v["tax_code"])]
    if len(same_name) > 1:
        row.errors.append(("name", f"Có {len(same_name)} nhà tài trợ cùng tên «{v['name']}» "
                                   "trong địa bàn; ghi mã số thuế để chọn đúng."))
        return None
    return same_name[0] if same_name else None


def _changes(donor: Donor, v: dict) -> dict:
    """What a file adds to a donor already recorded: blanks filled, the display wish."""
    changes = {f: v[f] for f in ("tax_code", "phone", "email", "contact_persons")
               if v[f] and not getattr(donor, f)}
    if v["display"] and v["display"] != donor.display:
        changes["display"] = v["display"]
    return changes


# ---- applying -------------------------------------------------------------------------------

def apply(user, report: Report, target: Target) -> Report:
    """Write the valid rows in one transaction. A row a service still refuses (a rule the
    checks above do not know) is rolled back alone and reported; the others stand."""
    donors: dict[str, Donor] = {}
    with transaction.atomic():
        for row in report.rows:
            if row.errors:
                continue
            try:
                with transaction.atomic():
                    _apply_row(user, row, target, donors, report)
            except ValidationError as exc:
                row.errors.extend(_messages(exc))
            except PermissionDenied as exc:
                row.errors.append(("name", str(exc)))
        audit_record(AuditAction.IMPORT, target.campaign or target.fund, changes={
            "file": report.file_name, "donors_created": report.donors_created,
            "donors_updated": report.donors_updated,
            "pledges_created": report.pledges_created,
            "rejected": report.count("rejected")},
            **({} if target.campaign or target.fund else {
                "object_type": "donor", "commune_id": target.commune_id,
                "province_id": target.province_id}))
    report.applied = True
    return report


def _apply_row(user, row: Row, target: Target, donors: dict, report: Report) -> None:
    v = row.values
    donor = row.donor or donors.get(row.donor_key)
    if donor is None:
        donor = services.donor_create(
            user, area=target.area, kind=v["kind"], name=v["name"], country=v["country"],
            contact_persons=v["contact_persons"], tax_code=v["tax_code"], phone=v["phone"],
            email=v["email"], display=v["display"] or Display.NAMED)
        report.donors_created += 1
        row.donor_outcome = "new"
    elif row.donor_changes:
        donor = services.donor_update(user, donor, **row.donor_changes)
        report.donors_updated += 1
    donors[row.donor_key] = donor
    if row.pledge_outcome == "new":
        services.pledge_create(user, donor=donor, pledged_on=v["pledged_on"],
                               amount=v["amount"], in_kind=v["in_kind"],
                               campaign=target.campaign, fund=target.fund)
        report.pledges_created += 1


def _messages(exc: ValidationError) -> list[tuple[str, str]]:
    if hasattr(exc, "error_dict"):
        return [(f if f != "__all__" else "name", str(m))
                for f, msgs in exc.message_dict.items() for m in msgs]
    return [("name", m) for m in exc.messages]


def run(user, path, target: Target, *, dry_run: bool = False) -> Report:
    report = validate(user, stage(path), target)
    if not dry_run and (report.count("new") or report.count("updated")):
        apply(user, report, target)
    return report


def rejects_xlsx(report: Report) -> bytes:
    """The rejected rows as they were written, with the row number and a «Lỗi» column."""
    columns = list(report.columns)
    headers = ["Dòng", *(report.columns[c] for c in columns), "Lỗi"]
    rows = [[r.number, *(cell_text(r.raw.get(c)) for c in columns),
             "; ".join(f"{LABELS.get(f, f)}: {m}" for f, m in r.errors)]
            for r in report.rows if r.outcome == "rejected"]
    return write_xlsx(headers, rows, title="Dòng bị từ chối")
