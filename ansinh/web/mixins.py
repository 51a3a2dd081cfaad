"""The one access pattern of every page: logged in, holds `action` somewhere, and sees only
the rows of its areas. Objects outside the user's view scope are 404 (their existence is not
revealed); objects the user may view but not act on are 403."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from ansinh.access.scoping import can, require, restrict


class AreaMixin(LoginRequiredMixin):
    """Login required, and the user must hold a role granting `action` on some area."""

    action = "view"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not can(request.user, self.action):
            raise PermissionDenied(_("Bạn không có vai trò được phép thực hiện thao tác này."))
        self.prepare(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    def prepare(self, request, *args, **kwargs):
        """Load what the page acts on, once the user is known to hold the action."""


class ScopedQuerysetMixin(AreaMixin):
    """`get_queryset` restricted to the user's areas for viewing.

    Objects are looked up among what the user may *view* (so a record of another area is a 404)
    and then checked for `action` (so a viewer opening an edit page gets a 403).
    """

    model = None

    def base_queryset(self):
        return self.model.objects.all()

    def get_queryset(self):
        return restrict(self.base_queryset(), self.request.user, "view")

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        if self.action != "view":
            require(self.request.user, self.action, obj)
        return obj
