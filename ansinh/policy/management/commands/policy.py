"""`ansinh policy …`: dated parameter values from the command line.

    ansinh policy set-standard-level AMOUNT --effective YYYY-MM-DD [--province CODE] --basis TEXT
                                    [--source URL] [--as USERNAME]
    ansinh policy set-social-pension AMOUNT --effective YYYY-MM-DD [--province CODE] --basis TEXT
    ansinh policy set-coefficient BENEFIT CATEGORY BAND VALUE --effective YYYY-MM-DD --basis TEXT
    ansinh policy load
    ansinh policy show [--province CODE] [--month YYYY-MM]

Exit codes: 0 done (or nothing to change); 1 refused (bad input, no permission, invalid
parameter files); 2 wrong usage (argparse).
"""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from ansinh.access.console import console_user
from ansinh.access.context import acting
from ansinh.audit.models import AuditAction
from ansinh.audit.services import audit_record
from ansinh.core.months import format_month_vn, month_of, parse_month

EPILOG = (
    "Mã thoát / exit codes: 0 = đã xong hoặc không có gì thay đổi / done or nothing to change; "
    "1 = bị từ chối (dữ liệu sai, không có quyền, tệp tham số không hợp lệ) / refused (bad "
    "input, no permission, invalid parameter files); 2 = sai cú pháp lệnh / wrong usage."
)
AS_HELP = ("Người thực hiện (quyền chính sách theo địa bàn của họ) / acting user, with their "
           "area; mặc định / default: the system, nationwide, audited as 'cli'.")
_AMOUNT = re.compile(r"^\d{1,3}(?:([.,_ ])\d{3})?(?:\1\d{3})*$|^\d+$")


def money(amount: int | None) -> str:
    """1250000 → '1.250.000 đ' (Vietnamese thousands separator)."""
    return "—" if amount is None else f"{amount:,} đ".replace(",", ".")


def parse_amount(text: str) -> int:
    """'650000', '650.000', '650,000' or '650_000' → 650000; anything else is refused, so a
    decimal or a typo never becomes a level."""
    text = (text or "").strip()
    if not _AMOUNT.match(text):
        raise CommandError(f"«{text}» không phải số tiền nguyên (đồng), ví dụ 650000 hoặc "
                           f"650.000 / is not a whole amount of đồng, e.g. 650000 or 650.000.",
                           returncode=1)
    amount = int(re.sub(r"[.,_ ]", "", text))
    if amount <= 0:
        raise CommandError("Số tiền phải lớn hơn 0 / the amount must be positive.", returncode=1)
    return amount


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError as exc:
        raise CommandError(f"«{text}» không phải ngày dạng YYYY-MM-DD / is not a YYYY-MM-DD "
                           "date.", returncode=1) from exc


def _messages(exc: ValidationError) -> str:
    return "; ".join(exc.messages)


