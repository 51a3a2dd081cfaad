"""Beneficiaries, applications and decisions in the browser's terms: pages, forms, denials."""

import io
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from ansinh.audit.models import AuditAction, AuditEvent
from ansinh.core.months import add_months, format_month_vn, month_of
from ansinh.enrolment import services as enrolment
from ansinh.enrolment.models import Application, Attachment, Decision, Entitlement
from ansinh.registry import services as registry_services
from tests.conftest import make_user, new_id

TODAY = timezone.localdate()
THIS_MONTH = month_of(TODAY)


@pytest.fixture
def people(geo, admin):
    """A poor household in Ba Đình with two elderly people, a man living with HIV and a
    child; one elderly woman in the sibling commune Ngọc Hà."""
    household = registry_services.household_create(
        admin, code="BD-900", address="Tổ 5, 8 Phố Văn Cao", commune=geo["commune"],
        poverty_status="poor", poverty_year=2025)

    def person(ho, ten_dem, ten, sex, born, commune=None, **extra):
        commune = commune or geo["commune"]
        return registry_services.person_create(
            admin, ho=ho, ten_dem=ten_dem, ten=ten, sex=sex, birth_date=born,
            id_number=new_id(sex, born.year), commune=commune,
            **({"household": household, "relationship": extra.pop("relationship", "other")}
               if commune == geo["commune"] else {}), **extra)

    return {
        "household": household,
        "elder": person("Hoàng", "Văn", "Thụ", "M", date(1950, 3, 10), relationship="head"),
        "elder2": person("Phan", "Thị", "Nụ", "F", date(1948, 8, 1)),
        "adult": person("Vũ", "Văn", "Khải", "M", date(1985, 2, 1)),
        "child": person("Vũ", "Minh", "Tâm", "M", date(2016, 5, 1)),
        "young": person("Lý", "Văn", "Trẻ", "M", date(1990, 1, 1)),
        "neighbour": person("Đinh", "Thị", "Lan", "F", date(1949, 1, 1),
                            commune=geo["sibling_commune"]),
    }


@pytest.fixture
def sibling_officer(geo):
    return make_user("canbo_ngocha", "commune_officer", geo["sibling_commune"])


def receive(users, person, *, received_on=None, **terms):
    data = {"benefit": "monthly_allowance", "category": "5.5a", "household_poverty": "poor"}
    data.update(terms)
    return enrolment.application_receive(users["commune_officer"], person=person,
                                         received_on=received_on or TODAY - timedelta(days=20),
                                         **data)


def posted(users, person, **terms):
    app = receive(users, person, **terms)
    return enrolment.application_post(users["commune_officer"], app,
                                      posted_from=TODAY - timedelta(days=15))


def drafted(users, person, **terms):
    return enrolment.decision_prepare_grant(users["commune_officer"],
                                            posted(users, person, **terms))


def granted(users, person, **terms) -> Entitlement:
    decision = enrolment.decision_sign(users["commune_leader"], drafted(users, person, **terms))
    return decision.entitlement


def form_data(person, **overrides):
    data = {
        "person": person.pk, "benefit": "monthly_allowance", "category": "5.5a",
        "disability_level": "", "disability_certified_on": "", "children_count": "",
        "household_poverty": "poor", "payment_channel": "cash", "account_number": "",
        "recipient_id_number": "", "received_on": TODAY.strftime("%d/%m/%Y"),
        "submitted_via": "in_person",
    }
    data.update(overrides)
    return data


# ---- navigation ----------------------------------------------------------------------------

def test_the_menu_shows_the_monthly_assistance_pages_to_a_viewer(login, users):
    text = login(users["national_viewer"]).get(reverse("dashboard")).text
    for url in ("/beneficiaries/", "/applications/", "/decisions/", "/payroll/"):
        assert f'href="{url}"' in text


