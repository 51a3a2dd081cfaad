from django.views import View

from ansinh.web.mixins import AreaMixin
from ansinh.web.paginator import paginate
from ansinh.web.presenters import ChangePresenter
from ansinh.web.views.exports import audit_events
from ansinh.web.views.persons import HtmxListMixin


class AuditListView(AreaMixin, HtmxListMixin, View):
    """Read-only: the log has no edit or delete page, and the model refuses both."""

    action = "audit"
    template_name = "audit/audit_list.html"
    partial_template_name = "audit/_audit_table.html"

    def get(self, request):
        form, qs = audit_events(request)
        page = paginate(qs, request.GET.get("page"))
        page.object_list = ChangePresenter(page.object_list, request.user).rows()
        return self.render_list({"form": form, "page": page})
