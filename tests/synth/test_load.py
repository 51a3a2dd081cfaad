"""`ansinh synth` into the database (SQLite and PostgreSQL) and into import files."""

import csv
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count

from ansinh.audit.models import AuditEvent
from ansinh.core.identity import check_id_number
from ansinh.imports.columns import detect_header
from ansinh.registry.models import Household, Person
from ansinh.synth.load import FILE_HEADERS, SynthError, synth_to_database, synth_to_file

pytestmark = pytest.mark.django_db


def load(**kw):
    kw = {"province": "22", "persons": 400, "communes": 2, "seed": 3, **kw}
    return synth_to_database(**kw)


def snapshot():
    return list(Person.objects.order_by("id").values_list(
        "full_name", "id_number", "birth_date", "sex", "relationship", "household__code"))


def test_it_writes_the_persons_and_households_asked_for():
    result = load()
    assert result.persons == 400 == Person.objects.count()
    assert result.households == Household.objects.count()
    assert Person.objects.values("commune").distinct().count() == 2
    assert AuditEvent.objects.filter(object_type="synth").count() == 1


def test_derived_columns_are_what_refresh_derived_computes():
    load()
    for person in Person.objects.all():
        stored = (person.full_name, person.search_name, person.sort_key, person.province_id)
        person.province_id = None
        person.refresh_derived()
        person.province_id = person.province_id or person.commune.province_id
        assert stored == (person.full_name, person.search_name, person.sort_key,
                          person.province_id)
        assert person.commune_id == person.household.commune_id
        assert person.created_at is not None and person.updated_at is not None


def test_ids_pass_the_check_with_the_persons_sex_and_birth_year():
    load()
    for person in Person.objects.exclude(id_number=None):
        check_id_number(person.id_number, sex=person.sex, birth_year=person.birth_date.year)


def test_each_household_has_one_head_and_points_to_it():
    load()
    heads = Person.objects.filter(relationship="head")
    assert heads.count() == Household.objects.count()
    assert not Household.objects.filter(head=None).exists()
    for household in Household.objects.select_related("head"):
        assert household.head.household_id == household.id
        assert household.head.relationship == "head"


def test_a_seed_gives_the_same_data():
    load(seed=9)
    first = snapshot()
    Household.objects.update(head=None)
    Person.objects.all().delete()
    Household.objects.all().delete()
    load(seed=9)
    assert snapshot() == first


def test_a_second_run_adds_without_collisions():
    load()
    load()  # same seed, same communes: IDs and household codes must still not collide
    assert Person.objects.count() == 800
    ids = list(Person.objects.exclude(id_number=None).values_list("id_number", flat=True))
    assert len(ids) == len(set(ids))
    dupes = Household.objects.values("commune", "code").annotate(n=Count("id")).filter(n__gt=1)
    assert not dupes.exists()
    # Django can still insert after the bulk load (sequences were moved on).
    household = Household.objects.first()
    Household.objects.create(code="X-1", commune=household.commune,
                             province=household.province)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL bulk path")
def test_the_bulk_path_restores_every_index_and_constraint():
    def schema():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE tablename IN "
                "('registry_person', 'registry_household') ORDER BY 1")
            indexes = cursor.fetchall()
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid IN "
                "('registry_person'::regclass, 'registry_household'::regclass) ORDER BY 1")
            return indexes, cursor.fetchall()

    before = schema()
    load(rebuild_indexes=True)
    assert schema() == before
    with connection.cursor() as cursor:
        cursor.execute("SELECT column_default FROM information_schema.columns "
                       "WHERE table_name = 'registry_person' AND column_name = 'created_at'")
        assert cursor.fetchone()[0] is None
    assert Person.objects.count() == 400
    load(rebuild_indexes=True)
    assert Person.objects.count() == 800


def test_an_unknown_province_is_refused():
    with pytest.raises(SynthError):
        load(province="99")


def test_the_csv_has_title_rows_and_the_import_headers(tmp_path):
    path = tmp_path / "xa.csv"
    result = synth_to_file(path, province="22", persons=250, communes=1, seed=1)
    assert result.persons == 250
    rows = list(csv.reader(io.StringIO(path.read_text("utf-8-sig"))))
    assert rows[0][0].startswith("UBND")
    header_at, mapping = detect_header(rows)
    assert rows[header_at] == FILE_HEADERS
    assert set(mapping.values()) >= {"full_name", "birth_date", "id_number", "household_code"}
    data = rows[header_at + 1:]
    assert len(data) == 250
    assert [r[0] for r in data[:3]] == ["1", "2", "3"]
    assert all(len(r[9]) == 5 for r in data)  # Xã/Phường as the 5-digit code
    births = {r[3] for r in data}
    assert any(len(b) == 10 and b[2] == "/" for b in births)
    assert Person.objects.count() == 0  # a file run leaves the database alone


def test_the_xlsx_can_be_read_back(tmp_path):
    from python_calamine import CalamineWorkbook

    path = tmp_path / "xa.xlsx"
    call_command("synth", "--persons", "120", "--communes", "1", "--out", str(path),
                 stdout=io.StringIO())
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    header_at, _ = detect_header(rows)
    assert rows[header_at] == FILE_HEADERS
    assert len(rows) - header_at - 1 == 120


def test_the_command_writes_to_the_database_and_reports():
    out = io.StringIO()
    call_command("synth", "--persons", "150", "--communes", "1", "--seed", "4", stdout=out)
    assert Person.objects.count() == 150
    assert "150 người" in out.getvalue()
