"""Bank statements of the fund's own accounts: parse → stage → match → apply.

A statement file (.xlsx, .xls, .csv as the bank exports it, title rows above the header) is
read and every data row staged with what was read from it, its problems (row, field, rule)
and, for a new credit, the donor or pledge it is proposed to be a receipt of. The officer
may change a proposal, assign an unmatched line to a donor or leave a line without a
receipt; applying then writes, in one transaction, one `BankTransaction` per new line
(credits and debits) and one issued receipt per confirmed credit.

A line is known by its identity on its account: the bank's reference, or, when the bank
gives none, a hash of date, direction, amount, description and running balance (with the
occurrence number of that combination in the file, so two identical coffee-money transfers
on one day stay two). A unique constraint on (account, identity) and a unique link from
transaction to receipt mean a line can never become two receipts, and re-importing the
same or an overlapping statement writes nothing for the lines already known.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.access.scoping import allows, require, restrict, scope_for
from ansinh.audit.models import AuditAction
from ansinh.audit.services import audit_record
from ansinh.core.text import fold
from ansinh.imports.errors import ImportFileError
from ansinh.imports.reader import SheetData, read_bytes, read_sheet

from . import selectors
from .choices import (
    Direction,
    DonorKind,
    LineStatus,
    MatchKind,
    Method,
    RestrictionKind,
    StatementStatus,
)
from .models import (
    BankAccount,
    BankStatement,
    BankStatementLine,
    BankTransaction,
    Donor,
    Fund,
    Pledge,
    Restriction,
)
from .receipt_bulk import insert_objects, receipts_issue_many
from .services import receipt_create, receipt_issue

HEADER_SEARCH_ROWS = 40
MAX_REFERENCE = 80
MAX_DESCRIPTION = 2000

# Folded header texts of Vietnamese (and English) bank exports, by what the column holds.
_SYNONYMS = {
    "booked_on": {"ngay giao dich", "ngay gd", "ngay", "ngay hach toan", "ngay ghi so",
                  "ngay thuc hien", "ngay hieu luc", "ngay gio giao dich", "transaction date",
                  "date", "posting date", "value date", "txn date"},
    "credit": {"so tien ghi co", "ghi co", "co", "credit", "so tien co", "phat sinh co",
               "tien vao", "credit amount", "so tien vao"},
    "debit": {"so tien ghi no", "ghi no", "no", "debit", "so tien no", "phat sinh no",
              "tien ra", "debit amount", "so tien ra"},
    "amount": {"so tien", "amount", "so tien giao dich", "transaction amount"},
    "description": {"noi dung", "dien giai", "noi dung giao dich", "noi dung chi tiet",
                    "mo ta", "description", "chi tiet giao dich", "transaction details",
                    "details", "noi dung chuyen tien", "transaction description"},
    "reference": {"so tham chieu", "ma giao dich", "so but toan", "so ct", "so chung tu",
                  "ma gd", "so gd", "so giao dich", "reference", "reference no", "ref no",
                  "transaction no", "ma tham chieu", "so ref", "so hieu giao dich",
                  "transaction id"},
    "counterparty_name": {"ten nguoi chuyen", "don vi chuyen", "nguoi chuyen", "ten doi ung",
                          "ten tai khoan doi ung", "doi tac", "ten don vi chuyen",
                          "ben chuyen", "remitter", "ten nguoi gui", "ten don vi nguoi chuyen",
                          "nguoi chuyen don vi chuyen", "ten nguoi chuyen don vi chuyen",
                          "counterparty", "counterparty name", "ten khach hang doi ung"},
    "counterparty_account": {"so tai khoan", "so tk", "tai khoan doi ung",
                             "so tai khoan doi ung", "tk doi ung", "so tai khoan nguoi chuyen",
                             "account no", "counterparty account", "so tk doi ung",
                             "tai khoan nguoi chuyen"},
    "balance": {"so du", "so du cuoi", "balance", "so du sau giao dich", "running balance",
                "so du tai khoan"},
}
HEADER_FIELDS = {name: field for field, names in _SYNONYMS.items() for name in names}
FIELD_LABELS = {
    "booked_on": "Ngày giao dịch", "credit": "Số tiền ghi có", "debit": "Số tiền ghi nợ",
    "amount": "Số tiền", "description": "Nội dung", "reference": "Số tham chiếu",
    "counterparty_name": "Tên người chuyển", "counterparty_account": "Số tài khoản",
    "balance": "Số dư",
}
_UNIT_WORDS = {"vnd", "dong", "d", "vnđ"}
_TOTAL_WORDS = ("tong", "cong", "so du", "total", "phat sinh", "closing", "opening")
_TITLE_ACCOUNT = re.compile(r"(?:tai khoan|account(?: number| no)?)\D{0,20}?(\d[\d .\-]{5,30}\d)")
_PLEDGE_CODE = re.compile(r"\bck ?(\d{6,9})\b")
_TAX_CODE = re.compile(r"(?<!\d)(\d{10})(?: ?(\d{3}))?(?!\d)")
_DMY = re.compile(r"^(\d{1,2})[/\-.](\d{1,2})[/\-.](\d{4})(?:[ T].*)?$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T].*)?$")
_NAME_PREFIXES = (("cty tnhh ", "cong ty tnhh "), ("cty cp ", "cong ty co phan "),
                  ("ctcp ", "cong ty co phan "), ("cty ", "cong ty "))


class StatementRefused(ValidationError):
    """The whole file is refused (unknown account, unreadable file, no header): nothing is
    staged. A ValidationError, so the API answers 422 with the field named."""


def pledge_code(pledge: Pledge) -> str:
    """The code a donor writes in the transfer's description to pay a pledge: "CK000123"."""
    return f"CK{pledge.pk:06d}"


