"""Donor names are folded into `name_folded` by the services and searched in SQL."""

import importlib

import pytest
from django.apps import apps
from django.db import connection

from ansinh.funds import selectors
from ansinh.funds.models import Donor
from ansinh.funds.services import donor_create, donor_update
from ansinh.funds.views.reads import donor_search

pytestmark = pytest.mark.django_db


@pytest.fixture
def donors(geo, officer, donor):
    dang = donor_create(officer, area=geo["commune"], kind="individual",
                        name="Đặng Thị Hồng Nhung", phone="0987000111")
    other = donor_create(officer, area=geo["commune"], kind="business",
                         name="Công ty Cổ phần Phú Mỹ")
    return {"an_phu": donor, "dang": dang, "other": other}


def _names(qs):
    return sorted(d.name for d in qs)


def test_the_services_store_the_folded_name(donors):
    assert Donor.objects.get(pk=donors["an_phu"].pk).name_folded == "cong ty tnhh an phu"
    assert Donor.objects.get(pk=donors["dang"].pk).name_folded == "dang thi hong nhung"


def test_an_update_of_the_name_refolds_it(officer, donors):
    donor_update(officer, donors["dang"], name="  Đỗ Văn Đức ")
    row = Donor.objects.get(pk=donors["dang"].pk)
    assert (row.name, row.name_folded) == ("Đỗ Văn Đức", "do van duc")


def test_cong_ty_an_phu_finds_the_company_with_diacritics(officer, donors):
    found = donor_search(selectors.donor_list(officer), "cong ty an phu")
    assert _names(found) == ["Công ty TNHH An Phú"]


def test_dang_finds_dang_written_with_d_stroke(officer, donors):
    assert _names(donor_search(selectors.donor_list(officer), "dang")) == [
        "Đặng Thị Hồng Nhung"]
    assert _names(donor_search(selectors.donor_list(officer), "ĐẶNG")) == [
        "Đặng Thị Hồng Nhung"]


def test_words_match_in_any_order_and_all_must_match(officer, donors):
    qs = selectors.donor_list(officer)
    assert _names(donor_search(qs, "phu cong ty")) == ["Công ty Cổ phần Phú Mỹ",
                                                       "Công ty TNHH An Phú"]
    assert _names(donor_search(qs, "phu nhung")) == []


def test_a_phone_number_still_finds_its_donor(officer, donors):
    assert _names(donor_search(selectors.donor_list(officer), "0987000111")) == [
        "Đặng Thị Hồng Nhung"]


def test_a_query_of_only_punctuation_matches_nothing_by_name(officer, donors):
    assert _names(donor_search(selectors.donor_list(officer), "%%")) == []


def test_the_search_does_not_reach_another_province(geo, fund_users, donors):
    foreign = fund_users["foreign_officer"]
    assert _names(donor_search(selectors.donor_list(foreign), "cong ty an phu")) == []


def test_the_search_runs_in_sql_on_the_folded_column(officer, donors):
    sql = str(donor_search(selectors.donor_list(officer), "an phu").query)
    assert "name_folded" in sql


def test_the_migration_fills_the_folded_names_of_existing_donors(donors):
    Donor.objects.update(name_folded="")
    migration = importlib.import_module(
        "ansinh.funds.migrations.0004_donor_names_reports_pledge_cancel")
    migration.fill_folded_names(apps, connection.schema_editor())
    assert dict(Donor.objects.values_list("name", "name_folded")) == {
        "Công ty TNHH An Phú": "cong ty tnhh an phu",
        "Đặng Thị Hồng Nhung": "dang thi hong nhung",
        "Công ty Cổ phần Phú Mỹ": "cong ty co phan phu my"}


@pytest.mark.postgres
def test_postgres_has_a_trigram_index_on_the_folded_name():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = "
                       "'donor_name_folded_trgm'")
        row = cursor.fetchone()
    assert row and "gin_trgm_ops" in row[0]