def test_a_user_without_a_role_sees_no_link_and_is_refused(login, users):
    client = login(users["no_role"])
    assert 'href="/beneficiaries/"' not in client.get(reverse("dashboard"), follow=True).text
    for name in ("entitlement_list", "application_list", "decision_list", "posting_list"):
        assert client.get(reverse(f"enrolment:{name}")).status_code == 403


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get(reverse("enrolment:entitlement_list"))
    assert response.status_code == 302 and "/login/" in response["Location"]


# ---- applications --------------------------------------------------------------------------

def test_the_receive_form_finds_registry_people_without_diacritics(login, users, people):
    client = login(users["commune_officer"])
    response = client.get(reverse("enrolment:application_create"), {"q": "hoang thu"})
    assert response.status_code == 200
    assert "Hoàng Văn Thụ" in response.text and 'name="person"' in response.text
    picker = client.get(reverse("enrolment:person_picker"), {"q": people["elder"].id_number})
    assert "Hoàng Văn Thụ" in picker.text and "Phan Thị Nụ" not in picker.text
    # Never a person of another commune.
    assert "Đinh Thị Lan" not in client.get(reverse("enrolment:person_picker"),
                                            {"q": "dinh lan"}).text


def test_an_officer_receives_an_application_with_attachments(login, users, people):
    client = login(users["commune_officer"])
    upload = SimpleUploadedFile("to-khai-1a.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    response = client.post(reverse("enrolment:application_create"),
                           form_data(people["elder"], attachments=[upload]))
    app = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("enrolment:application_detail", args=[app.pk])
    assert (app.person, app.category, app.status) == (people["elder"], "5.5a", "received")
    assert Attachment.objects.get().title == "to-khai-1a.pdf"
    page = client.get(response["Location"]).text
    assert "Hoàng Văn Thụ" in page and app.review_due.strftime("%d/%m/%Y") in page


def test_the_receive_form_shows_the_rules_message_on_the_field(login, users, people):
    client = login(users["commune_officer"])
    response = client.post(reverse("enrolment:application_create"),
                           form_data(people["young"], category="5.5a"))
    assert response.status_code == 200
    assert "5.5a" in str(response.context["form"].errors["category"])
    assert not Application.objects.exists()


def test_the_receive_form_refuses_a_person_of_another_commune(login, users, people):
    response = login(users["commune_officer"]).post(
        reverse("enrolment:application_create"), form_data(people["neighbour"]))
    assert "person" in response.context["form"].errors
    assert not Application.objects.exists()


def test_an_attachment_of_the_wrong_type_is_refused(login, users, people):
    upload = SimpleUploadedFile("virus.exe", b"MZ", content_type="application/octet-stream")
    response = login(users["commune_officer"]).post(
        reverse("enrolment:application_create"), form_data(people["elder"], attachments=[upload]))
    assert "attachments" in response.context["form"].errors


def test_the_list_highlights_late_and_near_deadlines(login, users, people):
    late = receive(users, people["elder"], received_on=TODAY - timedelta(days=40))
    soon = receive(users, people["elder2"], received_on=TODAY)
    Application.objects.filter(pk=soon.pk).update(review_due=TODAY + timedelta(days=1))
    response = login(users["commune_officer"]).get(reverse("enrolment:application_list"))
    rows = {a.pk: a.due for a in response.context["page"].object_list}
    assert rows == {late.pk: "overdue", soon.pk: "soon"}
    assert "due-overdue" in response.text and "Quá hạn" in response.text