def digits(text) -> str:
    return re.sub(r"\D", "", str(text or ""))


# ---------------------------------------------------------------------------- accounts

@transaction.atomic
def bank_account_create(user, *, fund: Fund, account_number: str, bank_name: str,
                        branch: str = "") -> BankAccount:
    """Register one of the fund's own bank accounts."""
    require(user, "funds", fund)
    number = digits(account_number)
    if not 6 <= len(number) <= 30:
        raise ValidationError({"account_number": _("Số tài khoản: từ 6 đến 30 chữ số.")})
    if not (bank_name or "").strip():
        raise ValidationError({"bank_name": _("Ngân hàng: bắt buộc.")})
    if BankAccount.objects.filter(account_number=number).exists():
        raise ValidationError({"account_number": _("Số tài khoản: %(number)s đã được đăng ký.")
                               % {"number": number}})
    account = BankAccount.objects.create(fund=fund, account_number=number,
                                         bank_name=bank_name.strip(), branch=branch.strip(),
                                         commune=fund.commune, province=fund.province)
    audit_record(AuditAction.CREATE, account, changes={
        "fund": fund.pk, "account_number": number, "bank_name": account.bank_name})
    return account


def bank_account_list(user, action: str = "funds"):
    return restrict(BankAccount.objects.select_related("fund"), user, action)


def statement_list(user, action: str = "funds"):
    return restrict(BankStatement.objects.select_related("account", "account__fund"),
                    user, action)


# ---------------------------------------------------------------------------- parsing

@dataclass
class ParsedLine:
    row_number: int
    raw: list
    booked_on: date | None = None
    direction: str = ""
    amount: int | None = None
    description: str = ""
    reference: str = ""
    counterparty_name: str = ""
    counterparty_account: str = ""
    running_balance: int | None = None
    errors: list[dict] = field(default_factory=list)
    identity: str = ""

    def error(self, name: str, message: str) -> None:
        self.errors.append({"field": name, "message": f"Dòng {self.row_number} – "
                                                      f"{FIELD_LABELS.get(name, name)}: {message}"})


@dataclass
class ParsedStatement:
    header_row: int  # 1-based number of the (last) header row, as the spreadsheet shows it
    columns: dict[int, str]
    title_account: str
    lines: list[ParsedLine]


def _header_field(cell) -> str | None:
    if cell is None or isinstance(cell, (int, float, date)):
        return None
    for part in re.split(r"[/\n|]", str(cell)):
        words = fold(part).split()
        while words and words[-1] in _UNIT_WORDS:
            words.pop()
        found = HEADER_FIELDS.get(" ".join(words))
        if found:
            return found
    return None


def _columns(row: list) -> dict[int, str]:
    found: dict[int, str] = {}
    for i, cell in enumerate(row):
        name = _header_field(cell)
        if name and name not in found.values():
            found[i] = name
    return found


def _complete(columns: dict[int, str]) -> bool:
    names = set(columns.values())
    return "booked_on" in names and bool(names & {"credit", "amount"})


def find_header(rows: list[list]) -> tuple[int, dict[int, str]]:
    """(index of the first data row, columns) — the header may span two rows when the bank
    puts "Số tiền" above "Ghi nợ | Ghi có"."""
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        columns = _columns(row)
        if "booked_on" not in columns.values():
            continue
        below = _columns(rows[i + 1]) if i + 1 < len(rows) else {}
        if {"credit", "debit"} & set(below.values()):
            # "Số tiền" spans the two columns the row below names.
            kept = {k: v for k, v in columns.items() if v != "amount"}
            merged = {**kept, **{k: v for k, v in below.items() if v not in kept.values()}}
            if _complete(merged):
                return i + 2, merged
        if _complete(columns):
            return i + 1, columns
    raise StatementRefused({"file": _("Không tìm thấy dòng tiêu đề của sao kê: cần các cột "
                                      "«Ngày giao dịch» và «Số tiền ghi có» (hoặc «Ghi có», "
                                      "«Có», «Số tiền»).")})


def _title_account(rows: list[list]) -> str:
    for row in rows:
        text = fold(" ".join(str(c) for c in row if c not in (None, "")))
        match = _TITLE_ACCOUNT.search(text)
        if match:
            return digits(match.group(1))
    return ""


