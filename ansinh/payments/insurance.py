"""The monthly list of people entitled to a health-insurance card paid by the state budget
(Decree 20/2021 Art. 9; card code BT): everyone entitled to the monthly allowance in the
month, including those paid a higher benefit instead (highest-only does not take the card)."""

from __future__ import annotations

from datetime import date

from ansinh.access.scoping import restrict
from ansinh.audit.models import AuditAction
from ansinh.audit.services import audit_record
from ansinh.core.dates import format_partial
from ansinh.core.excel import write_xlsx
from ansinh.core.months import format_month_vn, month_of

from .models import LedgerLine

CARD_CODE = "BT"
HEADERS = ["STT", "Số định danh", "Họ và tên", "Ngày sinh", "Giới tính", "Địa chỉ",
           "Xã/phường", "Mã đối tượng thẻ BHYT", "Nhóm đối tượng", "Tháng"]


def insurance_rows(user, month: date) -> list[list]:
    month = month_of(month)
    lines = restrict(LedgerLine.objects.all(), user, "export").filter(
        payroll__month=month, month=month, kind=LedgerLine.Kind.REGULAR,
        benefit="monthly_allowance").select_related("person", "person__household", "commune")
    seen, rows = set(), []
    for line in lines.order_by("commune__code", "person__sort_key", "person_id"):
        person = line.person
        if person.pk in seen:
            continue
        seen.add(person.pk)
        address = person.household.address if person.household_id else ""
        rows.append([len(rows) + 1, person.id_number or "", person.full_name,
                     format_partial(person.birth_date, person.birth_date_precision),
                     person.get_sex_display(), address, line.commune.name, CARD_CODE,
                     line.category, format_month_vn(month)])
    return rows


def insurance_xlsx(user, month: date) -> bytes:
    rows = insurance_rows(user, month)
    audit_record(AuditAction.EXPORT, object_type="payments.insurance",
                 object_repr=f"Danh sách cấp thẻ BHYT tháng {format_month_vn(month)}",
                 changes={"rows": len(rows)})
    return write_xlsx(HEADERS, rows, title="Thẻ BHYT",
                      preamble=[f"DANH SÁCH ĐỐI TƯỢNG BẢO TRỢ XÃ HỘI ĐƯỢC CẤP THẺ BẢO HIỂM Y TẾ "
                                f"THÁNG {format_month_vn(month)}"])
