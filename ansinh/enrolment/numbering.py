"""Decision numbers: one sequence per commune and year, taken under a row lock so two
officers signing at the same moment never get the same number."""

from django.db import IntegrityError, transaction

from .models import DecisionCounter

SUFFIX = "QĐ-UBND"


def next_number(commune, year: int) -> tuple[int, str]:
    with transaction.atomic():
        try:
            with transaction.atomic():
                DecisionCounter.objects.get_or_create(commune=commune, year=year)
        except IntegrityError:
            pass  # created by a concurrent signer a moment ago
        counter = DecisionCounter.objects.select_for_update().get(commune=commune, year=year)
        counter.last += 1
        counter.save(update_fields=["last"])
    return counter.last, f"{counter.last}/{SUFFIX}"
