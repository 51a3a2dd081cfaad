"""The policy page: the standard level and coefficients in force, their history, and the forms
an authorised officer uses to add a dated value.

Reading needs `view` (every officer prices benefits from these numbers). The forms show only
to users holding `policy`; the POST views ask for `policy` somewhere, and the services decide
where (a province admin on her province; national values and coefficients need national
scope), so a hand-made POST outside the user's area is a 403, never a write.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Max, Min, Q
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View

from ansinh.access.scoping import restrict, scope_for
from ansinh.core.money_words import format_money
from ansinh.core.months import add_months, format_month, format_month_vn, month_of, parse_month
from ansinh.enrolment.choices import Benefit, PensionCategory
from ansinh.geo.models import AdminUnit
from ansinh.payments.models import PayrollMonth
from ansinh.web.mixins import AreaMixin

from . import services
from .categories import BANDS, CARE_ALLOWANCE, FUNERAL, MONTHLY_ALLOWANCE, format_hundredths
from .forms import CoefficientForm, StandardLevelForm, band_label, cell_category_label
from .models import BenefitAmount, Coefficient, Series, StandardLevel
from .selectors import in_force, level_table, parameters

COEFFICIENT_SECTIONS = (
    (MONTHLY_ALLOWANCE, "Nghị định 20/2021/NĐ-CP, Điều 6"),
    (CARE_ALLOWANCE, "Nghị định 20/2021/NĐ-CP, Điều 20"),
    (FUNERAL, "Nghị định 20/2021/NĐ-CP, Điều 11 khoản 2 và Điều 25 khoản 3"),
)


def requested_month(value: str | None) -> date:
    """The month of the query string (mm/yyyy or yyyy-mm); this month when absent or wrong."""
    try:
        return parse_month(value) if value else month_of(timezone.localdate())
    except ValueError:
        return month_of(timezone.localdate())


def coefficient_text(hundredths: int) -> str:
    """250 → '2,5', 200 → '2,0' as Vietnamese documents write a coefficient ('2.5' in
    English)."""
    text = format_hundredths(hundredths)
    return text if (get_language() or "vi").startswith("en") else text.replace(".", ",")


def own_provinces(user) -> set[str]:
    """Codes of the provinces the user works in: a province role, or a commune role's
    province. Empty for national users (every province is theirs alike)."""
    scope = scope_for(user, "view")
    if scope.national:
        return set()
    ids = set(scope.provinces) | set(
        AdminUnit.objects.filter(pk__in=scope.communes).values_list("province_id", flat=True))
    return set(AdminUnit.objects.filter(pk__in=ids).values_list("code", flat=True))


def _in_force_row(rows: list, month: date):
    """The row in force in `month` among one series' rows sorted by date: the latest effective
    before the next month (the rule `params.Parameters` applies)."""
    following = add_months(month, 1)
    current = None
    for row in rows:
        if row.effective < following:
            current = row
    return current


@dataclass
class ProvinceLevel:
    code: str
    name: str
    mine: bool
    level: int | None
    level_row: object | None  # the StandardLevel whose value applies (own or national)
    level_is_own: bool
    pension: int | None
    pension_row: object | None
    pension_is_own: bool


def _resolved(amount, national_row, own_row):
    """Which row a resolved amount comes from: the province's own when it is the higher (or
    equal) one, else the national (Decree 20/2021, Art. 4.3)."""
    if own_row is not None and amount is not None and own_row.amount >= amount:
        return own_row, True
    return national_row, False


def province_levels(month: date, provinces: list[AdminUnit], mine: set[str],
                    national_level, national_pension) -> list[ProvinceLevel]:
    codes = [p.code for p in provinces]
    levels = dict(level_table(month, month, codes).select("province_code", "standard_level")
                  .iter_rows())
    pensions = dict(parameters().series_table(Series.SOCIAL_PENSION, month, month, codes)
                    .select("province_code", "value").iter_rows())
    own_levels: dict[str, list] = {}
    for row in StandardLevel.objects.filter(province_code__in=codes).order_by("effective"):
        own_levels.setdefault(row.province_code, []).append(row)
    own_pensions: dict[str, list] = {}
    for row in BenefitAmount.objects.filter(series=Series.SOCIAL_PENSION,
                                            province_code__in=codes).order_by("effective"):
        own_pensions.setdefault(row.province_code, []).append(row)
    result = []
    for province in provinces:
        code = province.code
        level_row, level_own = _resolved(levels.get(code), national_level,
                                         _in_force_row(own_levels.get(code, []), month))
        pension_row, pension_own = _resolved(pensions.get(code), national_pension,
                                             _in_force_row(own_pensions.get(code, []), month))
        result.append(ProvinceLevel(code, province.name, code in mine, levels.get(code),
                                    level_row, level_own, pensions.get(code), pension_row,
                                    pension_own))
    return result


def level_history(provinces: list[AdminUnit], month: date) -> list:
    """Every standard level, national first, then the listed provinces in their order; each row
    says whether it is the one in force in `month` or not yet in force."""
    names = {p.code: p.name for p in provinces}
    order = {p.code: i for i, p in enumerate(provinces)}
    rows = StandardLevel.objects.select_related("created_by").filter(
        Q(province_code__isnull=True) | Q(province_code__in=list(names)))
    groups: dict[str | None, list] = {}
    for row in rows.order_by("effective"):
        groups.setdefault(row.province_code, []).append(row)
    history = []
    for code in sorted(groups, key=lambda c: (c is not None, order.get(c, 0))):
        current = _in_force_row(groups[code], month)
        for row in groups[code]:
            row.where = names.get(code, code) if code else _("Toàn quốc")
            row.in_force = row is current
            row.future = row.effective >= add_months(month, 1)
            history.append(row)
    return history


def coefficient_sections(month_data: dict, reference_level: int | None) -> list[dict]:
    cells = {(c.benefit, c.category, c.band): c for c in month_data["coefficients"]}
    sections = []
    for benefit, basis in COEFFICIENT_SECTIONS:
        rows = []
        for (b, category), bands in BANDS.items():
            if b != benefit:
                continue
            for i, band in enumerate(bands):
                cell = cells.get((b, category, band))
                amount = None
                if cell is not None and reference_level is not None:
                    # Rounded to the đồng as the engine does: level × hundredths / 100.
                    amount = (reference_level * cell.hundredths + 50) // 100
                rows.append({
                    "category": cell_category_label(b, category) if i == 0 else "",
                    "rowspan": len(bands) if i == 0 else 0,
                    "band": "" if band == "all" else band_label(band),
                    "coefficient": coefficient_text(cell.hundredths) if cell else "—",
                    "amount": amount, "row": cell.row if cell else None,
                })
        sections.append({"benefit": benefit, "title": Benefit(benefit).label, "basis": basis,
                         "rows": rows})
    return sections


def page_context(request, level_form=None, coefficient_form=None) -> dict:
    user = request.user
    month = requested_month(request.GET.get("month"))
    mine = own_provinces(user)
    all_provinces = list(AdminUnit.objects.provinces().order_by("code"))
    chosen = request.GET.get("province") or ""
    if chosen not in {p.code for p in all_provinces}:
        chosen = ""
    # The user's own provinces first: those are the numbers she works with.
    ordered = sorted(all_provinces, key=lambda p: (p.code not in mine, p.code))
    listed = [p for p in ordered if p.code == chosen] if chosen else ordered
    data = in_force(month)
    national = data["standard_level"]
    pension = data["social_pension"]
    provinces = province_levels(month, listed, mine, national.national, pension.national)
    reference = provinces[0] if chosen else None
    policy_scope = scope_for(user, "policy")
    can_policy = not policy_scope.empty
    return {
        "month": month, "month_text": format_month_vn(month), "month_value": format_month(month),
        "previous_month": format_month(add_months(month, -1)),
        "next_month": format_month(add_months(month, 1)),
        "province_options": ordered, "chosen": chosen, "chosen_unit": reference,
        "national": national, "pension": pension,
        "pension_categories": PensionCategory.choices,
        "provinces": provinces,
        "history": level_history(listed, month),
        "sections": coefficient_sections(
            data, reference.level if reference else national.amount),
        "reference_level": reference.level if reference else national.amount,
        "reference_where": reference.name if reference else _("toàn quốc"),
        "can_policy": can_policy,
        "can_coefficient": policy_scope.national,
        "level_form": level_form or (StandardLevelForm(user=user) if can_policy else None),
        "coefficient_form": coefficient_form or (
            CoefficientForm() if policy_scope.national else None),
    }


class PolicyView(AreaMixin, View):
    template_name = "policy/policy.html"

    def get(self, request):
        return render(request, self.template_name, page_context(request))


def repricing_message(user, first: date, province_code: str | None) -> str:
    """Which payroll months the next run will re-price: every month from `first` on, in the
    province (or everywhere for a national value), counting the approved ones the user sees."""
    approved = restrict(PayrollMonth.objects.all(), user, "view").filter(
        status=PayrollMonth.Status.APPROVED, month__gte=first)
    where = _("mọi tỉnh/thành phố")
    if province_code is not None:
        province = AdminUnit.objects.provinces().get(code=province_code)
        approved = approved.filter(province=province)
        where = province.name
    text = _("Bảng chi trả của %(where)s: các tháng từ %(m)s sẽ được tính lại (truy lĩnh/truy "
             "thu) ở lần lập bảng chi trả tiếp theo.") % {"where": where,
                                                           "m": format_month_vn(first)}
    span = approved.aggregate(first=Min("month"), last=Max("month"))
    count = approved.values("commune").distinct().count()
    if span["first"] is not None:
        text += " " + _("Đã phê duyệt trong khoảng đó: tháng %(a)s–%(b)s của %(n)s xã/phường.") \
            % {"a": format_month_vn(span["first"]), "b": format_month_vn(span["last"]),
               "n": count}
    else:
        text += " " + _("Chưa có bảng chi trả đã phê duyệt nào từ tháng đó.")
    return text


class PolicyAddView(AreaMixin, View):
    """Adds one dated value through its service; a bad value re-renders the page with the
    errors on the form's fields and writes nothing."""

    action = "policy"
    http_method_names = ["post"]
    form_name = ""
    model = None

    def post(self, request):
        form = self.make_form(request.POST)
        if form.is_valid():
            data = form.service_data()
            before = self.model.objects.filter(**self.key(data)).values_list(
                "pk", "updated_at").first()
            try:
                row = self.save(data)
            except ValidationError as exc:
                form.apply_errors(exc)
            else:
                if before == (row.pk, row.updated_at):
                    messages.info(request, _("Không có gì thay đổi: %(row)s đã có.")
                                  % {"row": self.describe(row)})
                else:
                    messages.success(request, self.describe(row) + ". " + repricing_message(
                        request.user, month_of(row.effective), self.province_of(row)))
                return HttpResponseRedirect(self.success_url(row))
        context = page_context(request, **{self.form_name: form})
        return render(request, PolicyView.template_name, context)

    def success_url(self, row) -> str:
        return f"{reverse('policy:index')}?month={format_month(month_of(row.effective))}"

    def province_of(self, row) -> str | None:
        return None


