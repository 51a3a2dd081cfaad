"""Spending of a campaign or a fund less what came back of it (hoàn chi), inside a
snapshot's marks.

A return counts when its id is at most the `allocation_return` mark, it was recorded at or
before `as_of`, and its date lies in the period. A snapshot published before a return has a
lower mark (or, if published before returns existed, none: 0), so it never sees the return
and still verifies; the next snapshot shows the lower spending.
"""

from __future__ import annotations

from django.db.models import Q, Sum

from ansinh.funds.models import AllocationReturn, Campaign


def returned(subject, marks, start, end):
    if isinstance(subject, Campaign):
        which = (Q(allocation__campaign=subject)
                 | Q(allocation__campaign__isnull=True, restriction__campaign=subject))
    else:
        which = Q(fund=subject)
    return AllocationReturn.objects.filter(
        which, pk__lte=marks.allocation_return, created_at__lte=marks.as_of,
        returned_on__gte=start, returned_on__lte=end)


def less_returns(subject, marks, start, end, rows: list[dict], total: int,
                 without_campaign: str) -> tuple[list[dict], int]:
    """`rows` ({label, amount}, labelled as the spending is: by fund for a campaign, by
    campaign for a fund) and `total`, less the returns. Unchanged when there is none."""
    back = returned(subject, marks, start, end)
    by_label: dict[str, int] = {}
    if isinstance(subject, Campaign):
        for name, amount in back.values_list("fund__name").annotate(s=Sum("amount")):
            by_label[name] = by_label.get(name, 0) + amount
    else:
        for r in (back.values("allocation__campaign__name", "restriction__campaign__name")
                  .annotate(s=Sum("amount"))):
            label = (r["allocation__campaign__name"] or r["restriction__campaign__name"]
                     or without_campaign)
            by_label[label] = by_label.get(label, 0) + r["s"]
    if not by_label:
        return rows, total
    returned_total = sum(by_label.values())
    net = []
    for row in rows:
        amount = row["amount"] - by_label.pop(row["label"], 0)
        if amount:
            net.append({"label": row["label"], "amount": amount})
    # Returns of spending dated before the period lower this period's spending.
    net += [{"label": k, "amount": -v} for k, v in sorted(by_label.items())]
    return net, total - returned_total
