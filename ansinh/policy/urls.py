from django.urls import path

from . import views

app_name = "policy"
urlpatterns = [
    path("", views.PolicyView.as_view(), name="index"),
    path("standard-level/", views.StandardLevelAddView.as_view(), name="standard_level_add"),
    path("coefficient/", views.CoefficientAddView.as_view(), name="coefficient_add"),
]
