from django.urls import path

from .views import public, staff

app_name = "transparency"
urlpatterns = [
    path("", public.index, name="index"),
    path("<int:pk>/", public.snapshot_detail, name="snapshot"),
    path("<int:pk>.json", public.snapshot_json, name="snapshot_json"),
    path("quan-ly/", staff.ManageView.as_view(), name="manage"),
    path("quan-ly/xem-truoc/<str:kind>/<int:pk>/", staff.PreviewView.as_view(), name="preview"),
    path("quan-ly/ban/<int:pk>/", staff.SnapshotView.as_view(), name="manage_snapshot"),
    path("quan-ly/ban/<int:pk>/thu-hoi/", staff.WithdrawView.as_view(), name="withdraw"),
    path("quan-ly/quy/<int:pk>/huong-dan/", staff.GivingView.as_view(), name="giving"),
]
