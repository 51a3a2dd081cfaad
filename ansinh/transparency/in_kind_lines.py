"""Goods and service receipt lines (valued in đồng) of a campaign or a fund, inside a
snapshot's marks."""

from __future__ import annotations

from django.db.models import Q, Sum

from ansinh.funds import models as fund_models
from ansinh.funds.choices import ReceiptStatus


def _issued(model, mark: int, subject, marks, start, end):
    which = (Q(campaign=subject) if isinstance(subject, fund_models.Campaign)
             else Q(receipt__fund=subject))
    return model.objects.filter(
        which, pk__lte=mark, receipt__status=ReceiptStatus.ISSUED,
        receipt__issued_at__lte=marks.as_of, receipt__received_on__gte=start,
        receipt__received_on__lte=end,
    ).filter(Q(receipt__reversal__isnull=True) | Q(receipt__reversal__pk__gt=marks.reversal))


def goods_rows(subject, marks, start, end) -> list[dict]:
    """[{category, value}] of the goods received."""
    return [{"category": r["item__category"], "value": r["value"] or 0}
            for r in _issued(fund_models.GoodsReceiptLine, marks.goods_line, subject, marks, start, end)
            .values("item__category").annotate(value=Sum("value")).order_by("item__category")]


def services_value(subject, marks, start, end) -> int:
    qs = _issued(fund_models.ServiceReceiptLine, marks.service_line, subject, marks, start, end)
    return qs.aggregate(s=Sum("value"))["s"] or 0


def per_donor(subject, marks, start, end) -> dict[int, int]:
    """In-kind value given by each donor: {donor_id: đồng}."""
    values: dict[int, int] = {}
    for model, mark in ((fund_models.GoodsReceiptLine, marks.goods_line),
                        (fund_models.ServiceReceiptLine, marks.service_line)):
        for donor_id, value in (_issued(model, mark, subject, marks, start, end)
                                .values("receipt__donor_id").annotate(s=Sum("value"))
                                .values_list("receipt__donor_id", "s")):
            values[donor_id] = values.get(donor_id, 0) + (value or 0)
    return values