def test_posting_then_preparing_a_decision(login, users, people):
    app = receive(users, people["elder"])
    client = login(users["commune_officer"])
    detail = client.get(reverse("enrolment:application_detail", args=[app.pk])).text
    assert 'name="post-posted_from"' in detail and 'name="reject-rejection_reason"' not in detail
    client.post(reverse("enrolment:application_post", args=[app.pk]),
                {"post-posted_from": (TODAY - timedelta(days=10)).strftime("%d/%m/%Y")})
    app.refresh_from_db()
    assert app.status == "posted" and app.posted_until < TODAY
    response = client.post(reverse("enrolment:application_prepare", args=[app.pk]),
                           {"prepare-basis": ""})
    decision = Decision.objects.get()
    assert response["Location"] == reverse("enrolment:decision_detail", args=[decision.pk])
    assert decision.status == "draft" and decision.prepared_by == users["commune_officer"]


def test_a_decision_cannot_be_prepared_during_the_posting(login, users, people):
    app = receive(users, people["elder"])
    enrolment.application_post(users["commune_officer"], app, posted_from=TODAY)
    response = login(users["commune_officer"]).post(
        reverse("enrolment:application_prepare", args=[app.pk]), {"prepare-basis": ""})
    assert response.status_code == 200
    assert "thời gian niêm yết" in response.text
    assert not Decision.objects.exists()


def test_the_leader_rejects_with_a_reason_and_the_officer_cannot(login, users, people):
    app = receive(users, people["elder"])
    url = reverse("enrolment:application_reject", args=[app.pk])
    assert login(users["commune_officer"]).post(
        url, {"reject-rejection_reason": "Không"}).status_code == 403
    client = login(users["commune_leader"])
    response = client.post(url, {"reject-rejection_reason": ""})
    assert response.status_code == 200
    assert "rejection_reason" in response.context["forms"]["reject"].errors
    client.post(url, {"reject-rejection_reason": "Còn người phụng dưỡng."})
    app.refresh_from_db()
    assert app.status == "rejected" and app.rejection_reason == "Còn người phụng dưỡng."


def test_an_auditor_can_read_but_not_post_prepare_or_receive(login, users, people):
    app = receive(users, people["elder"])
    client = login(users["auditor"])
    assert client.get(reverse("enrolment:application_detail", args=[app.pk])).status_code == 200
    assert client.post(reverse("enrolment:application_post", args=[app.pk]),
                       {"post-posted_from": TODAY.strftime("%d/%m/%Y")}).status_code == 403
    assert client.post(reverse("enrolment:application_prepare",
                               args=[app.pk])).status_code == 403
    assert client.get(reverse("enrolment:application_create")).status_code == 403
    assert Application.objects.get().status == "received"


def test_another_communes_officer_gets_404(login, users, people, sibling_officer):
    entitlement = granted(users, people["elder"])
    app = Application.objects.get()
    decision = Decision.objects.get()
    client = login(sibling_officer)
    for url in (reverse("enrolment:application_detail", args=[app.pk]),
                reverse("enrolment:decision_detail", args=[decision.pk]),
                reverse("enrolment:decision_pdf", args=[decision.pk]),
                reverse("enrolment:entitlement_detail", args=[entitlement.pk])):
        assert client.get(url).status_code == 404, url
    response = client.post(reverse("enrolment:entitlement_suspend", args=[entitlement.pk]),
                           {"suspend-reason": "detention",
                            "suspend-from_month": format_month_vn(THIS_MONTH)})
    assert response.status_code == 404
    listing = client.get(reverse("enrolment:entitlement_list"))
    assert "Hoàng Văn Thụ" not in listing.text


def test_attachments_need_the_sensitive_action_and_every_read_is_logged(login, users, people):
    app = receive(users, people["elder"])
    attachment = Attachment.objects.create(
        application=app, title="giay-xac-nhan.pdf",
        file=SimpleUploadedFile("giay-xac-nhan.pdf", b"%PDF-1.4"))
    url = reverse("enrolment:attachment", args=[attachment.pk])
    assert login(users["auditor"]).get(url).status_code == 403
    response = login(users["commune_officer"]).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4"
    assert AuditEvent.objects.filter(action=AuditAction.READ_SENSITIVE,
                                     object_type="application").exists()