def parse_amount(value) -> int | None:
    """An amount cell: a number, or text such as "1.500.000", "1,500,000", "1.500.000,00",
    "-250.000", "(250.000)", "1.500.000 VND". None when empty; ValueError (Vietnamese) when
    not a whole number of đồng."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError("không phải số tiền")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(f"«{value}» có phần lẻ; tiền đồng phải là số nguyên")
        return int(value)
    text = unicodedata.normalize("NFC", str(value)).strip()
    text = re.sub(r"(?i)\s*(vnd|vnđ|đồng|đ|d)\s*$", "", text).replace(" ", "").replace(
        "\u00a0", "")
    if not text or text in {"-", "–"}:
        return None
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1]
    if text[:1] in "+-":
        negative, text = text[0] == "-", text[1:]
    if not re.fullmatch(r"[\d.,]+", text) or not text[0].isdigit():
        raise ValueError(f"«{value}» không phải số tiền")
    whole, fraction = text, ""
    if "." in text and "," in text:
        decimal_mark = "." if text.rfind(".") > text.rfind(",") else ","
        whole, _mark, fraction = text.rpartition(decimal_mark)
    elif text.count(".") == 1 or text.count(",") == 1:
        mark = "." if "." in text else ","
        left, right = text.split(mark)
        if len(right) != 3:  # "1500000.00" or "1500000,5": a decimal part, not thousands
            whole, fraction = left, right
    whole = whole.replace(".", "").replace(",", "")
    if not whole.isdigit() or (fraction and not fraction.isdigit()):
        raise ValueError(f"«{value}» không phải số tiền")
    if fraction.strip("0"):
        raise ValueError(f"«{value}» có phần lẻ; tiền đồng phải là số nguyên")
    amount = int(whole)
    return -amount if negative else amount


def parse_day(value) -> date | None:
    """A date cell: a real Excel date, dd/mm/yyyy (with or without a time), or ISO text."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    match = _DMY.match(text)
    try:
        if match:
            d, m, y = (int(g) for g in match.groups())
            return date(y, m, d)
        match = _ISO.match(text)
        if match:
            return date(*(int(g) for g in match.groups()))
    except ValueError as exc:
        raise ValueError(f"«{text}» không phải ngày có thật") from exc
    raise ValueError(f"«{text}» không đúng dạng ngày dd/mm/yyyy")


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a reference typed as a number
    return " ".join(unicodedata.normalize("NFC", str(value)).split())


def _is_total_row(cells: dict[str, object]) -> bool:
    text = fold(" ".join(_text(v) for v in cells.values()))
    return any(text.startswith(w) or f" {w}" in f" {text}" for w in _TOTAL_WORDS)


def _parse_row(number: int, row: list, columns: dict[int, str], today: date) -> ParsedLine | None:
    cells = {name: (row[i] if i < len(row) else None) for i, name in columns.items()}
    if all(v is None or _text(v) == "" for v in row):
        return None
    amounts_given = any(cells.get(k) not in (None, "") for k in ("credit", "debit", "amount"))
    day = cells.get("booked_on")
    if day in (None, "") or (isinstance(day, str) and not any(c.isdigit() for c in day)):
        # Footers, notes, and the totals and closing balance banks print under the lines.
        if not amounts_given or _is_total_row(cells):
            return None
    line = ParsedLine(number, [_json_cell(c) for c in row])
    try:
        line.booked_on = parse_day(cells.get("booked_on"))
        if line.booked_on is None:
            line.error("booked_on", "bắt buộc.")
        elif line.booked_on > today:
            line.error("booked_on", f"{line.booked_on:%d/%m/%Y} sau ngày hôm nay.")
    except ValueError as exc:
        line.error("booked_on", f"{exc}.")
    values = {}
    for name in ("credit", "debit", "amount", "balance"):
        try:
            values[name] = parse_amount(cells.get(name))
        except ValueError as exc:
            line.error(name, f"{exc}.")
            values[name] = None
    credit, debit, amount = values["credit"], values["debit"], values["amount"]
    line.running_balance = values["balance"]
    for name, value in (("credit", credit), ("debit", debit)):
        if value is not None and value < 0:
            line.error(name, "không được âm (chiều tiền theo cột Ghi có / Ghi nợ).")
    credit = credit or None
    debit = debit or None
    if credit and debit:
        line.error("credit", "dòng có cả Ghi có và Ghi nợ; mỗi dòng chỉ một chiều.")
    elif credit and credit > 0:
        line.direction, line.amount = Direction.CREDIT, credit
    elif debit and debit > 0:
        line.direction, line.amount = Direction.DEBIT, debit
    elif amount:
        line.direction = Direction.CREDIT if amount > 0 else Direction.DEBIT
        line.amount = abs(amount)
    elif not line.errors:
        line.error("amount", "trống hoặc bằng 0.")
    line.description = _text(cells.get("description"))[:MAX_DESCRIPTION]
    line.reference = _text(cells.get("reference")).replace(" ", "")
    if len(line.reference) > MAX_REFERENCE:
        line.error("reference", f"dài hơn {MAX_REFERENCE} ký tự.")
    line.counterparty_name = _text(cells.get("counterparty_name"))[:200]
    line.counterparty_account = digits(cells.get("counterparty_account"))[:40]
    return line


