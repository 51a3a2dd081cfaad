from django.urls import path

from . import views

app_name = "imports"
urlpatterns = [
    path("", views.start, name="start"),
    path("<int:pk>/mapping/", views.mapping, name="mapping"),
    path("<int:pk>/", views.preview, name="preview"),
    path("<int:pk>/progress/", views.progress, name="progress"),
    path("<int:pk>/apply/", views.apply, name="apply"),
    path("<int:pk>/result/", views.result, name="result"),
    path("<int:pk>/rejects.xlsx", views.rejects, name="rejects"),
]
