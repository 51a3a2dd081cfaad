from django.db.models import Count, Q
from django.views.generic import TemplateView

from ansinh.access.scoping import restrict, scope_for
from ansinh.registry.choices import DisabilityLevel, Poverty
from ansinh.registry.models import Household, Person
from ansinh.web.mixins import AreaMixin

TOP_COMMUNES = 15


class DashboardView(AreaMixin, TemplateView):
    template_name = "dashboard.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        persons = restrict(Person.objects.all(), user, "view")
        households = restrict(Household.objects.all(), user, "view")
        person_stats = persons.aggregate(
            total=Count("id"),
            deceased=Count("id", filter=Q(deceased_date__isnull=False)),
            disabled=Count("id", filter=~Q(disability_level="")),
            **{
                f"disability_{level}": Count("id", filter=Q(disability_level=level))
                for level in DisabilityLevel.values if level
            },
        )
        household_stats = households.aggregate(
            total=Count("id"),
            poor=Count("id", filter=Q(poverty_status=Poverty.POOR)),
            near_poor=Count("id", filter=Q(poverty_status=Poverty.NEAR_POOR)),
        )
        scope = scope_for(user, "view")
        context = super().get_context_data(
            persons=person_stats, households=household_stats,
            disability_levels=[
                (label, person_stats[f"disability_{value}"])
                for value, label in DisabilityLevel.choices if value
            ],
            **kwargs,
        )
        if scope.national or scope.provinces:
            context["top_communes"] = self.top_communes(persons, households)
        return context

    def top_communes(self, persons, households):
        rows = list(
            persons.values("commune_id", "commune__name", "province__name")
            .annotate(persons=Count("id"))
            .order_by("-persons", "commune__name")[:TOP_COMMUNES]
        )
        ids = [r["commune_id"] for r in rows]
        per_commune = {
            r["commune_id"]: r
            for r in households.filter(commune_id__in=ids).values("commune_id").annotate(
                households=Count("id"),
                poor=Count("id", filter=Q(poverty_status=Poverty.POOR)),
                near_poor=Count("id", filter=Q(poverty_status=Poverty.NEAR_POOR)),
            )
        }
        for row in rows:
            row.update(per_commune.get(row["commune_id"], {"households": 0, "poor": 0,
                                                           "near_poor": 0}))
        return rows