class Command(BaseCommand):
    help = ("Tham số chính sách theo thời gian (mức chuẩn, hệ số) / dated policy parameters "
            "(standard levels, coefficients).")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True,
                                    title="lệnh con / subcommands")
        kw = {"called_from_command_line": getattr(parser, "called_from_command_line", None),
              "epilog": EPILOG}

        level = sub.add_parser(
            "set-standard-level",
            help="Thêm mức chuẩn trợ giúp xã hội có hiệu lực từ một ngày / add a standard level "
                 "effective from a date.",
            description="Thêm (hoặc sửa) mức chuẩn trợ giúp xã hội toàn quốc, hoặc của một "
                        "tỉnh với --province. Áp dụng từ tháng chứa ngày hiệu lực; mức của "
                        "tỉnh chỉ có tác dụng khi cao hơn mức trung ương. / Add (or correct) the "
                        "national standard level, or a province's with --province. It applies "
                        "from the month containing the effective date; a provincial level "
                        "applies only while it is above the national one.", **kw)
        level.add_argument("amount", metavar="AMOUNT",
                           help="Số tiền (đồng/tháng) / amount in đồng per month, e.g. 650000.")
        self._dated_arguments(level, province=True)

        pension = sub.add_parser(
            "set-social-pension",
            help="Thêm mức trợ cấp hưu trí xã hội / add a social pension amount.",
            description="Thêm (hoặc sửa) mức trợ cấp hưu trí xã hội toàn quốc hoặc của một tỉnh. "
                        "/ Add (or correct) the national social pension amount, or a "
                        "province's.", **kw)
        pension.add_argument("amount", metavar="AMOUNT", help="Số tiền / amount (đồng/month).")
        self._dated_arguments(pension, province=True)

        coef = sub.add_parser(
            "set-coefficient",
            help="Thêm hệ số có hiệu lực từ một ngày / add a coefficient effective from a date.",
            description="Thêm (hoặc sửa) một hệ số (cần quyền toàn quốc). / Add (or correct) a "
                        "coefficient (needs national scope). `ansinh policy show` lists the "
                        "cells: BENEFIT CATEGORY BAND.", **kw)
        coef.add_argument("benefit", metavar="BENEFIT",
                          help="monthly_allowance, care_allowance, funeral")
        coef.add_argument("category", metavar="CATEGORY", help="e.g. 5.6, foster_child")
        coef.add_argument("band", metavar="BAND", help="e.g. severe_adult, under_4, all")
        coef.add_argument("value", metavar="VALUE", help="Hệ số / coefficient, e.g. 1.5")
        self._dated_arguments(coef, province=False)

        sub.add_parser(
            "load",
            help="Nạp các tệp tham số vào cơ sở dữ liệu / load the parameter files.",
            description="Kiểm tra và nạp parameters/*.yaml vào cơ sở dữ liệu. Chạy lại không "
                        "thay đổi gì; giá trị do cán bộ nhập không bao giờ bị ghi đè. / Validate "
                        "parameters/*.yaml and mirror them into the database. Running it again "
                        "changes nothing; values an officer entered are never overwritten.", **kw)

        show = sub.add_parser(
            "show",
            help="Xem mức chuẩn và hệ số đang áp dụng / show the levels and coefficients in "
                 "force.", **kw)
        show.add_argument("--province", metavar="CODE",
                          help="Mã tỉnh 2 số / 2-digit province code; default: national.")
        show.add_argument("--month", metavar="YYYY-MM",
                          help="Tháng / month (default: this month).")

    def _dated_arguments(self, parser, *, province: bool) -> None:
        parser.add_argument("--effective", required=True, metavar="YYYY-MM-DD",
                            help="Ngày có hiệu lực / effective date.")
        if province:
            parser.add_argument("--province", metavar="CODE",
                                help="Mã tỉnh 2 số (QĐ 19/2025); bỏ trống = toàn quốc / 2-digit "
                                     "province code; omit for national.")
        parser.add_argument("--basis", required=True, metavar="TEXT",
                            help="Căn cứ pháp lý / legal basis, e.g. \"Nghị quyết 63/2025/"
                                 "NQ-HĐND, Điều 2 khoản 1\".")
        parser.add_argument("--source", metavar="URL", default="",
                            help="Địa chỉ văn bản / URL of the text.")
        parser.add_argument("--as", dest="as_user", metavar="USERNAME", help=AS_HELP)

    def handle(self, *args, **options):
        handler = {
            "set-standard-level": self.handle_set_level,
            "set-social-pension": self.handle_set_pension,
            "set-coefficient": self.handle_set_coefficient,
            "load": self.handle_load,
            "show": self.handle_show,
        }[options["subcommand"]]
        return handler(options)

    # -----------------------------------------------------------------------------------------

    def _run(self, options, service, model, key: dict, **kwargs):
        user = console_user(options["as_user"])
        before = model.objects.filter(**key).first()
        before = None if before is None else (before.pk, before.updated_at)
        with acting(user_id=user.pk, username=user.get_username(), source="cli"):
            try:
                row = service(**kwargs, basis=options["basis"], user=user,
                              source_url=options["source"])
            except ValidationError as exc:
                raise CommandError(_messages(exc), returncode=1) from exc
            except PermissionDenied as exc:
                raise CommandError(str(exc), returncode=1) from exc
        if before == (row.pk, row.updated_at):
            self.stdout.write(f"Không đổi / unchanged: {row}")
            return
        self.stdout.write(f"Đã ghi / saved: {row}")
        self.stdout.write(f"  căn cứ / basis: {row.basis}")
        self.stdout.write(f"  tính lại từ tháng / re-price from: "
                          f"{format_month_vn(month_of(row.effective))}")

    def handle_set_level(self, options):
        from ansinh.policy.models import StandardLevel
        from ansinh.policy.services import standard_level_set

        amount, effective = parse_amount(options["amount"]), parse_date(options["effective"])
        province = options["province"]
        self._run(options, standard_level_set, StandardLevel,
                  {"province_code": province, "effective": effective},
                  amount=amount, effective=effective, province_code=province)

    def handle_set_pension(self, options):
        from ansinh.policy.models import BenefitAmount, Series
        from ansinh.policy.services import social_pension_set

        amount, effective = parse_amount(options["amount"]), parse_date(options["effective"])
        province = options["province"]
        self._run(options, social_pension_set, BenefitAmount,
                  {"series": Series.SOCIAL_PENSION, "province_code": province,
                   "effective": effective},
                  amount=amount, effective=effective, province_code=province)

    def handle_set_coefficient(self, options):
        from ansinh.policy.models import Coefficient
        from ansinh.policy.services import coefficient_set

        effective = parse_date(options["effective"])
        key = {"benefit": options["benefit"], "category": options["category"],
               "band": options["band"]}
        self._run(options, coefficient_set, Coefficient, {**key, "effective": effective},
                  **key, value=options["value"], effective=effective)

    def handle_load(self, options):
        from ansinh.policy.loader import load_parameters
        from ansinh.policy.schema import ParameterFileError

        with acting(user_id=None, username="system", source="cli"):
            try:
                result = load_parameters()
            except ParameterFileError as exc:
                raise CommandError("Tệp tham số không hợp lệ / invalid parameter files:\n  "
                                   + "\n  ".join(exc.problems), returncode=1) from exc
            for row in result.created:
                audit_record(AuditAction.CREATE, row, changes={"origin": "law"})
            for row, changes in result.updated:
                audit_record(AuditAction.UPDATE, row, changes=changes)
        self.stdout.write(
            f"Đã nạp tham số / parameters loaded: {len(result.created)} mới / new, "
            f"{len(result.updated)} cập nhật / updated, {result.unchanged} không đổi / "
            f"unchanged, {result.kept} giữ giá trị cán bộ nhập / officer values kept.")
        for row in result.created:
            self.stdout.write(f"  + {row}")
        for row, _changes in result.updated:
            self.stdout.write(f"  ~ {row}")

    def handle_show(self, options):
        from ansinh.geo.models import AdminUnit
        from ansinh.policy.categories import BANDS
        from ansinh.policy.selectors import in_force

        try:
            month = parse_month(options["month"]) if options["month"] else \
                month_of(timezone.localdate())
        except ValueError as exc:
            raise CommandError(str(exc), returncode=1) from exc
        code = options["province"]
        where = "toàn quốc / national"
        if code:
            unit = AdminUnit.objects.provinces().filter(code=code).first()
            if unit is None:
                raise CommandError(f"«{code}» không phải mã tỉnh/thành phố hiện hành / not a "
                                   "2025 province code.", returncode=1)
            where = f"{unit.name} ({code})"
        data = in_force(month, code)
        w = self.stdout.write
        w(f"Tham số đang áp dụng tháng {format_month_vn(month)} — {where}")
        w(f"Parameters in force in {month:%Y-%m}")
        w("")
        self._show_level(w, "Mức chuẩn trợ giúp xã hội / standard level", data["standard_level"])
        if data.get("provinces_above"):
            w("  tỉnh có mức cao hơn / provinces above it:")
        for above in data.get("provinces_above", []):
            w(f"    {above.province_code}: {money(above.amount)}"
              + (f" — {above.own.basis}" if above.own else ""))
        self._show_level(w, "Trợ cấp hưu trí xã hội / social pension", data["social_pension"])
        w("")
        w("Hệ số / coefficients (hệ số × mức chuẩn = số tiền / coefficient × level = amount):")
        order = {cell: i for i, cell in enumerate(BANDS)}
        level = data["standard_level"].amount
        for c in sorted(data["coefficients"],
                        key=lambda c: (order.get((c.benefit, c.category), 99),
                                       BANDS[(c.benefit, c.category)].index(c.band))):
            amount = None if level is None else (level * c.hundredths + 50) // 100
            w(f"  {c.benefit:<18} {c.category:<20} {c.band:<34} {c.readable:>5}  "
              f"{money(amount):>14}  {c.row.basis if c.row else ''}")

    def _show_level(self, w, title, item):
        w(f"{title}: {money(item.amount)}")
        if item.national:
            w(f"  toàn quốc / national: {money(item.national.amount)} từ / from "
              f"{item.national.effective:%d/%m/%Y} — {item.national.basis}")
        if item.own:
            w(f"  của tỉnh / provincial: {money(item.own.amount)} từ / from "
              f"{item.own.effective:%d/%m/%Y} — {item.own.basis}")
        if item.province_code is None and item.amount is not None and not item.national:
            w("  (chưa có giá trị toàn quốc / no national value)")
