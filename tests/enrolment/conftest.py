from datetime import date

import pytest

from ansinh.registry.services import person_create
from tests.conftest import new_id


@pytest.fixture
def make_person(geo, users):
    def make(ten="An", *, born=date(1950, 3, 10), sex="M", commune=None, **extra):
        return person_create(users["commune_officer"] if commune is None else
                             users["province_admin"],
                             ho="Nguyễn", ten_dem="Văn", ten=ten, birth_date=born, sex=sex,
                             id_number=new_id(sex, born.year), commune=commune or geo["commune"],
                             **extra)
    return make
