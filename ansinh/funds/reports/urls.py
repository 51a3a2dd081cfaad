from django.urls import path

from . import views

app_name = "fund_reports"
urlpatterns = [
    path("", views.ReportIndexView.as_view(), name="report_index"),
    path("<str:kind>/", views.ReportDownloadView.as_view(), name="download"),
]
