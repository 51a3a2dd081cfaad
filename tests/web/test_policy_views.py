"""The policy page: levels and coefficients in force, their history, and adding a dated value.

The test database holds the shipped parameters (loaded by migration): nationally 500.000 đ
from 01/07/2024, Hà Nội 650.000 đ and Hải Phòng 700.000 đ from 01/01/2026.
"""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from ansinh.audit.models import AuditEvent
from ansinh.core.months import format_month_vn
from ansinh.payments.models import PayrollMonth
from ansinh.policy.models import Coefficient, Origin, StandardLevel

REPRICE = "sẽ được tính lại (truy lĩnh/truy thu) ở lần lập bảng chi trả tiếp theo"


def page(client, **params):
    return client.get(reverse("policy:index"), params)


def add_level(client, follow=True, **fields):
    data = {"amount": "700.000", "effective": "01/03/2026", "province_code": "01",
            "basis": "Nghị quyết 99/2026/NQ-HĐND, Điều 1", "source_url": "", **fields}
    return client.post(reverse("policy:standard_level_add"),
                       {f"level-{k}": v for k, v in data.items()}, follow=follow)


def add_coefficient(client, follow=True, **fields):
    data = {"cell": "monthly_allowance|5.6|severe_adult", "value": "1,6",
            "effective": "01/07/2026", "basis": "Nghị định 999/2026/NĐ-CP, Điều 1",
            "source_url": "", **fields}
    return client.post(reverse("policy:coefficient_add"),
                       {f"coef-{k}": v for k, v in data.items()}, follow=follow)


def test_the_page_shows_hanoi_at_650_000_from_january_2026(login, users):
    response = page(login(users["commune_officer"]), month="01/2026")
    assert response.status_code == 200
    text = response.text
    assert "Mức chuẩn trợ giúp xã hội áp dụng tháng 01/2026" in text
    assert "500.000 đ" in text  # the national level in force
    row = text.split('id="province-levels"')[1].split("</table>")[0]
    # The officer's own province comes first, at its own level with its legal basis.
    first = row.split("<tr")[2]
    assert "Thành phố Hà Nội" in first and "650.000 đ" in first
    assert "Nghị quyết 63/2025/NQ-HĐND" in first and "Mức riêng của tỉnh" in first
    history = text.split('id="level-history"')[1].split("</table>")[0]
    assert "01/01/2026" in history and "650.000 đ" in history and "01/07/2024" in history
    assert "Văn bản pháp luật" in history


def test_before_2026_hanoi_is_at_the_national_level(login, users):
    response = page(login(users["commune_officer"]), month="12/2025", province="01")
    row = response.text.split('id="province-levels"')[1].split("</table>")[0]
    assert "500.000 đ" in row and "650.000 đ" not in row
    assert "Mức trung ương" in row and "Nghị định 76/2024/NĐ-CP" in row


def test_the_month_defaults_to_this_month(login, users):
    response = page(login(users["commune_officer"]))
    assert format_month_vn(timezone.localdate()) in response.text


def test_the_coefficient_tables_are_labelled_in_vietnamese(login, users):
    text = page(login(users["commune_officer"]), month="01/2026", province="01").text
    monthly = text.split('id="coefficients-monthly_allowance"')[1].split("</table>")[0]
    assert "5.5.a Người cao tuổi hộ nghèo không có người phụng dưỡng" in monthly
    # 1,5 × Hà Nội's 650.000 đ
    assert "1,5" in monthly and "975.000 đ" in monthly
    assert "Nghị định 20/2021/NĐ-CP, Điều 6 khoản 1" in monthly
    care = text.split('id="coefficients-care_allowance"')[1].split("</table>")[0]
    assert "Hộ gia đình trực tiếp chăm sóc người khuyết tật đặc biệt nặng (Điều 20.2.c)" in care
    funeral = text.split('id="coefficients-funeral"')[1].split("</table>")[0]
    assert "20,0" in funeral and "13.000.000 đ" in funeral
    pension = text.split('id="coefficients-social_pension"')[1].split("</table>")[0]
    assert "650.000 đ" in pension and "Nghị quyết 63/2025/NQ-HĐND" in pension