class StandardLevelAddView(PolicyAddView):
    form_name = "level_form"
    model = StandardLevel

    def make_form(self, data):
        return StandardLevelForm(data, user=self.request.user)

    def key(self, data):
        return {"province_code": data["province_code"], "effective": data["effective"]}

    def save(self, data):
        return services.standard_level_set(user=self.request.user, **data)

    def province_of(self, row):
        return row.province_code

    def describe(self, row) -> str:
        where = _("toàn quốc")
        if row.province_code:
            where = AdminUnit.objects.provinces().get(code=row.province_code).name
        return _("Đã ghi mức chuẩn %(where)s %(amount)s từ %(d)s") % {
            "where": where, "amount": format_money(row.amount), "d": f"{row.effective:%d/%m/%Y}"}

    def success_url(self, row):
        url = super().success_url(row)
        return f"{url}&province={row.province_code}" if row.province_code else url


class CoefficientAddView(PolicyAddView):
    form_name = "coefficient_form"
    model = Coefficient

    def make_form(self, data):
        return CoefficientForm(data)

    def key(self, data):
        return {k: data[k] for k in ("benefit", "category", "band", "effective")}

    def save(self, data):
        return services.coefficient_set(user=self.request.user, **data)

    def describe(self, row) -> str:
        cell = cell_category_label(row.benefit, row.category)
        if row.band != "all":
            cell = f"{cell} — {band_label(row.band)}"
        return _("Đã ghi hệ số %(value)s cho %(cell)s từ %(d)s") % {
            "value": coefficient_text(row.hundredths), "cell": cell,
            "d": f"{row.effective:%d/%m/%Y}"}