# ---- the public posting list ---------------------------------------------------------------

def test_the_posting_list_shows_what_may_be_public_and_hides_hiv(login, users, people, geo):
    posted(users, people["elder"])
    posted(users, people["adult"], category="5.8")
    posted(users, people["child"], category="5.3")
    response = login(users["commune_officer"]).get(reverse("enrolment:posting_list"),
                                                   {"commune": geo["commune"].pk})
    text = response.text
    assert response.status_code == 200
    assert "Hoàng Văn Thụ" in text and "1950" in text and "Tổ 5, 8 Phố Văn Cao" in text
    assert "Vũ Văn Khải" in text and "Vũ Minh Tâm" in text
    assert "HIV" not in text and "5.8" not in text and "5.3" not in text
    labels = {a.person.full_name: a.public_label for a in response.context["rows"]}
    # Each HIV category shares its label with categories that have nothing to do with HIV.
    assert labels["Vũ Văn Khải"] == labels["Hoàng Văn Thụ"]
    assert labels["Vũ Minh Tâm"] == "Trẻ em thuộc diện trợ giúp xã hội"
    assert (TODAY - timedelta(days=15)).strftime("%d/%m/%Y") in text


def test_the_posting_list_of_a_single_commune_officer_needs_no_choice(login, users, people):
    posted(users, people["elder"])
    response = login(users["commune_officer"]).get(reverse("enrolment:posting_list"))
    assert "Hoàng Văn Thụ" in response.text


def test_the_posting_list_never_shows_another_commune(login, users, people, geo,
                                                      sibling_officer):
    posted(users, people["elder"])
    response = login(sibling_officer).get(reverse("enrolment:posting_list"),
                                          {"commune": geo["commune"].pk})
    assert "Hoàng Văn Thụ" not in response.text
    assert response.context["commune"] is None


# ---- decisions -----------------------------------------------------------------------------

def test_the_preparer_sees_the_sign_button_disabled_and_cannot_sign(login, users, people):
    decision = enrolment.decision_prepare_grant(users["province_admin"],
                                                posted(users, people["elder"]))
    client = login(users["province_admin"])
    page = client.get(reverse("enrolment:decision_detail", args=[decision.pk]))
    assert page.context["show_sign"] and "người lập dự thảo" in page.context["sign_refusal"]
    assert "disabled" in page.text
    response = client.post(reverse("enrolment:decision_sign", args=[decision.pk]))
    assert response.status_code == 403
    assert Decision.objects.get().status == "draft"


def test_an_auditor_and_an_officer_cannot_sign(login, users, people):
    decision = drafted(users, people["elder"])
    url = reverse("enrolment:decision_sign", args=[decision.pk])
    assert login(users["auditor"]).post(url).status_code == 403
    assert login(users["commune_officer"]).post(url).status_code == 403
    page = login(users["commune_officer"]).get(
        reverse("enrolment:decision_detail", args=[decision.pk]))
    assert not page.context["show_sign"]
    assert Decision.objects.get().status == "draft"


def test_the_leader_signs_and_the_decision_links_to_the_entitlement(login, users, people):
    decision = drafted(users, people["elder"])
    client = login(users["commune_leader"])
    page = client.get(reverse("enrolment:decision_detail", args=[decision.pk]))
    assert page.context["show_sign"] and page.context["sign_refusal"] == ""
    response = client.post(reverse("enrolment:decision_sign", args=[decision.pk]), follow=True)
    decision.refresh_from_db()
    assert decision.status == "signed" and decision.number == "1/QĐ-UBND"
    assert "Đã ký quyết định số 1/QĐ-UBND" in response.text
    entitlement = Entitlement.objects.get()
    assert reverse("enrolment:entitlement_detail", args=[entitlement.pk]) in response.text
    # Signing twice is refused with a message, not an error page.
    again = client.post(reverse("enrolment:decision_sign", args=[decision.pk]), follow=True)
    assert "đã được ký" in again.text


