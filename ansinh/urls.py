from django.urls import include, path

urlpatterns = [
    path("api/v1/", include("ansinh.api.urls")),
    path("import/", include("ansinh.imports.urls")),
    path("payroll/", include("ansinh.payments.urls")),
    path("policy/", include("ansinh.policy.urls")),
    path("", include("ansinh.enrolment.urls")),
    path("", include("ansinh.web.urls")),
]
