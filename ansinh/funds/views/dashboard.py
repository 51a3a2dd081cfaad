"""The fund's front page: balances per fund and restriction, campaign progress as a chart,
money received this month, allocations waiting for approval and goods expiring soon."""

from datetime import timedelta

from django.db.models import Q, Sum
from django.utils import timezone
from django.views.generic import TemplateView

from ansinh.access.scoping import can
from ansinh.stock.selectors import lots_expiring

from .. import selectors
from ..charts import campaign_progress_svg
from . import reads
from .common import FundsMixin

CAMPAIGNS_SHOWN = 6
EXPIRY_DAYS = 30
ROWS = 10


class FundDashboardView(FundsMixin, TemplateView):
    template_name = "funds/dashboard.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        today = timezone.localdate()
        balances = reads.named_balances(selectors.fund_balances(user))
        totals = {k: sum(b[k] for b in balances)
                  for k in ("received", "spent", "reserved", "available")}
        # Campaigns still running (or ended in the last year) first, newest first.
        campaigns = list(selectors.campaign_list(user).filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=today - timedelta(days=365)))
            .order_by("-starts_on", "pk")[:CAMPAIGNS_SHOWN])
        progress = [row | {"name": c.name}
                    for c in campaigns for row in selectors.campaign_progress(user, c)]
        pending = reads.pending_allocations(user)
        return super().get_context_data(
            balances=balances, totals=totals, progress=progress,
            chart=campaign_progress_svg(progress),
            received_month=reads.received_between(user, today.replace(day=1), today),
            month=today,
            pending=list(pending[:ROWS]), pending_count=pending.count(),
            pending_amount=pending.aggregate(s=Sum("amount"))["s"] or 0,
            can_approve=can(user, "fund_approve"),
            expiring=list(lots_expiring(user, days=EXPIRY_DAYS, today=today)[:ROWS]),
            expiry_days=EXPIRY_DAYS, today=today, **kwargs)
