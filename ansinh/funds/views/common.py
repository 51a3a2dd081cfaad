"""The access pattern and the form plumbing every page of the fund section shares.

Every page asks for the `funds` right somewhere (a commune officer without it gets 403).
Records are looked up among what the user may *view* (another province's record is a 404),
and writes are checked by the services for `funds` or `fund_approve` on the record's area
(a 403 when missing). A service's ValidationError comes back on the form's fields.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView

from ansinh.access.scoping import restrict
from ansinh.web.mixins import AreaMixin


class FundsMixin(AreaMixin):
    action = "funds"


def visible(qs, user, pk):
    """The record `pk` among those the user may view, else 404 (its existence stays hidden)."""
    return get_object_or_404(restrict(qs, user, "view"), pk=pk)


def apply_errors(form, exc: ValidationError) -> None:
    if hasattr(form, "apply_errors"):
        form.apply_errors(exc)
    elif hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class ServiceFormView(FundsMixin, FormView):
    """A form whose valid data goes to one service call. Subclasses give `save(form)`, which
    returns the object written, and `success_message` / `success_url_for(obj)`."""

    success_message = _("Đã lưu.")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        try:
            obj = self.save(form)
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message_for(obj))
        return HttpResponseRedirect(self.success_url_for(obj))

    def success_message_for(self, obj) -> str:
        return self.success_message

    def save(self, form):
        raise NotImplementedError

    def success_url_for(self, obj) -> str:
        raise NotImplementedError
