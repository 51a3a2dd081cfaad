"""Reports sent to donors: generated, stored as sent, listed, downloaded with an audit row."""

import hashlib
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from ansinh.audit.models import AuditAction, AuditEvent
from ansinh.funds.donor_reports import (
    donor_report_list,
    donor_report_open,
    donor_report_record,
)
from ansinh.funds.models import DonorReport
from ansinh.funds.services import campaign_create

from .conftest import DAY

pytestmark = pytest.mark.django_db
SENT = date(2026, 7, 1)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_the_donor_report_is_generated_stored_and_recorded(officer, donor, give):
    give(3_000_000)
    row = donor_report_record(officer, donor, sent_on=SENT, channel="email",
                              period_start=date(2026, 1, 1), period_end=date(2026, 6, 30),
                              fmt="pdf", note="Gửi kế toán")
    content = row.file.open("rb").read()
    assert content.startswith(b"%PDF")
    assert row.file_sha256 == hashlib.sha256(content).hexdigest()
    assert row.file_size == len(content) and row.sent_by == officer
    assert (row.commune_id, row.province_id) == (donor.commune_id, donor.province_id)
    assert AuditEvent.objects.filter(action=AuditAction.CREATE,
                                     object_type__endswith="donorreport").exists()


def test_an_xlsx_donor_report_is_a_workbook(officer, donor):
    row = donor_report_record(officer, donor, sent_on=SENT, channel="post", fmt="xlsx")
    assert row.file.open("rb").read()[:2] == b"PK" and row.file_name.endswith(".xlsx")
    assert row.period_end == SENT


def test_a_thank_you_letter_is_kept_from_the_uploaded_file(officer, donor):
    letter = SimpleUploadedFile("thu-cam-on.pdf", b"%PDF-1.4 letter")
    row = donor_report_record(officer, donor, kind="thanks", sent_on=SENT,
                              channel="in_person", upload=letter)
    assert row.file.open("rb").read() == b"%PDF-1.4 letter"


@pytest.mark.parametrize("kwargs, field", [
    ({"channel": "fax"}, "channel"),
    ({"kind": "poem"}, "kind"),
    ({"sent_on": date(2099, 1, 1)}, "sent_on"),
    ({"period_end": date(2026, 8, 1)}, "period_end"),
    ({"period_start": date(2026, 7, 2), "period_end": SENT}, "period_start"),
    ({"fmt": "docx"}, "format"),
    ({"kind": "campaign"}, "campaign"),
    ({"kind": "thanks"}, "file"),
    ({"kind": "thanks", "upload": SimpleUploadedFile("a.exe", b"MZ")}, "file"),
    ({"upload": SimpleUploadedFile("a.pdf", b"%PDF")}, "file"),
])
def test_it_refuses_bad_input_naming_the_field(officer, donor, kwargs, field):
    values = {"sent_on": SENT, "channel": "email", **kwargs}
    with pytest.raises(ValidationError) as err:
        donor_report_record(officer, donor, **values)
    assert field in err.value.message_dict
    assert not DonorReport.objects.exists()


def test_a_campaign_report_needs_the_campaign_in_the_users_area(geo, officer, fund_users,
                                                                donor):
    theirs = campaign_create(fund_users["foreign_officer"], area=geo["other_province"],
                             name="Khác", starts_on=DAY)
    with pytest.raises(PermissionDenied):
        donor_report_record(officer, donor, kind="campaign", campaign=theirs, sent_on=SENT,
                            channel="email", upload=SimpleUploadedFile("c.pdf", b"%PDF"))


def test_users_of_another_province_may_not_record_nor_see(fund_users, officer, donor):
    with pytest.raises(PermissionDenied):
        donor_report_record(fund_users["foreign_officer"], donor, sent_on=SENT,
                            channel="email")
    donor_report_record(officer, donor, sent_on=SENT, channel="email")
    assert donor_report_list(fund_users["foreign_officer"], donor).count() == 0
    assert donor_report_list(officer, donor).count() == 1


def test_the_download_is_audited_and_needs_funds(users, officer, donor):
    row = donor_report_record(officer, donor, sent_on=SENT, channel="email")
    stored = donor_report_open(officer, row)
    assert stored.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT,
                                     object_type__endswith="donorreport").count() == 1
    with pytest.raises(PermissionDenied):
        donor_report_open(users["commune_officer"], row)