def test_the_nav_link_shows_to_viewers_only(login, users, client):
    assert reverse("policy:index") in page(login(users["national_viewer"])).text
    client.logout()
    client.force_login(users["no_role"])
    assert reverse("policy:index") not in client.get(reverse("dashboard")).text
    assert page(client).status_code == 403


def test_anonymous_users_are_sent_to_the_login_page(client, db):
    response = page(client)
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_province_admin_adds_a_level_for_her_province_and_sees_it(login, users, geo):
    admin = users["province_admin"]
    client = login(admin)
    form = page(client).text.split('id="add-level"')[1].split("</details>")[0]
    assert "Thành phố Hà Nội" in form
    assert "Hải Phòng" not in form and "Toàn quốc" not in form
    # Hà Nội approved its March and April payrolls in one commune already.
    for month in (date(2026, 3, 1), date(2026, 4, 1)):
        PayrollMonth.objects.create(month=month, commune=geo["commune"], province=geo["province"],
                                    status=PayrollMonth.Status.APPROVED,
                                    approved_at=timezone.now())

    response = add_level(client)

    assert response.status_code == 200
    row = StandardLevel.objects.get(province_code="01", effective=date(2026, 3, 1))
    assert (row.amount, row.origin, row.created_by) == (700_000, Origin.OFFICER, admin)
    assert AuditEvent.objects.filter(object_type="standardlevel", object_id=row.pk,
                                     username=admin.username).exists()
    text = response.text
    assert "Đã ghi mức chuẩn Thành phố Hà Nội 700.000 đ từ 01/03/2026" in text
    assert f"Bảng chi trả của Thành phố Hà Nội: các tháng từ 03/2026 {REPRICE}" in text
    assert "tháng 03/2026–04/2026 của 1 xã/phường" in text
    levels = text.split('id="province-levels"')[1].split("</table>")[0]
    assert "700.000 đ" in levels and "Nghị quyết 99/2026/NQ-HĐND" in levels
    history = text.split('id="level-history"')[1].split("</table>")[0]
    assert "01/03/2026" in history and admin.username in history
    assert "Cán bộ có thẩm quyền nhập" in history


def test_setting_the_same_value_again_changes_nothing(login, users):
    client = login(users["province_admin"])
    add_level(client)
    response = add_level(client)
    assert "Không có gì thay đổi" in response.text
    assert StandardLevel.objects.filter(province_code="01").count() == 2


def test_a_commune_officer_sees_no_form_and_her_post_is_refused(login, users):
    client = login(users["commune_officer"])
    text = page(client).text
    assert 'id="policy-forms"' not in text and "standard-level" not in text
    before = StandardLevel.objects.count()
    assert add_level(client, follow=False).status_code == 403
    assert add_coefficient(client, follow=False).status_code == 403
    assert StandardLevel.objects.count() == before


def test_a_province_admin_cannot_add_a_level_for_another_province(login, users):
    before = StandardLevel.objects.count()
    response = add_level(login(users["province_admin"]), follow=False, province_code="31",
                         amount="800.000")
    assert response.status_code == 403
    assert StandardLevel.objects.count() == before
    assert not StandardLevel.objects.filter(province_code="31", amount=800_000).exists()


def test_a_province_admin_cannot_set_the_national_level(login, users):
    before = StandardLevel.objects.count()
    response = add_level(login(users["province_admin"]), follow=False,
                         province_code="national")
    assert response.status_code == 403
    assert StandardLevel.objects.count() == before


