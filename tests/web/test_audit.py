import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from ansinh.audit.models import AppendOnlyError, AuditAction, AuditEvent
from ansinh.registry import services


def test_the_audit_log_is_visible_to_an_auditor(login, users, registry):
    response = login(users["auditor"]).get(reverse("audit_list"))
    assert response.status_code == 200
    assert "Nguyễn Văn Dũng" in response.text
    assert "Lê Thị Bình" not in response.text  # Hải Phòng is outside Hà Nội


def test_the_audit_log_is_refused_to_a_commune_officer(login, users, registry):
    client = login(users["commune_officer"])
    assert client.get(reverse("audit_list")).status_code == 403
    assert client.get(reverse("audit_export")).status_code == 403


def test_the_audit_log_is_visible_to_a_province_admin(login, users, registry):
    assert login(users["province_admin"]).get(reverse("audit_list")).status_code == 200


def test_the_audit_log_filters(login, users, registry):
    client = login(users["province_admin"])
    client.post(reverse("person_reveal", args=[registry["child"].pk]))
    response = client.get(reverse("audit_list"), {"action": AuditAction.READ_SENSITIVE})
    events = [e for e, _changes in response.context["page"].object_list]
    assert [e.action for e in events] == ["read_sensitive"]
    response = client.get(reverse("audit_list"), {"username": "quantri", "object_type": "person"})
    assert len(response.context["page"].object_list) == 1
    response = client.get(reverse("audit_list"), {"date_from": "01/01/2000", "date_to": "01/01/2001"})
    assert response.context["page"].object_list == []


def test_the_audit_log_masks_sensitive_values_for_an_auditor(login, users, registry, admin):
    services.person_update(admin, registry["child"], disability_notes="Bí mật")
    response = login(users["auditor"]).get(reverse("audit_list"))
    assert "Bí mật" not in response.text
    assert "Cần người hỗ trợ" not in response.text


def test_the_audit_export_is_scoped_masked_and_audited(login, users, registry, admin):
    services.person_update(admin, registry["child"], disability_notes="Bí mật")
    response = login(users["auditor"]).get(reverse("audit_export"))
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content), read_only=True)
    text = repr([list(r) for r in wb.active.iter_rows(values_only=True)])
    assert "Nguyễn Văn Dũng" in text
    assert "Lê Thị Bình" not in text
    assert "Bí mật" not in text
    assert AuditEvent.objects.filter(action="export", object_type="audit_log").exists()


def test_audit_rows_cannot_be_changed(registry):
    event = AuditEvent.objects.first()
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
