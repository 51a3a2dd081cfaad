from django.urls import include, path

from ansinh.web.views import audit, auth, dashboard, exports, households, persons

urlpatterns = [
    path("", dashboard.DashboardView.as_view(), name="dashboard"),
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("persons/", persons.PersonListView.as_view(), name="person_list"),
    path("persons/new/", persons.PersonCreateView.as_view(), name="person_create"),
    path("persons/export/", exports.PersonExportView.as_view(), name="person_export"),
    path("persons/<int:pk>/", persons.PersonDetailView.as_view(), name="person_detail"),
    path("persons/<int:pk>/edit/", persons.PersonEditView.as_view(), name="person_edit"),
    path("persons/<int:pk>/reveal/", persons.PersonRevealView.as_view(), name="person_reveal"),
    path("households/", households.HouseholdListView.as_view(), name="household_list"),
    path("households/new/", households.HouseholdCreateView.as_view(), name="household_create"),
    path("households/<int:pk>/", households.HouseholdDetailView.as_view(),
         name="household_detail"),
    path("households/<int:pk>/edit/", households.HouseholdEditView.as_view(),
         name="household_edit"),
    path("audit/", audit.AuditListView.as_view(), name="audit_list"),
    path("audit/export/", exports.AuditExportView.as_view(), name="audit_export"),
]