def test_signed_decisions_download_as_docx_and_pdf(login, users, people):
    granted(users, people["elder"])
    decision = Decision.objects.get()
    client = login(users["commune_officer"])
    docx = client.get(reverse("enrolment:decision_docx", args=[decision.pk]))
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    assert "quyet-dinh-1-" in docx["Content-Disposition"]
    pdf = client.get(reverse("enrolment:decision_pdf", args=[decision.pk]))
    assert pdf.status_code == 200 and pdf.content[:5] == b"%PDF-"
    from pypdf import PdfReader

    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    text = " ".join(text.split())
    # Hà Nội's level (650.000 đ) × 1,5 for a 5.5.a person under 80, in figures and words.
    assert "Số: 01/QĐ-UBND" in text and "Hoàng Văn Thụ" in text
    assert "975.000" in text and "Chín trăm bảy mươi lăm nghìn đồng" in text


def test_a_funeral_decision_prints_the_amount_and_the_organiser(login, users, people):
    entitlement = granted(users, people["elder"])
    enrolment.entitlement_stop(users["commune_officer"], entitlement.person, "death",
                               TODAY - timedelta(days=3))
    people["elder"].refresh_from_db()
    decision = enrolment.funeral_prepare(users["commune_officer"], people["elder"],
                                         people["elder2"])
    enrolment.decision_sign(users["commune_leader"], decision)
    pdf = login(users["commune_officer"]).get(reverse("enrolment:decision_pdf",
                                                      args=[decision.pk]))
    assert pdf.status_code == 200
    from pypdf import PdfReader

    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(
        pdf.content)).pages).split())
    # 20 × Hà Nội's standard level of 650.000 đ, paid to the organiser.
    assert "13.000.000" in text and "Phan Thị Nụ" in text


def test_a_draft_decision_has_no_document(login, users, people):
    decision = drafted(users, people["elder"])
    response = login(users["commune_officer"]).get(
        reverse("enrolment:decision_pdf", args=[decision.pk]))
    assert response.status_code == 404


def test_an_hiv_decision_document_needs_the_sensitive_action(login, users, people):
    granted(users, people["adult"], category="5.8")
    decision = Decision.objects.get()
    assert login(users["auditor"]).get(
        reverse("enrolment:decision_pdf", args=[decision.pk])).status_code == 403
    assert login(users["commune_officer"]).get(
        reverse("enrolment:decision_pdf", args=[decision.pk])).status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.READ_SENSITIVE,
                                     object_type="decision").exists()


def test_the_decision_list_filters_by_status(login, users, people):
    granted(users, people["elder"])
    drafted(users, people["elder2"])
    client = login(users["commune_leader"])
    response = client.get(reverse("enrolment:decision_list"), {"status": "draft"})
    names = [d.person.full_name for d in response.context["page"].object_list]
    assert names == ["Phan Thị Nụ"]
    response = client.get(reverse("enrolment:decision_list"), {"q": "1/QĐ-UBND"})
    assert [d.person.full_name for d in response.context["page"].object_list] == \
        ["Hoàng Văn Thụ"]


# ---- beneficiaries -------------------------------------------------------------------------

def test_the_beneficiary_list_filters_and_searches(login, users, people):
    granted(users, people["elder"])
    granted(users, people["adult"], category="5.8")
    client = login(users["commune_officer"])
    url = reverse("enrolment:entitlement_list")
    names = lambda r: sorted(e.person.full_name for e in r.context["page"].object_list)  # noqa: E731
    assert names(client.get(url)) == ["Hoàng Văn Thụ", "Vũ Văn Khải"]
    assert names(client.get(url, {"category": "5.8"})) == ["Vũ Văn Khải"]
    assert names(client.get(url, {"q": "hoang"})) == ["Hoàng Văn Thụ"]
    assert names(client.get(url, {"q": people["adult"].id_number})) == ["Vũ Văn Khải"]
    assert names(client.get(url, {"status": "suspended"})) == []
    assert names(client.get(url, {"benefit": "monthly_allowance"})) == [
        "Hoàng Văn Thụ", "Vũ Văn Khải"]
    partial = client.get(url, {"q": "vu"}, headers={"HX-Request": "true"})
    assert "<html" not in partial.text and "Vũ Văn Khải" in partial.text


