import csv
import io

from django.urls import reverse
from openpyxl import load_workbook

from ansinh.audit.models import AuditAction, AuditEvent
from ansinh.registry import services


def sheet_rows(response):
    wb = load_workbook(io.BytesIO(response.content), read_only=True)
    return [list(r) for r in wb.active.iter_rows(values_only=True)]


def test_export_contains_only_scoped_rows(login, users, registry):
    response = login(users["commune_officer"]).get(reverse("person_export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = sheet_rows(response)
    names = [r[0] for r in rows[1:]]
    assert sorted(names) == ["Nguyễn Văn Dũng", "Đặng Thị Hoa"]
    assert rows[0][0] == "Họ và tên"


def test_export_follows_the_filters(login, users, registry):
    response = login(users["province_officer"]).get(reverse("person_export"), {"q": "hoa"})
    assert [r[0] for r in sheet_rows(response)[1:]] == ["Đặng Thị Hoa"]


def test_export_never_contains_sensitive_fields(login, users, registry):
    response = login(users["commune_officer"]).get(reverse("person_export"), {"format": "csv"})
    text = response.content.decode("utf-8-sig")
    assert "Cần người hỗ trợ" not in text
    assert "Khuyết tật trí tuệ" not in text
    assert "HIV" not in text
    assert "Nặng" in text  # the level is exported


def test_export_neutralises_formulas_in_names(login, users, geo, admin):
    services.person_create(admin, ho="=HYPERLINK(\"http://evil\")", ten="Hack", sex="M",
                           commune=geo["commune"])
    client = login(users["commune_officer"])
    rows = sheet_rows(client.get(reverse("person_export")))
    cell = rows[1][0]
    assert not cell.startswith("=")
    assert cell.startswith("'=")
    response = client.get(reverse("person_export"), {"format": "csv"})
    parsed = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert parsed[1][0].startswith("'=")


def test_export_is_audited(login, users, registry, geo):
    login(users["commune_officer"]).get(
        reverse("person_export"), {"commune": geo["commune"].pk, "format": "csv"}
    )
    event = AuditEvent.objects.get(action=AuditAction.EXPORT, object_type="person_list")
    assert event.changes["rows"] == 2
    assert event.changes["filters"]["commune_id"] == geo["commune"].pk
    assert event.commune_id == geo["commune"].pk
    assert event.province_id == geo["province"].pk
    assert event.username == "canbo"


def test_export_requires_the_export_action(login, users, registry):
    assert login(users["national_viewer"]).get(reverse("person_export")).status_code == 403
    assert login(users["auditor"]).get(reverse("person_export")).status_code == 200