def _json_cell(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value if isinstance(value, (int, float, str)) or value is None else str(value)


def _identities(lines: list[ParsedLine]) -> None:
    seen: dict[str, int] = {}
    for line in lines:
        if line.errors:
            continue
        side = "c" if line.direction == Direction.CREDIT else "d"
        if line.reference:
            base = f"ref:{line.reference.upper()}:{side}:{line.amount}"
        else:
            key = "|".join([line.booked_on.isoformat(), side, str(line.amount),
                            fold(line.description), str(line.running_balance or "")])
            base = "h:" + hashlib.sha256(key.encode()).hexdigest()[:40]
        seen[base] = seen.get(base, 0) + 1
        line.identity = base if seen[base] == 1 else f"{base}#{seen[base]}"


def parse_statement(rows: list[list], *, today: date | None = None) -> ParsedStatement:
    today = today or timezone.localdate()
    start, columns = find_header(rows)
    lines = [line for i, row in enumerate(rows[start:], start=start + 1)
             if (line := _parse_row(i, row, columns, today)) is not None]
    _identities(lines)
    return ParsedStatement(header_row=start, columns=columns,
                           title_account=_title_account(rows[:start]), lines=lines)


def read_statement_file(fileobj, filename: str) -> SheetData:
    """The file's rows. Spreadsheets as the import reader reads them; a CSV with its own
    delimiter guess, since a bank's title lines above the header (no delimiter at all) make
    the standard sniffer give up."""
    if not filename.lower().endswith(".csv"):
        return read_sheet(fileobj, filename)
    data = read_bytes(fileobj, filename)
    for encoding in ("utf-8-sig", "cp1258", "latin-1"):
        try:
            text = unicodedata.normalize("NFC", data.decode(encoding))
            break
        except UnicodeDecodeError:
            continue
    if "\x00" in text:
        raise ImportFileError("Tệp CSV chứa ký tự không hợp lệ (có thể là tệp nhị phân).")
    lines = text.splitlines()[:200]
    # The delimiter most lines hold; commas lose ties, since they also appear in amounts.
    delimiter = max(";\t|,", key=lambda d: (sum(d in ln for ln in lines), d != ","))
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise ImportFileError(f"Tệp CSV không đúng định dạng: {exc}.") from exc
    return SheetData(rows=rows, sha256=hashlib.sha256(data).hexdigest(), size=len(data))


# ---------------------------------------------------------------------------- matching

def _name_key(name: str) -> str:
    """Folded, with the abbreviations banks use for company forms written out."""
    return _expanded(fold(name))


def _expanded(folded: str) -> str:
    key = f" {folded} "
    for short, full in _NAME_PREFIXES:
        key = key.replace(f" {short}", f" {full}")
    return key.strip()


@dataclass
class Matcher:
    """The donors and pledges a statement of `fund` may be matched to, read once."""

    fund: Fund
    user: object
    by_account: dict[str, list[Donor]] = field(default_factory=dict)
    by_tax: dict[str, list[Donor]] = field(default_factory=dict)
    by_name: dict[str, list[Donor]] = field(default_factory=dict)

    def __post_init__(self):
        donors = restrict(Donor.objects.filter(province=self.fund.province), self.user, "funds")
        for donor in donors:
            if donor.bank_account:
                self.by_account.setdefault(digits(donor.bank_account), []).append(donor)
            if donor.tax_code:
                self.by_tax.setdefault(digits(donor.tax_code), []).append(donor)
            # The stored folded name saves folding every donor of the province again.
            self.by_name.setdefault(_expanded(donor.name_folded), []).append(donor)

    def pledges(self, lines: list[ParsedLine]) -> dict[int, Pledge]:
        ids = {int(m) for line in lines for m in _PLEDGE_CODE.findall(fold(line.description))}
        # A cancelled pledge's code no longer takes money; the donor is still found below.
        qs = restrict(Pledge.objects.filter(pk__in=ids, province=self.fund.province,
                                            cancelled_on__isnull=True)
                      .select_related("donor", "campaign"), self.user, "funds")
        return {p.pk: p for p in qs}

    def match(self, line: ParsedLine, pledges: dict[int, Pledge]) -> tuple:
        """(kind, donor, pledge, note) for a new credit line."""
        text = fold(line.description)
        for code in _PLEDGE_CODE.findall(text):
            pledge = pledges.get(int(code))
            if pledge is not None:
                return MatchKind.PLEDGE, pledge.donor, pledge, f"Mã cam kết {pledge_code(pledge)}"
        tried = []
        if line.counterparty_account:
            tried.append((MatchKind.ACCOUNT, self.by_account.get(line.counterparty_account, []),
                          "số tài khoản"))
        taxes = {a + b for a, b in _TAX_CODE.findall(text)} | {a for a, _ in
                                                               _TAX_CODE.findall(text)}
        tried.append((MatchKind.TAX_CODE,
                      _unique(d for t in sorted(taxes) for d in self.by_tax.get(t, [])),
                      "mã số thuế"))
        if line.counterparty_name:
            tried.append((MatchKind.NAME, self.by_name.get(_name_key(line.counterparty_name),
                                                           []), "tên"))
        else:
            padded = f" {_name_key(line.description)} "
            tried.append((MatchKind.NAME, [d for key, ds in self.by_name.items()
                                           if len(key.split()) >= 2 and f" {key} " in padded
                                           for d in ds], "tên trong nội dung"))
        for kind, found, label in tried:
            found = _unique(found)
            if len(found) == 1:
                return kind, found[0], None, f"Khớp theo {label}"
            if len(found) > 1:
                names = ", ".join(d.name for d in found[:3])
                return MatchKind.NONE, None, None, (f"Nhiều nhà tài trợ cùng {label} ({names}); "
                                                    "hãy chọn")
        return MatchKind.NONE, None, None, ""


def _unique(donors) -> list[Donor]:
    out, seen = [], set()
    for d in donors:
        if d.pk not in seen:
            seen.add(d.pk)
            out.append(d)
    return out


FOREIGN_NOTE = ("Nhà tài trợ nước ngoài: biên nhận cần số quyết định phê duyệt viện trợ, "
                "hãy lập bằng tay")


# ---------------------------------------------------------------------------- staging

def _account_for(user, account_number: str | None, title_account: str) -> BankAccount:
    wanted = digits(account_number) or title_account
    if not wanted:
        raise StatementRefused({"account": _("Số tài khoản: bắt buộc (tệp không ghi số tài "
                                             "khoản ở phần đầu).")})
    if title_account and digits(account_number) and title_account != digits(account_number):
        raise StatementRefused({"account": _("Số tài khoản: tệp là sao kê của tài khoản "
                                             "%(file)s, không phải %(wanted)s.")
                                % {"file": title_account, "wanted": wanted}})
    account = bank_account_list(user).filter(account_number=wanted).first()
    if account is None:
        raise StatementRefused({"account": _("Số tài khoản: %(number)s không phải tài khoản "
                                             "của quỹ trong địa bàn của bạn; sao kê bị từ "
                                             "chối.") % {"number": wanted}})
    if not account.active:
        raise StatementRefused({"account": _("Số tài khoản: %(number)s đã ngừng sử dụng.")
                                % {"number": wanted}})
    return account


@transaction.atomic
def statement_stage(user, fileobj, filename: str, *,
                    account_number: str | None = None) -> BankStatement:
    """Read, validate and match a statement file; nothing reaches the ledger yet."""
    if scope_for(user, "funds").empty:
        raise PermissionDenied("Bạn không có quyền quản lý quỹ.")
    try:
        sheet = read_statement_file(fileobj, filename)
    except ImportFileError as exc:
        raise StatementRefused({"file": exc.message}) from exc
    parsed = parse_statement(sheet.rows)
    account = _account_for(user, account_number, parsed.title_account)
    known = dict(BankTransaction.objects.filter(
        account=account, identity__in=[ln.identity for ln in parsed.lines if ln.identity])
        .values_list("identity", "pk"))
    matcher = Matcher(account.fund, user)
    pledges = matcher.pledges([ln for ln in parsed.lines if not ln.errors])
    statement = BankStatement.objects.create(
        account=account, file_name=filename[:255], file_sha256=sheet.sha256,
        file_size=sheet.size, header_row=parsed.header_row, uploaded_by=_db_user(user),
        commune=account.commune, province=account.province)
    rows = []
    for ln in parsed.lines:
        row = BankStatementLine(
            statement=statement, row_number=ln.row_number, raw=ln.raw, booked_on=ln.booked_on,
            direction=ln.direction, amount=ln.amount, description=ln.description,
            reference=ln.reference, counterparty_name=ln.counterparty_name,
            counterparty_account=ln.counterparty_account, running_balance=ln.running_balance,
            identity=ln.identity, errors=ln.errors, status=LineStatus.NEW)
        if ln.errors:
            row.status = LineStatus.REJECTED
        elif ln.identity in known:
            row.status, row.transaction_id = LineStatus.KNOWN, known[ln.identity]
        elif ln.direction == Direction.CREDIT:
            row.match_kind, row.donor, row.pledge, row.match_note = matcher.match(ln, pledges)
            if row.donor is not None and row.donor.kind == DonorKind.FOREIGN_NGO:
                row.skip, row.match_note = True, FOREIGN_NOTE
        rows.append(row)
    BankStatementLine.objects.bulk_create(rows)
    statement.counts = _counts(rows)
    days = [r.booked_on for r in rows if r.booked_on]
    statement.period_start = min(days, default=None)
    statement.period_end = max(days, default=None)
    statement.save(update_fields=["counts", "period_start", "period_end"])
    audit_record(AuditAction.CREATE, statement, changes={
        "account": account.account_number, "file_name": statement.file_name,
        "file_sha256": sheet.sha256, **statement.counts})
    return statement


def _counts(rows) -> dict:
    new = [r for r in rows if r.status == LineStatus.NEW]
    credits = [r for r in new if r.direction == Direction.CREDIT]
    return {
        "rows": len(rows),
        "credit_new": len(credits),
        "debit_new": len(new) - len(credits),
        "known": sum(r.status == LineStatus.KNOWN for r in rows),
        "rejected": sum(r.status == LineStatus.REJECTED for r in rows),
        "matched": sum(r.donor_id is not None and not r.skip for r in credits),
        "credit_amount": sum(r.amount for r in credits),
    }


def _db_user(user):
    return user if getattr(user, "pk", None) else None


# ---------------------------------------------------------------------------- officer's choices

def _open_statement(user, statement: BankStatement) -> BankStatement:
    require(user, "funds", statement)
    if statement.status == StatementStatus.APPLIED:
        raise ValidationError({"statement": _("Sao kê đã được áp dụng; không sửa được nữa.")})
    return statement


@transaction.atomic
def statement_line_assign(user, line: BankStatementLine, *, donor: Donor | None = None,
                          pledge: Pledge | None = None, skip: bool = False) -> BankStatementLine:
    """The officer's choice for a new credit line: a donor (or a pledge, whose donor it
    takes), or no receipt at all (`skip`, or neither donor nor pledge)."""
    line = BankStatementLine.objects.select_for_update().select_related(
        "statement", "statement__account").get(pk=line.pk)
    statement = _open_statement(user, line.statement)
    where = {"where": _where(line)}
    if line.status != LineStatus.NEW or line.direction != Direction.CREDIT:
        raise ValidationError({"line": _("%(where)s: chỉ giao dịch ghi có mới mới lập được "
                                         "biên nhận.") % where})
    fund = statement.account.fund
    if pledge is not None:
        require(user, "funds", pledge)
        if pledge.province_id != fund.province_id:
            raise ValidationError({"pledge": _("%(where)s – Cam kết: ngoài địa bàn của quỹ.")
                                   % where})
        if donor is not None and donor.pk != pledge.donor_id:
            raise ValidationError({"pledge": _("%(where)s – Cam kết: của nhà tài trợ khác.")
                                   % where})
        donor = pledge.donor
    if donor is not None:
        require(user, "funds", donor)
        if donor.province_id != fund.province_id:
            raise ValidationError({"donor": _("%(where)s – Nhà tài trợ: ngoài địa bàn của "
                                              "quỹ.") % where})
    old = {"donor": line.donor_id, "pledge": line.pledge_id, "skip": line.skip}
    line.donor, line.pledge, line.skip = donor, pledge, bool(skip)
    line.match_kind = MatchKind.OFFICER if donor is not None else MatchKind.NONE
    line.match_note = "Cán bộ chọn" if donor is not None else ""
    if donor is not None and donor.kind == DonorKind.FOREIGN_NGO:
        line.match_note = FOREIGN_NOTE
    line.save(update_fields=["donor", "pledge", "skip", "match_kind", "match_note"])
    statement.counts = _counts(list(statement.lines.all()))
    statement.save(update_fields=["counts"])
    audit_record(AuditAction.UPDATE, statement, changes={
        "row": line.row_number, "donor": [old["donor"], line.donor_id],
        "pledge": [old["pledge"], line.pledge_id], "skip": [old["skip"], line.skip]})
    return line


# ---------------------------------------------------------------------------- apply

def _campaign_restrictions(fund: Fund, campaign_ids) -> list[Restriction]:
    """The fund's campaign restrictions for these campaigns, read once for many lines."""
    if not campaign_ids:
        return []
    return list(Restriction.objects.filter(fund=fund, kind=RestrictionKind.CAMPAIGN,
                                           campaign_id__in=campaign_ids)
                .select_related("campaign").order_by("id"))


def _restriction_for(restrictions: list[Restriction], pledge: Pledge | None, donor: Donor,
                     on: date) -> Restriction | None:
    """Money paid against a campaign pledge goes to the campaign's restriction on the fund,
    the donor's own one first, when such a restriction exists and has not ended."""
    if pledge is None or pledge.campaign_id is None:
        return None
    fitting = [r for r in restrictions
               if r.campaign_id == pledge.campaign_id and r.donor_id in (None, donor.pk)
               and (r.ends_on is None or r.ends_on >= on)]
    return min(fitting, key=lambda r: (r.donor_id is None, r.pk), default=None)


def _draft_for(fund: Fund, line: BankStatementLine, restrictions: list[Restriction]) -> dict:
    """`receipt_create`'s arguments for the receipt of a credit line."""
    pledge, donor = line.pledge, line.donor
    return {
        "fund": fund, "donor": donor, "received_on": line.booked_on,
        "method": Method.BANK_TRANSFER, "total": line.amount, "pledge": pledge,
        "lines": [{"fund": fund, "amount": line.amount,
                   "restriction": _restriction_for(restrictions, pledge, donor,
                                                   line.booked_on),
                   "campaign": pledge.campaign if pledge is not None else None}],
        "document_ref": line.reference or f"Sao kê {line.statement_id}, dòng {line.row_number}",
        "description": line.description[:300],
    }


def _where(line: BankStatementLine) -> str:
    return _("Dòng %(n)s") % {"n": line.row_number}


def _receipt_for(user, fund: Fund, line: BankStatementLine):
    """One line's receipt on its own (a credit given a donor after its statement was
    applied); a whole statement's go through `receipts_issue_many`."""
    campaigns = {line.pledge.campaign_id} if line.pledge is not None else set()
    draft = _draft_for(fund, line, _campaign_restrictions(fund, campaigns - {None}))
    try:
        return receipt_issue(user, receipt_create(user, **draft))
    except ValidationError as exc:
        raise ValidationError({"lines": [_("%(where)s: %(message)s")
                                         % {"where": _where(line), "message": m}
                                         for m in exc.messages]}) from exc


@transaction.atomic
def statement_apply(user, statement: BankStatement) -> dict:
    """Write every new line as a bank transaction and every confirmed credit as an issued
    receipt, in one transaction. A statement with rejected rows is refused whole; applying
    twice writes nothing the second time. The receipts are checked, numbered and written all
    together (`receipt_bulk.receipts_issue_many`), in a number of queries that does not
    grow with the statement."""
    if getattr(user, "pk", None) is None:
        raise PermissionDenied("Biên nhận phải ghi người lập: hãy chạy với một người dùng.")
    require(user, "funds", statement)
    # One apply per account at a time: the account row is the lock overlapping statements
    # queue on, so the "already known" check below cannot race another apply.
    account = BankAccount.objects.select_for_update().select_related("fund").get(
        pk=statement.account_id)
    statement = BankStatement.objects.select_for_update().get(pk=statement.pk)
    if statement.status == StatementStatus.APPLIED:
        return {**statement.applied_counts, "already_applied": True}
    lines = list(statement.lines.select_related("donor", "pledge", "pledge__campaign")
                 .order_by("row_number"))
    rejected = [ln.row_number for ln in lines if ln.status == LineStatus.REJECTED]
    if rejected:
        shown = ", ".join(str(n) for n in rejected[:10]) + ("…" if len(rejected) > 10 else "")
        raise ValidationError({"statement": _("Sao kê có %(n)s dòng bị từ chối (dòng "
                                              "%(rows)s); hãy sửa tệp và tải lên lại. Chưa ghi "
                                              "gì.") % {"n": len(rejected), "rows": shown}})
    fresh = [ln for ln in lines if ln.status == LineStatus.NEW]
    known = dict(BankTransaction.objects.filter(
        account=account, identity__in=[ln.identity for ln in fresh])
        .values_list("identity", "pk"))
    for ln in fresh:
        if ln.identity in known:  # brought in by another statement since this one was staged
            ln.status, ln.transaction_id = LineStatus.KNOWN, known[ln.identity]
    fund = account.fund
    paid = [ln for ln in fresh if ln.status == LineStatus.NEW
            and ln.direction == Direction.CREDIT and ln.donor_id and not ln.skip]
    restrictions = _campaign_restrictions(fund, {ln.pledge.campaign_id for ln in paid
                                                 if ln.pledge_id} - {None})
    # All the statement's receipts at once: numbered in line order, written in bulk.
    receipts = receipts_issue_many(user, [_draft_for(fund, ln, restrictions) for ln in paid],
                                   labels=[_where(ln) for ln in paid])
    receipt_of = {ln.pk: r for ln, r in zip(paid, receipts, strict=True)}
    transactions = []
    for ln in fresh:
        if ln.status != LineStatus.NEW:
            continue
        receipt = receipt_of.get(ln.pk)
        transactions.append(BankTransaction(
            account=account, identity=ln.identity, booked_on=ln.booked_on,
            direction=ln.direction, amount=ln.amount, description=ln.description,
            reference=ln.reference, counterparty_name=ln.counterparty_name,
            counterparty_account=ln.counterparty_account, running_balance=ln.running_balance,
            statement=statement, row_number=ln.row_number, receipt=receipt,
            commune=account.commune, province=account.province))
    try:
        with transaction.atomic():
            insert_objects(BankTransaction, transactions)
    except IntegrityError as exc:
        raise ValidationError({"statement": _("Một giao dịch của sao kê vừa được ghi bởi lần "
                                              "áp dụng khác; hãy tải lại trang và thử "
                                              "lại.")}) from exc
    # Every new line now has its bank transaction on the account (written just now, or by
    # another statement since staging): linked by identity in one statement, not per line.
    statement.lines.filter(status=LineStatus.NEW).update(transaction=Subquery(
        BankTransaction.objects.filter(account=account, identity=OuterRef("identity"))
        .values("pk")[:1]))
    now_known = [ln.pk for ln in fresh if ln.status == LineStatus.KNOWN]
    if now_known:
        statement.lines.filter(pk__in=now_known).update(status=LineStatus.KNOWN)
    credits = [t for t in transactions if t.direction == Direction.CREDIT]
    result = {
        "receipts": len(receipts),
        "receipt_ids": [r.pk for r in receipts],
        "received_amount": sum(r.total for r in receipts),
        "transactions": len(transactions),
        "credits": len(credits),
        "debits": len(transactions) - len(credits),
        "unmatched": sum(t.receipt is None for t in credits),
        "known": sum(ln.status == LineStatus.KNOWN for ln in lines),
    }
    statement.status = StatementStatus.APPLIED
    statement.applied_counts = result
    statement.applied_at = timezone.now()
    statement.applied_by = user
    statement.save(update_fields=["status", "applied_counts", "applied_at", "applied_by"])
    audit_record(AuditAction.UPDATE, statement, changes={
        "status": [StatementStatus.STAGED, StatementStatus.APPLIED],
        **{k: v for k, v in result.items() if k != "receipt_ids"},
        "receipts": [r.number for r in receipts]})
    return {**result, "already_applied": False}


@transaction.atomic
def bank_transaction_receipt(user, txn: BankTransaction, *, donor: Donor,
                             pledge: Pledge | None = None):
    """Turn a credit that was applied without a receipt (no donor known then) into one, once."""
    txn = BankTransaction.objects.select_for_update().select_related("account__fund").get(
        pk=txn.pk)
    require(user, "funds", txn)
    if txn.direction != Direction.CREDIT:
        raise ValidationError({"transaction": _("Giao dịch ghi nợ không lập biên nhận.")})
    if txn.receipt_id is not None:
        raise ValidationError({"transaction": _("Giao dịch đã có biên nhận.")})
    line = BankStatementLine(statement_id=txn.statement_id, row_number=txn.row_number,
                             booked_on=txn.booked_on, amount=txn.amount, donor=donor,
                             pledge=pledge, reference=txn.reference,
                             description=txn.description)
    if pledge is not None and pledge.donor_id != donor.pk:
        raise ValidationError({"pledge": _("Cam kết: của nhà tài trợ khác.")})
    receipt = _receipt_for(user, txn.account.fund, line)
    if BankTransaction.objects.filter(pk=txn.pk, receipt__isnull=True).update(
            receipt=receipt) != 1:
        raise ValidationError({"transaction": _("Giao dịch đã có biên nhận.")})
    audit_record(AuditAction.UPDATE, txn, changes={"receipt": [None, receipt.pk]})
    return receipt


# ---------------------------------------------------------------------------- reads

def statement_preview(user, statement: BankStatement, *, status: str | None = None,
                      page: int = 1, page_size: int = 100) -> dict:
    """One page of a statement's lines with what each will do, for the page and the API.
    The sender's account number is masked for users without `donor_bank`."""
    qs = statement.lines.select_related("donor", "pledge", "transaction__receipt")
    if status == "credit":
        qs = qs.filter(status=LineStatus.NEW, direction=Direction.CREDIT)
    elif status == "debit":
        qs = qs.filter(status=LineStatus.NEW, direction=Direction.DEBIT)
    elif status == "unmatched":
        qs = qs.filter(status=LineStatus.NEW, direction=Direction.CREDIT, donor__isnull=True)
    elif status:
        qs = qs.filter(status=status)
    total = qs.count()
    pages = max(1, -(-total // page_size))
    page = min(max(page, 1), pages)
    show_bank = allows(user, "donor_bank", statement)
    rows = [_line_out(ln, show_bank) for ln in
            qs.order_by("row_number")[(page - 1) * page_size:page * page_size]]
    return {"total": total, "page": page, "pages": pages, "page_size": page_size,
            "rows": rows}


def statement_line_detail(user, line: BankStatementLine) -> dict:
    line = (BankStatementLine.objects.select_related("statement", "donor", "pledge",
                                                     "transaction__receipt").get(pk=line.pk))
    return _line_out(line, allows(user, "donor_bank", line.statement))


def _line_out(ln: BankStatementLine, show_bank: bool) -> dict:
    receipt = ln.transaction.receipt if ln.transaction_id else None
    return {
        "id": ln.pk, "row_number": ln.row_number, "status": ln.status,
        "status_display": ln.get_status_display(), "booked_on": ln.booked_on,
        "direction": ln.direction, "amount": ln.amount, "description": ln.description,
        "reference": ln.reference, "counterparty_name": ln.counterparty_name,
        "counterparty_account": (ln.counterparty_account if show_bank
                                 else selectors.mask(ln.counterparty_account)),
        "running_balance": ln.running_balance, "errors": ln.errors,
        "match_kind": ln.match_kind, "match_note": ln.match_note,
        "donor_id": ln.donor_id, "donor_name": ln.donor.name if ln.donor_id else "",
        "pledge_id": ln.pledge_id,
        "pledge_code": pledge_code(ln.pledge) if ln.pledge_id else "", "skip": ln.skip,
        "will_receipt": (ln.status == LineStatus.NEW and ln.direction == Direction.CREDIT
                         and ln.donor_id is not None and not ln.skip),
        "receipt_id": receipt.pk if receipt else None,
        "receipt_number": receipt.number if receipt else "",
    }