def test_an_officer_sees_the_clause_and_an_auditor_only_the_public_group(login, users,
                                                                         people):
    granted(users, people["adult"], category="5.8")
    url = reverse("enrolment:entitlement_list")
    assert "5.8 Người nhiễm HIV" in login(users["commune_officer"]).get(url).text
    client = login(users["auditor"])
    response = client.get(url)
    assert "HIV" not in response.text and "Vũ Văn Khải" in response.text
    choices = [value for value, _label in response.context["form"].fields["category"].choices]
    assert "5.8" not in choices and "group:poor" in choices
    assert len(client.get(url, {"category": "group:poor"}).context["page"].object_list) == 1
    entitlement = Entitlement.objects.get()
    detail = client.get(reverse("enrolment:entitlement_detail", args=[entitlement.pk]))
    assert "HIV" not in detail.text


def test_the_detail_shows_decisions_pauses_and_actions(login, users, people):
    entitlement = granted(users, people["elder"])
    client = login(users["commune_officer"])
    page = client.get(reverse("enrolment:entitlement_detail", args=[entitlement.pk]))
    assert page.status_code == 200
    assert set(page.context["forms"]) == {"suspend", "stop", "adjust", "move"}
    for field in ("suspend-from_month", "stop-on_date", "adjust-category", "move-to_commune"):
        assert f'name="{field}"' in page.text
    assert "1/QĐ-UBND" in page.text
    viewer = login(users["national_viewer"]).get(
        reverse("enrolment:entitlement_detail", args=[entitlement.pk]))
    assert viewer.context["forms"] == {}


def test_suspend_then_resume_with_back_pay(login, users, people):
    entitlement = granted(users, people["elder"])
    client = login(users["commune_officer"])
    month = add_months(THIS_MONTH, 1)
    client.post(reverse("enrolment:entitlement_suspend", args=[entitlement.pk]),
                {"suspend-reason": "detention", "suspend-from_month": format_month_vn(month)})
    entitlement.refresh_from_db()
    assert entitlement.status == "suspended"
    # Resuming in the month of the suspension is refused with the service's message.
    response = client.post(reverse("enrolment:entitlement_resume", args=[entitlement.pk]),
                           {"resume-month": format_month_vn(month)})
    assert response.status_code == 200 and "phải sau tháng tạm dừng" in response.text
    assert response.context["open_form"] == "resume"
    client.post(reverse("enrolment:entitlement_resume", args=[entitlement.pk]),
                {"resume-month": format_month_vn(add_months(month, 2)), "resume-back_pay": "on"})
    entitlement.refresh_from_db()
    assert entitlement.status == "active"
    page = client.get(reverse("enrolment:entitlement_detail", args=[entitlement.pk]))
    pause = page.context["pauses"][0]
    assert pause.back_pay and pause.to_month == add_months(month, 1)
    assert "Bị tạm giam từ 1 tháng trở lên" in page.text


def test_a_month_typed_wrong_is_a_field_error(login, users, people):
    entitlement = granted(users, people["elder"])
    response = login(users["commune_officer"]).post(
        reverse("enrolment:entitlement_suspend", args=[entitlement.pk]),
        {"suspend-reason": "detention", "suspend-from_month": "13/2026"})
    assert "from_month" in response.context["forms"]["suspend"].errors


