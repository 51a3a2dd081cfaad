from django.urls import path

from . import views

app_name = "distributions"
urlpatterns = [
    path("", views.CycleListView.as_view(), name="cycle_list"),
    path("cycles/<int:pk>/", views.CycleDetailView.as_view(), name="cycle_detail"),
    path("cycles/<int:pk>/build/", views.CycleBuildView.as_view(), name="cycle_build"),
    path("cycles/<int:pk>/recipients/", views.RecipientAddView.as_view(),
         name="recipient_add"),
    path("cycles/<int:pk>/recipients/<int:line_pk>/hand-out/", views.HandoutView.as_view(),
         name="handout"),
    path("cycles/<int:pk>/hand-out/", views.HandoutListView.as_view(), name="handout_list"),
    path("cycles/<int:pk>/recipients/<int:line_pk>/cancel/",
         views.RecipientCancelView.as_view(), name="recipient_cancel"),
    path("cycles/<int:pk>/lists/<int:list_pk>/<str:verb>/", views.ListActionView.as_view(),
         name="list_action"),
    path("cycles/<int:pk>/lists/<int:list_pk>/danh-sach-ky-nhan.pdf",
         views.SignatureListView.as_view(), name="signature_list"),
    path("sponsorships/", views.SponsorshipListView.as_view(), name="sponsorship_list"),
]
