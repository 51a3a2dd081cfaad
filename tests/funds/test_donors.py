import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ansinh.audit.models import AuditEvent
from ansinh.funds.selectors import donor_detail, donor_list, donor_public_name
from ansinh.funds.services import donor_create, donor_update


def test_a_fund_officer_sees_the_donors_bank_details(officer, donor):
    detail = donor_detail(officer, donor)
    assert detail["bank_account"] == "0011002233445"
    assert detail["bank_masked"] is False


def test_a_commune_officer_sees_the_donor_but_not_its_bank_details(users, donor):
    officer = users["commune_officer"]
    assert list(donor_list(officer)) == [donor]
    detail = donor_detail(officer, donor)
    assert detail["bank_masked"] is True
    assert "0011002233" not in detail["bank_account"]
    assert detail["bank_account"].endswith("445")
    assert detail["bank_name"] != "Vietcombank"


def test_a_fund_officer_of_another_province_sees_nothing(fund_users, donor, fund):
    other = fund_users["foreign_officer"]
    assert not donor_list(other).exists()
    assert donor_detail(other, donor)["bank_masked"] is True


def test_a_province_fund_officer_sees_the_communes_donors(fund_users, donor):
    assert list(donor_list(fund_users["province_officer"])) == [donor]


def test_a_commune_officer_cannot_record_a_donor(users, geo):
    with pytest.raises(PermissionDenied):
        donor_create(users["commune_officer"], area=geo["commune"], kind="individual",
                     name="Nguyễn Văn A")


def test_a_fund_officer_cannot_record_a_donor_in_another_province(fund_users, geo):
    with pytest.raises(PermissionDenied):
        donor_create(fund_users["foreign_officer"], area=geo["commune"], kind="individual",
                     name="Nguyễn Văn A")


def test_a_foreign_ngo_needs_its_country(officer, geo):
    with pytest.raises(ValidationError) as err:
        donor_create(officer, area=geo["commune"], kind="foreign_ngo", name="Hope Org",
                     currency="usd")
    assert "Quốc gia" in err.value.message_dict["country"][0]
    ngo = donor_create(officer, area=geo["commune"], kind="foreign_ngo", name="Hope Org",
                       country="us", currency="usd")
    assert (ngo.country, ngo.currency) == ("US", "USD")


def test_bad_kind_and_email_are_refused_naming_the_field(officer, geo):
    with pytest.raises(ValidationError) as err:
        donor_create(officer, area=geo["commune"], kind="alien", name="X")
    assert "Loại nhà tài trợ" in err.value.message_dict["kind"][0]
    with pytest.raises(ValidationError) as err:
        donor_create(officer, area=geo["commune"], kind="individual", name="X", email="khong")
    assert "email" in err.value.message_dict


def test_an_anonymous_donor_is_not_named_in_public_lists(officer, donor):
    assert donor_public_name(donor) == "Công ty TNHH An Phú"
    donor = donor_update(officer, donor, display="anonymous")
    assert donor_public_name(donor) == "Nhà hảo tâm ẩn danh"


def test_bank_details_stay_out_of_the_audit_log(officer, donor):
    donor_update(officer, donor, bank_account="999888777")
    rows = AuditEvent.objects.filter(object_type="donor", object_id=donor.pk)
    assert rows.count() == 2
    text = str(list(rows.values_list("changes", flat=True)))
    assert "0011002233445" not in text and "999888777" not in text


def test_only_bank_holders_change_bank_details(users, donor):
    with pytest.raises(PermissionDenied):
        donor_update(users["commune_officer"], donor, bank_account="1")
