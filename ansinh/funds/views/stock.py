"""In-kind goods under /funds/stock/: warehouses and distribution points, the item catalogue,
balances, the movement ledger, the receive / transfer / hand-out / write-off forms and the
lots expiring soon. Every read goes through `ansinh.stock.selectors`, every write through
`ansinh.stock.services` (which keep stock from going negative under row locks)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from ansinh.access.scoping import allows
from ansinh.stock import selectors, services
from ansinh.stock.choices import Unit
from ansinh.stock.models import Warehouse
from ansinh.web.paginator import paginate
from ansinh.web.views.persons import HtmxListMixin

from ..forms import (
    ItemForm,
    MovementFilterForm,
    StockIssueForm,
    StockReceiveForm,
    StockTransferForm,
    StockWriteOffForm,
    WarehouseForm,
)
from .common import FundsMixin, ServiceFormView, visible

EXPIRY_DAYS = 30
RECENT = 20
UNITS = dict(Unit.choices)


def with_unit_labels(rows) -> list[dict]:
    return [{**row, "unit": UNITS.get(row["item__unit"], row["item__unit"])} for row in rows]


class WarehouseListView(FundsMixin, TemplateView):
    template_name = "funds/stock/warehouse_list.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        totals: dict[int, dict] = {}
        for row in selectors.balance_list(user):
            t = totals.setdefault(row["warehouse_id"], {"items": 0, "value": 0})
            t["items"] += 1
            t["value"] += row["value"] or 0
        warehouses = list(selectors.warehouse_list(user).order_by("-active", "name"))
        for w in warehouses:
            w.totals = totals.get(w.pk, {"items": 0, "value": 0})
        return super().get_context_data(warehouses=warehouses, **kwargs)


class WarehouseDetailView(FundsMixin, TemplateView):
    template_name = "funds/stock/warehouse_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        warehouse = visible(Warehouse.objects.select_related("commune", "province"), user,
                            self.kwargs["pk"])
        return super().get_context_data(
            warehouse=warehouse,
            balances=with_unit_labels(selectors.balance_list(user, warehouse=warehouse)),
            movements=selectors.movement_list(user, warehouse=warehouse)[:RECENT],
            can_move=allows(user, "funds", warehouse) and warehouse.active, **kwargs)


class WarehouseCreateView(ServiceFormView):
    template_name = "funds/form.html"
    form_class = WarehouseForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Thêm kho / điểm phát"), **kwargs)

    def save(self, form):
        return services.warehouse_create(self.request.user, **form.service_data())

    def success_message_for(self, obj):
        return _("Đã thêm %(kind)s %(name)s.") % {"kind": _(obj.get_kind_display()).lower(),
                                                  "name": obj.name}

    def success_url_for(self, obj):
        return reverse("funds:warehouse_detail", args=[obj.pk])


class ItemListView(FundsMixin, TemplateView):
    template_name = "funds/stock/item_list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(items=selectors.item_list(active_only=False), **kwargs)


class ItemCreateView(ServiceFormView):
    template_name = "funds/form.html"
    form_class = ItemForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.pop("user")
        return kwargs

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Thêm mặt hàng"), **kwargs)

    def save(self, form):
        return services.item_create(self.request.user, **form.cleaned_data)

    def success_message_for(self, obj):
        return _("Đã thêm mặt hàng %(name)s.") % {"name": obj}

    def success_url_for(self, obj):
        return reverse("funds:item_list")


class BalanceListView(FundsMixin, HtmxListMixin, View):
    template_name = "funds/stock/balance_list.html"
    partial_template_name = "funds/stock/_balance_table.html"

    def get(self, request):
        user = request.user
        form = MovementFilterForm(request.GET or None, user=user)
        warehouse = item = None
        if form.is_valid():
            warehouse, item = form.cleaned_data["warehouse"], form.cleaned_data["item"]
        qs = selectors.balance_list(user, warehouse=warehouse, item=item)
        page = paginate(qs, request.GET.get("page"))
        page.object_list = with_unit_labels(page.object_list)
        return self.render_list({"form": form, "page": page})


class MovementListView(FundsMixin, HtmxListMixin, View):
    template_name = "funds/stock/movement_list.html"
    partial_template_name = "funds/stock/_movement_table.html"

    def get(self, request):
        user = request.user
        form = MovementFilterForm(request.GET or None, user=user)
        filters = {}
        if form.is_valid():
            filters = {k: v or None for k, v in form.cleaned_data.items()}
        qs = selectors.movement_list(user, **filters).select_related("recipient")
        page = paginate(qs, request.GET.get("page"))
        return self.render_list({"form": form, "page": page})


class ExpiringLotsView(FundsMixin, TemplateView):
    template_name = "funds/stock/expiring.html"

    def get_context_data(self, **kwargs):
        raw = self.request.GET.get("days", "")
        days = min(int(raw), 3650) if raw.isdigit() else EXPIRY_DAYS
        return super().get_context_data(
            days=days, lots=selectors.lots_expiring(self.request.user, days=days)[:500],
            **kwargs)


class MovementFormView(ServiceFormView):
    template_name = "funds/form.html"
    title = ""

    def get_initial(self):
        initial = super().get_initial()
        for key in ("warehouse", "source", "item"):
            if self.request.GET.get(key, "").isdigit():
                initial[key] = int(self.request.GET[key])
        for key in ("expiry_date",):
            if self.request.GET.get(key):
                initial[key] = self.request.GET[key]
        return initial

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=self.title, **kwargs)

    def success_url_for(self, obj):
        return reverse("funds:movement_list")


class StockReceiveView(MovementFormView):
    form_class = StockReceiveForm
    title = _("Nhập kho")

    def save(self, form):
        return services.stock_receive(self.request.user, **form.service_data())

    def success_message_for(self, obj):
        return _("Đã nhập %(quantity)s %(unit)s %(item)s vào %(warehouse)s.") % {
            "quantity": obj.quantity, "unit": _(obj.item.get_unit_display()),
            "item": obj.item.name, "warehouse": obj.warehouse}


class StockTransferView(MovementFormView):
    form_class = StockTransferForm
    title = _("Điều chuyển hàng giữa các kho")

    def save(self, form):
        return services.stock_transfer(self.request.user, **form.service_data())

    def success_message_for(self, movements):
        out = movements[0]
        total = sum(m.quantity for m in movements[::2])
        return _("Đã điều chuyển %(quantity)s %(unit)s %(item)s từ %(source)s đến "
                 "%(destination)s.") % {
            "quantity": total, "unit": _(out.item.get_unit_display()), "item": out.item.name,
            "source": out.warehouse, "destination": out.counterpart}


class StockIssueView(MovementFormView):
    form_class = StockIssueForm
    title = _("Phát hàng cho người nhận")

    def save(self, form):
        return services.stock_issue(self.request.user, **form.service_data())

    def success_message_for(self, movements):
        first = movements[0]
        total = sum(m.quantity for m in movements)
        return _("Đã phát %(quantity)s %(unit)s %(item)s.") % {
            "quantity": total, "unit": _(first.item.get_unit_display()), "item": first.item.name}


class StockWriteOffView(MovementFormView):
    form_class = StockWriteOffForm
    title = _("Xuất hủy hàng")

    def save(self, form):
        return services.stock_write_off(self.request.user, **form.service_data())

    def success_message_for(self, movements):
        first = movements[0]
        total = sum(m.quantity for m in movements)
        return _("Đã xuất hủy %(quantity)s %(unit)s %(item)s.") % {
            "quantity": total, "unit": _(first.item.get_unit_display()), "item": first.item.name}

