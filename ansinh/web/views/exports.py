"""Downloads. Every export is scoped, capped, formula-safe and audited; sensitive fields are
never exported from the web UI."""

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from ansinh.access.scoping import restrict, scope_for
from ansinh.audit.models import AuditAction, AuditEvent
from ansinh.audit.services import audit_record
from ansinh.core.dates import format_partial
from ansinh.core.excel import write_csv, write_xlsx
from ansinh.geo.models import AdminUnit
from ansinh.web import labels
from ansinh.web.forms import AuditFilterForm
from ansinh.web.mixins import AreaMixin
from ansinh.web.presenters import ChangePresenter
from ansinh.web.views.persons import filtered_persons

EXPORT_MAX_ROWS = 200_000
CHUNK = 2_000

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

PERSON_COLUMNS = [
    ("full_name", "full_name"), ("birth", "birth_date"), ("sex", "sex"),
    ("ethnicity", "ethnicity"), ("id_number", "id_number"), ("phone", "phone"),
    ("household_code", "household__code"), ("relationship", "relationship"),
    ("commune", "commune__name"), ("province", "province__name"),
    ("disability_level", "disability_level"), ("deceased_date", "deceased_date"),
]


def _download(content: bytes, filename: str, fmt: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX if fmt == "xlsx" else "text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


def _audit_area(user, action, commune_id=None):
    """Where an export happened, so the auditors of that area see it in their log."""
    if commune_id:
        unit = AdminUnit.objects.filter(pk=commune_id).values("pk", "province_id").first()
        if unit:
            return {"commune_id": unit["pk"], "province_id": unit["province_id"]}
    scope = scope_for(user, action)
    if scope.national:
        return {}
    if len(scope.provinces) == 1 and not scope.communes:
        return {"province_id": next(iter(scope.provinces))}
    if len(scope.communes) == 1 and not scope.provinces:
        commune_id = next(iter(scope.communes))
        unit = AdminUnit.objects.filter(pk=commune_id).values("province_id").first() or {}
        return {"commune_id": commune_id, "province_id": unit.get("province_id")}
    return {}


def _too_many(request, qs, back):
    if qs.order_by()[: EXPORT_MAX_ROWS + 1].count() > EXPORT_MAX_ROWS:
        messages.error(request, _("Danh sách có hơn %(n)s dòng: hãy lọc thêm (ví dụ theo xã) "
                                  "rồi xuất lại.") % {"n": f"{EXPORT_MAX_ROWS:,}".replace(",", ".")})
        return HttpResponseRedirect(back)
    return None


class PersonExportView(AreaMixin, View):
    action = "export"

    def get(self, request):
        fmt = "csv" if request.GET.get("format") == "csv" else "xlsx"
        form, _qs = filtered_persons(request)
        qs = restrict(_qs, request.user, "export").order_by("sort_key", "pk")
        back = reverse("person_list") + ("?" + request.GET.urlencode() if request.GET else "")
        if refused := _too_many(request, qs, back):
            return refused
        fields = [f for _k, f in PERSON_COLUMNS] + ["birth_date_precision"]
        counter = {"rows": 0}

        def rows():
            # A generator: the workbook is written row by row, never held twice in memory.
            for values in qs.values_list(*fields).iterator(chunk_size=CHUNK):
                counter["rows"] += 1
                row = dict(zip(fields, values, strict=True))
                yield [
                    row["full_name"],
                    format_partial(row["birth_date"], row["birth_date_precision"]),
                    labels.choice_label("sex", row["sex"]),
                    labels.choice_label("ethnicity", row["ethnicity"]),
                    row["id_number"] or "", row["phone"], row["household__code"] or "",
                    labels.choice_label("relationship", row["relationship"]),
                    row["commune__name"], row["province__name"],
                    labels.choice_label("disability_level", row["disability_level"]),
                    row["deceased_date"].strftime("%d/%m/%Y") if row["deceased_date"] else "",
                ]

        headers = [labels.field_label(key) for key, _f in PERSON_COLUMNS]
        content = (write_csv(headers, rows()) if fmt == "csv"
                   else write_xlsx(headers, rows(), title=_("Danh sách cá nhân")))
        filters = form.summary()
        audit_record(
            AuditAction.EXPORT, object_type="person_list",
            object_repr=_("Danh sách cá nhân (%(fmt)s)") % {"fmt": fmt},
            changes={"filters": filters, "rows": counter["rows"], "format": fmt},
            **_audit_area(request.user, "export", filters.get("commune_id")),
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        return _download(content, f"danh-sach-ca-nhan-{stamp}", fmt)


def audit_events(request):
    form = AuditFilterForm(request.GET or None)
    qs = restrict(AuditEvent.objects.all(), request.user, "audit")
    return form, form.apply(qs)


class AuditExportView(AreaMixin, View):
    action = "audit"

    def get(self, request):
        form, qs = audit_events(request)
        back = reverse("audit_list") + ("?" + request.GET.urlencode() if request.GET else "")
        if refused := _too_many(request, qs, back):
            return refused
        rows = []
        for start in range(0, EXPORT_MAX_ROWS, CHUNK):
            chunk = list(qs[start : start + CHUNK])
            presenter = ChangePresenter(chunk, request.user)
            for event, changes in presenter.rows():
                rows.append([
                    timezone.localtime(event.at).strftime("%d/%m/%Y %H:%M:%S"),
                    event.username, event.source, labels.action_label(event.action),
                    event.object_type, event.object_id, event.object_repr,
                    "; ".join(
                        f"{c.label}: {c.old} → {c.new}" if c.is_update else
                        (f"{c.label}: {c.new}" if c.new else c.label)
                        for c in changes
                    ),
                    event.ip or "", event.request_id,
                ])
            if len(chunk) < CHUNK:
                break
        headers = [_("Thời điểm"), _("Người dùng"), _("Nguồn"), _("Thao tác"),
                   _("Loại đối tượng"), _("Mã đối tượng"), _("Đối tượng"), _("Nội dung"),
                   _("Địa chỉ IP"), _("Mã yêu cầu")]
        content = write_xlsx(headers, rows, title=_("Nhật ký"))
        audit_record(
            AuditAction.EXPORT, object_type="audit_log", object_repr=_("Nhật ký hệ thống"),
            changes={"filters": form.summary(), "rows": len(rows), "format": "xlsx"},
            **_audit_area(request.user, "audit"),
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        return _download(content, f"nhat-ky-{stamp}", "xlsx")