@pytest.mark.parametrize(("fields", "message"), [
    ({"basis": ""}, "Phải ghi căn cứ pháp lý (số văn bản, điều, khoản)."),
    ({"basis": "   "}, "Phải ghi căn cứ pháp lý (số văn bản, điều, khoản)."),
    ({"amount": "-700000"}, "Mức chuẩn (đồng/tháng): phải là số tiền nguyên dương"),
    ({"amount": "0"}, "Mức chuẩn (đồng/tháng): phải là số tiền nguyên dương"),
    ({"amount": "700000,5"}, "Mức chuẩn (đồng/tháng): phải là số tiền nguyên dương"),
    ({"effective": "31/02/2026"}, "Hiệu lực từ ngày: nhập ngày dạng dd/mm/yyyy"),
    ({"effective": "tháng 3"}, "Hiệu lực từ ngày: nhập ngày dạng dd/mm/yyyy"),
    ({"effective": ""}, "Phải nhập ngày hiệu lực."),
    ({"source_url": "javascript:alert(1)"}, "Nguồn phải là một địa chỉ http(s)"),
    # Below the national level in force: the service's rule (Decree 20/2021, Art. 4.3).
    ({"amount": "400.000"}, "thấp hơn mức chuẩn trung ương đang áp dụng (500.000 đ)"),
])
def test_bad_input_is_shown_on_the_form_and_nothing_is_written(login, users, fields,
                                                               message):
    client = login(users["province_admin"])  # a login is audited too: count after it
    before = (StandardLevel.objects.count(), AuditEvent.objects.count())
    response = add_level(client, **fields)
    assert response.status_code == 200
    form = response.text.split('id="add-level"')[1].split("</details>")[0]
    assert " open" in form.split(">")[0]
    assert message in form
    assert 'class="field has-error"' in form
    assert (StandardLevel.objects.count(), AuditEvent.objects.count()) == before


def test_a_national_user_sets_the_national_level(login, admin):
    response = add_level(login(admin), province_code="national", amount="540.000",
                         effective="01/07/2026")
    row = StandardLevel.objects.get(province_code__isnull=True, effective=date(2026, 7, 1))
    assert row.amount == 540_000
    assert f"Bảng chi trả của mọi tỉnh/thành phố: các tháng từ 07/2026 {REPRICE}" in response.text


def test_coefficients_need_national_scope(login, users, admin):
    client = login(users["province_admin"])
    assert 'id="add-coefficient"' not in page(client).text
    assert add_coefficient(client, follow=False).status_code == 403
    assert not Coefficient.objects.filter(effective=date(2026, 7, 1)).exists()

    client.force_login(admin)
    text = page(client).text
    level_form = text.split('id="add-level"')[1].split("</details>")[0]
    assert '<option value="" selected>— Chọn —</option>' in level_form
    assert "Toàn quốc (mức chuẩn trung ương)" in level_form
    form = text.split('id="add-coefficient"')[1].split("</details>")[0]
    assert "5.6 Người khuyết tật nặng, đặc biệt nặng — Khuyết tật nặng" in form
    response = add_coefficient(client)
    row = Coefficient.objects.get(benefit="monthly_allowance", category="5.6",
                                  band="severe_adult", effective=date(2026, 7, 1))
    assert (row.hundredths, row.created_by) == (160, admin)
    assert "Đã ghi hệ số 1,6 cho 5.6 Người khuyết tật nặng" in response.text
    assert f"các tháng từ 07/2026 {REPRICE}" in response.text


@pytest.mark.parametrize(("fields", "message"), [
    ({"value": "0"}, "Hệ số: phải là số dương"),
    ({"value": "1,555"}, "Hệ số: phải là số dương, tối đa hai chữ số thập phân"),
    ({"cell": "monthly_allowance|5.6|nobody"}, "Không có ô hệ số này."),
    ({"basis": ""}, "Phải ghi căn cứ pháp lý"),
])
def test_a_bad_coefficient_is_refused(login, admin, fields, message):
    before = Coefficient.objects.count()
    response = add_coefficient(login(admin), **fields)
    form = response.text.split('id="add-coefficient"')[1].split("</details>")[0]
    assert message in form
    assert Coefficient.objects.count() == before


def test_the_recorded_level_message_groups_figures_the_english_way(login, users, settings):
    client = login(users["province_admin"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    text = add_level(client).text
    assert "Standard level recorded (Thành phố Hà Nội): 700,000 đ from 01/03/2026" in text
    assert "700.000 đ" not in text.split("Standard level recorded")[1][:60]
