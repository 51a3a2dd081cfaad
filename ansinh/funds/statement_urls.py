from django.urls import path

from .views import statements as views

app_name = "fund_statements"
urlpatterns = [
    path("", views.statement_list_view, name="statement_list"),
    path("accounts/", views.account_create, name="account_create"),
    path("<int:pk>/", views.statement_detail, name="statement_detail"),
    path("<int:pk>/lines/<int:line_id>/", views.line_assign, name="line_assign"),
    path("<int:pk>/apply/", views.statement_apply_view, name="statement_apply"),
    path("receipts/<int:pk>.pdf", views.receipt_pdf, name="receipt_pdf"),
]
