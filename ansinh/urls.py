from django.urls import include, path

urlpatterns = [
    path("api/v1/", include("ansinh.api.urls")),
    path("import/", include("ansinh.imports.urls")),
    path("payroll/", include("ansinh.payments.urls")),
    path("policy/", include("ansinh.policy.urls")),
    path("funds/statements/", include("ansinh.funds.statement_urls")),
    path("funds/reports/", include("ansinh.funds.reports.urls")),
    path("funds/", include("ansinh.funds.urls")),
    path("distributions/", include("ansinh.distributions.urls")),
    path("cong-khai/", include("ansinh.transparency.urls")),
    path("", include("ansinh.enrolment.urls")),
    path("", include("ansinh.web.urls")),
]
