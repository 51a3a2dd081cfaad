from django.urls import path  # noqa: F401

app_name = "fund_statements"
urlpatterns: list = []