def test_stop_with_reason_and_date(login, users, people):
    entitlement = granted(users, people["elder"])
    login(users["commune_officer"]).post(
        reverse("enrolment:entitlement_stop", args=[entitlement.pk]),
        {"stop-reason": "death", "stop-on_date": TODAY.strftime("%d/%m/%Y")})
    entitlement.refresh_from_db()
    assert entitlement.status == "ended" and entitlement.end_month == THIS_MONTH
    assert Decision.objects.filter(kind="terminate", reason="Chết hoặc mất tích").exists()
    people["elder"].refresh_from_db()
    assert people["elder"].deceased_date == TODAY


def test_adjust_opens_a_new_entitlement(login, users, people):
    entitlement = granted(users, people["adult"], category="5.8")
    month = add_months(THIS_MONTH, 1)
    response = login(users["commune_officer"]).post(
        reverse("enrolment:entitlement_adjust", args=[entitlement.pk]), {
            "adjust-effective_month": format_month_vn(month), "adjust-category": "5.4",
            "adjust-children_count": "2", "adjust-disability_level": "",
            "adjust-household_poverty": "poor", "adjust-payment_channel": "cash",
            "adjust-account_number": "", "adjust-reason": "Nuôi con một mình"})
    new = Entitlement.objects.get(previous=entitlement)
    assert response["Location"] == reverse("enrolment:entitlement_detail", args=[new.pk])
    assert (new.category, new.children_count, new.start_month) == ("5.4", 2, month)


def test_adjust_with_bad_terms_shows_the_rule(login, users, people):
    entitlement = granted(users, people["elder"])
    response = login(users["commune_officer"]).post(
        reverse("enrolment:entitlement_adjust", args=[entitlement.pk]), {
            "adjust-effective_month": format_month_vn(add_months(THIS_MONTH, 1)),
            "adjust-category": "5.6", "adjust-disability_level": "",
            "adjust-household_poverty": "poor", "adjust-payment_channel": "cash"})
    assert "disability_level" in response.context["forms"]["adjust"].errors
    assert Entitlement.objects.count() == 1


def test_move_to_another_commune_needs_rights_there(login, users, people, geo):
    entitlement = granted(users, people["elder"])
    client = login(users["commune_officer"])
    response = client.post(reverse("enrolment:entitlement_move", args=[entitlement.pk]), {
        "move-to_commune": geo["sibling_commune"].pk,
        "move-stop_month": format_month_vn(THIS_MONTH)})
    # Not a commune the officer may act in: not even a choice.
    assert "to_commune" in response.context["forms"]["move"].errors
    client = login(users["province_officer"])
    client.post(reverse("enrolment:entitlement_move", args=[entitlement.pk]), {
        "move-to_commune": geo["sibling_commune"].pk,
        "move-stop_month": format_month_vn(THIS_MONTH)})
    new = Entitlement.objects.get(previous=entitlement)
    assert new.commune == geo["sibling_commune"]
    assert new.start_month == add_months(THIS_MONTH, 1)
    move_out = Decision.objects.get(kind="move_out")
    pdf = client.get(reverse("enrolment:decision_pdf", args=[move_out.pk]))
    assert pdf.status_code == 200


def test_an_auditor_cannot_change_a_beneficiary(login, users, people):
    entitlement = granted(users, people["elder"])
    client = login(users["auditor"])
    response = client.post(reverse("enrolment:entitlement_stop", args=[entitlement.pk]),
                           {"stop-reason": "death", "stop-on_date": TODAY.strftime("%d/%m/%Y")})
    assert response.status_code == 403
    assert Entitlement.objects.get().status == "active"


def test_an_action_that_does_not_fit_the_status_is_refused(login, users, people):
    entitlement = granted(users, people["elder"])
    response = login(users["commune_officer"]).post(
        reverse("enrolment:entitlement_resume", args=[entitlement.pk]),
        {"resume-month": format_month_vn(THIS_MONTH)}, follow=True)
    assert "không áp dụng" in response.text
