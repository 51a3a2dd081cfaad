from datetime import date

import pytest

from ansinh.enrolment.models import Entitlement
from ansinh.registry.models import Person
from tests.conftest import new_id


@pytest.fixture
def enrol(geo):
    """An entitlement made directly: the payroll tests are about months and money."""
    def make(category="5.5a", *, born=date(1950, 3, 10), start=date(2026, 1, 1), commune=None,
             benefit="monthly_allowance", person=None, **terms):
        commune = commune or geo["commune"]
        if person is None:
            person = Person(ho="Nguyễn", ten_dem="Văn", ten="An", birth_date=born, sex="M",
                            id_number=new_id("M", born.year), commune=commune,
                            province=commune.province)
            person.refresh_derived()
            person.save()
        return Entitlement.objects.create(
            person=person, recipient=person, benefit=benefit, category=category,
            commune=commune, province=commune.province, start_month=start, **terms)
    return make
