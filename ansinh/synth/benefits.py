"""Demo beneficiaries: people of the synthetic communes already receiving assistance, as a
commune would have them after migrating its legacy list, and one approved payroll month."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from ansinh.core.months import add_months, month_of
from ansinh.enrolment.models import Decision, Entitlement
from ansinh.enrolment.terms import age_in_month
from ansinh.registry.models import Person

MIGRATED_FROM = date(2025, 7, 1)


def _terms(person: Person, poverty: str) -> tuple[str, str, str] | None:
    """(benefit, category, disability level) a person plausibly receives, or None."""
    if not person.birth_date:
        return None
    age = age_in_month(person.birth_date, person.birth_date_precision, MIGRATED_FROM)
    if person.disability_level in ("severe", "extremely_severe"):
        return "monthly_allowance", "5.6", person.disability_level
    if age >= 75:
        return "social_pension", "75+", ""
    if 60 <= age and poverty == "poor":
        return "monthly_allowance", "5.5a", ""
    return None


@transaction.atomic
def enrol_demo(commune_ids: list[int]) -> int:
    """Enrol the eligible persons of the communes (idempotent: skipped when any exist)."""
    if Entitlement.objects.filter(commune_id__in=commune_ids).exists():
        return 0
    persons = Person.objects.filter(commune_id__in=commune_ids, deceased_date__isnull=True) \
        .select_related("household")
    entitlements, numbers = [], {}
    for person in persons.iterator(chunk_size=2000):
        poverty = person.household.poverty_status if person.household else ""
        terms = _terms(person, poverty)
        if terms is None:
            continue
        benefit, category, level = terms
        numbers[person.commune_id] = numbers.get(person.commune_id, 0) + 1
        entitlements.append(Entitlement(
            person=person, recipient=person, benefit=benefit, category=category,
            disability_level=level, household_poverty=poverty, commune_id=person.commune_id,
            province_id=person.province_id, start_month=MIGRATED_FROM,
            payment_channel="bank" if person.pk % 5 == 0 else "cash",
            account_number=f"1903{person.pk:08d}" if person.pk % 5 == 0 else ""))
    Entitlement.objects.bulk_create(entitlements, batch_size=2000)
    Decision.objects.bulk_create([
        Decision(kind="grant", status="signed", number=f"{i + 1}/QĐ-UBND",
                 signed_on=date(2025, 6, 28), year=2025, person_id=e.person_id, entitlement=e,
                 commune_id=e.commune_id, province_id=e.province_id, benefit=e.benefit,
                 category=e.category, effective_month=MIGRATED_FROM, migrated=True,
                 reason="Chuyển từ danh sách đang hưởng")
        for i, e in enumerate(Entitlement.objects.filter(commune_id__in=commune_ids))
    ], batch_size=2000)
    return len(entitlements)


def approve_last_month(preparer, approver) -> date | None:
    """Prepare and approve last month's payroll, so the demo has a paid month to show."""
    from ansinh.payments.models import PayrollMonth
    from ansinh.payments.services import payroll_approve, payroll_run

    if PayrollMonth.objects.exists():
        return None
    month = add_months(month_of(timezone.localdate()), -1)
    payroll_run(preparer, month)
    payroll_approve(approver, month)
    return month
