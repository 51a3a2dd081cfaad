"""The payment file for a bank or an e-wallet provider: one line per payment of an approved
month on that channel, with the account to credit and the amount due (this month's amount
plus what earlier months left uncollected). The provider's return file answers it line by
line (`returns.return_import`, keyed by id_number and benefit)."""

from __future__ import annotations

import csv
import io
from datetime import date

from django.core.exceptions import ValidationError

from ansinh.access.scoping import restrict
from ansinh.audit.models import AuditAction
from ansinh.audit.services import audit_record
from ansinh.core.excel import safe_cell
from ansinh.core.months import format_month, format_month_vn, month_of
from ansinh.enrolment.choices import ACCOUNT_CHANNELS

from .models import Payment, PayrollMonth

COLUMNS = ["payment_id", "id_number", "full_name", "account_number", "amount", "benefit",
           "month", "commune_code"]


def provider_file(user, month: date, channel: str) -> tuple[bytes, int]:
    """CSV bytes and the number of payments. Only approved months are sent to a provider."""
    month = month_of(month)
    if channel not in ACCOUNT_CHANNELS:
        raise ValidationError({"channel": "Tệp cho đơn vị chi trả chỉ có cho bank hoặc "
                                          "ewallet."})
    payments = restrict(Payment.objects.all(), user, "export").filter(
        payroll__month=month, payroll__status=PayrollMonth.Status.APPROVED,
        payment_channel=channel).select_related("recipient", "commune").order_by(
        "commune__code", "recipient__sort_key", "pk")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    count = 0
    for payment in payments:
        if payment.due <= 0:
            continue
        person = payment.recipient
        writer.writerow([safe_cell(v) for v in (
            payment.pk, person.id_number or "", person.full_name, payment.account_number,
            payment.due, payment.benefit, format_month(month), payment.commune.code)])
        count += 1
    audit_record(AuditAction.EXPORT, object_type="payments.payment",
                 object_repr=f"Tệp chi trả {channel} tháng {format_month_vn(month)}",
                 changes={"rows": count, "channel": channel})
    return out.getvalue().encode("utf-8"), count
