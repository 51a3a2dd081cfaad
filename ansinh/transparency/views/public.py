"""The public transparency page: no login, no JavaScript, nothing but published snapshots.

Every figure on these pages comes from a snapshot's frozen JSON, so a page costs one or two
indexed reads whatever the size of the ledger."""

from functools import wraps

from django.conf import settings
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_cookie

from ansinh.geo.models import AdminUnit

from .. import selectors
from ..models import Snapshot

PUBLIC_CACHE = {"public": True, "max_age": 60}


def language_link(view):
    """`?lang=en` (or `vi`) on a public page keeps the reader's choice in the language cookie,
    as the switch of the staff pages does, and comes back to the page without it. A link, not
    the staff pages' form: a form would need a CSRF cookie on every public page, and shared
    caches do not keep pages that set cookies."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        language = request.GET.get("lang")
        if language not in dict(settings.LANGUAGES):
            return view(request, *args, **kwargs)
        query = request.GET.copy()
        del query["lang"]
        response = HttpResponseRedirect(request.path + (f"?{query.urlencode()}" if query else ""))
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language,
                            max_age=settings.LANGUAGE_COOKIE_AGE,
                            path=settings.LANGUAGE_COOKIE_PATH,
                            secure=settings.LANGUAGE_COOKIE_SECURE,
                            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                            samesite=settings.LANGUAGE_COOKIE_SAMESITE)
        add_never_cache_headers(response)
        return response

    return wrapper


def _snapshot(pk: int) -> Snapshot:
    snap = Snapshot.objects.select_related("province", "commune").filter(pk=pk).first()
    if snap is None:
        raise Http404("Không có bản công khai này.")
    return snap


def figures_context(figures: dict) -> dict:
    """Derived numbers the template shows beside the frozen figures."""
    target = (figures.get("subject") or {}).get("target")
    received = figures["cash"]["received"]
    percent = min(received * 100 // target, 100) if target else None
    return {"f": figures, "target": target, "percent": percent,
            "has_distributions": bool(figures["distributed"]["rows"])}


@require_GET
@language_link
@cache_control(**PUBLIC_CACHE)
@vary_on_cookie  # the language cookie chooses Vietnamese or English
def index(request):
    province = None
    code = (request.GET.get("tinh") or "").strip()
    if code:
        province = AdminUnit.objects.provinces().filter(code=code).first()
    snapshots = selectors.latest_public(province_id=province.pk if province else None)
    provinces = AdminUnit.objects.provinces().filter(
        pk__in=selectors.public_snapshots().values("province_id")).order_by("name")
    return render(request, "transparency/index.html", {
        "snapshots": snapshots, "province": province, "provinces": provinces})


@require_GET
@language_link
@cache_control(**PUBLIC_CACHE)
@vary_on_cookie
def snapshot_detail(request, pk: int):
    snap = _snapshot(pk)
    if snap.withdrawn:
        return render(request, "transparency/withdrawn.html", {"snapshot": snap}, status=410)
    return render(request, "transparency/snapshot.html", {
        "snapshot": snap, "history": selectors.history(snap),
        "giving": selectors.giving_infos(snap), **figures_context(snap.figures)})


@require_GET
@cache_control(**PUBLIC_CACHE)
def snapshot_json(request, pk: int):
    snap = _snapshot(pk)
    if snap.withdrawn:
        return JsonResponse({"error": {"code": "gone", "message": "Bản công khai đã được thu hồi.",
                                       "fields": {}}}, status=410,
                            json_dumps_params={"ensure_ascii": False})
    return JsonResponse(selectors.public_json(snap), json_dumps_params={"ensure_ascii": False})
