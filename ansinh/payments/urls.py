from django.urls import path

from . import views

app_name = "payments"
urlpatterns = [
    path("", views.PayrollMonthView.as_view(), name="payroll_month"),
    path("run/", views.PayrollRunView.as_view(), name="payroll_run"),
    path("run/<int:pk>/", views.PayrollRunStatusView.as_view(), name="payroll_run_status"),
    path("approve/", views.PayrollApproveView.as_view(), name="payroll_approve"),
    path("export.csv", views.PayrollExportView.as_view(), name="payroll_export"),
    path("provider/<str:channel>.csv", views.ProviderFileView.as_view(), name="provider_file"),
    path("<int:pk>/danh-sach-chi-tra.pdf", views.PaymentListView.as_view(), {"fmt": "pdf"},
         name="payment_list_pdf"),
    path("<int:pk>/danh-sach-chi-tra.xlsx", views.PaymentListView.as_view(), {"fmt": "xlsx"},
         name="payment_list_xlsx"),
]
