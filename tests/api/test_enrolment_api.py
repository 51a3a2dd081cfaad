"""/api/v1/applications, /api/v1/decisions and the changes to a beneficiary: the dossier to
the signed, printed decision through the API, scoped by area, with the common error body."""

import io
import json
import random
import zipfile
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from ansinh.audit.models import AuditAction, AuditEvent
from ansinh.core.months import add_months, format_month, month_of
from ansinh.enrolment import services as enrolment
from ansinh.enrolment.models import Application, Decision, Entitlement
from tests.api.test_robustness import junk_body, send
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
THIS_MONTH = month_of(TODAY)
RECEIVED = TODAY - timedelta(days=20)
POSTED = TODAY - timedelta(days=15)  # two working days are long over by today


@pytest.fixture
def elder(person_factory):
    return person_factory(ten="Thụ", ho="Hoàng", birth_date=date(1950, 3, 10), year=1950)


@pytest.fixture
def sibling_officer(geo):
    return make_user("canbo_ngocha", "commune_officer", geo["sibling_commune"])


def application_body(person, **overrides):
    body = {"person_id": person.pk, "benefit": "monthly_allowance", "category": "5.5a",
            "household_poverty": "poor", "received_on": RECEIVED.isoformat(),
            "submitted_via": "in_person", "form_data": {"ly_do": "Không có người phụng dưỡng"}}
    body.update(overrides)
    return body


def drafted(users, person, **terms) -> Decision:
    """A draft grant made through the services: the API tests of signing start here."""
    data = {"benefit": "monthly_allowance", "category": "5.5a", "household_poverty": "poor"}
    data.update(terms)
    app = enrolment.application_receive(users["commune_officer"], person=person,
                                        received_on=RECEIVED, **data)
    enrolment.application_post(users["commune_officer"], app, posted_from=POSTED)
    return enrolment.decision_prepare_grant(users["commune_officer"], app)


def granted(users, person, **terms) -> Decision:
    return enrolment.decision_sign(users["commune_leader"], drafted(users, person, **terms))


# ---- the whole flow --------------------------------------------------------------------------

def test_the_whole_flow_from_dossier_to_printed_decision(api_as, elder):
    officer, leader = api_as("commune_officer"), api_as("commune_leader")

    created = officer.post("/api/v1/applications", application_body(elder))
    assert created.status_code == 201, created.content
    app = created.json()
    assert (app["status"], app["category"], app["person_name"]) == (
        "received", "5.5a", "Hoàng Văn Thụ")
    assert app["review_due"] > RECEIVED.isoformat() and app["decision_ids"] == []
    assert app["form_data"] == {"ly_do": "Không có người phụng dưỡng"}

    scan = SimpleUploadedFile("to-khai.pdf", b"%PDF-1.4 scan", content_type="application/pdf")
    attached = officer.client.post(f"/api/v1/applications/{app['id']}/attachments",
                                   {"files": [scan]}, headers=officer.headers)
    assert attached.status_code == 201, attached.content
    assert [a["title"] for a in attached.json()["attachments"]] == ["to-khai.pdf"]

    posted = officer.post(f"/api/v1/applications/{app['id']}/post",
                          {"posted_from": POSTED.isoformat()})
    assert posted.status_code == 200, posted.content
    assert posted.json()["status"] == "posted"
    assert posted.json()["posted_until"] > POSTED.isoformat()

    # The body is optional: a client may POST nothing at all.
    prepared = officer.client.generic("POST", f"/api/v1/applications/{app['id']}/decision",
                                      b"", headers=officer.headers)
    assert prepared.status_code == 201, prepared.content
    draft = prepared.json()
    assert (draft["status"], draft["number"], draft["kind"]) == ("draft", "", "grant")
    assert draft["prepared_by"] == "canbo" and draft["application_id"] == app["id"]

    waiting = leader.get("/api/v1/decisions", data={"status": "draft"}).json()
    assert [d["id"] for d in waiting["items"]] == [draft["id"]]

    signed = leader.client.generic("POST", f"/api/v1/decisions/{draft['id']}/sign", b"",
                                   headers=leader.headers)
    assert signed.status_code == 200, signed.content
    decision = signed.json()
    assert decision["status"] == "signed"
    assert decision["number"] == "1/QĐ-UBND"
    assert decision["signed_on"] == TODAY.isoformat()
    assert decision["effective_month"] == THIS_MONTH.isoformat()
    # 1.5 × Hà Nội's standard level of 650,000 đ.
    assert (decision["monthly_amount"], decision["coefficient"]) == (975_000, "1.5")

    detail = officer.get(f"/api/v1/applications/{app['id']}").json()
    assert detail["status"] == "approved" and detail["decision_ids"] == [draft["id"]]
    assert [a["title"] for a in detail["attachments"]] == ["to-khai.pdf"]
    enrolled = officer.get(f"/api/v1/beneficiaries/{decision['entitlement_id']}").json()
    assert (enrolled["category"], enrolled["start_month"]) == ("5.5a", THIS_MONTH.isoformat())

    pdf = officer.get(f"/api/v1/decisions/{draft['id']}/document.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert f'quyet-dinh-1-{TODAY.year}.pdf' in pdf["Content-Disposition"]
    docx = officer.get(f"/api/v1/decisions/{draft['id']}/document.docx")
    assert docx.status_code == 200 and docx.content.startswith(b"PK")
    with zipfile.ZipFile(io.BytesIO(docx.content)) as archive:
        text = archive.read("word/document.xml").decode()
    assert "Hoàng Văn Thụ" in text

    # Every write ran as the token's user, from the API.
    events = AuditEvent.objects.filter(object_type="decision", object_id=draft["id"])
    assert {(e.username, e.source) for e in events} >= {("canbo", "api"), ("chutich", "api")}


def test_the_same_application_cannot_be_decided_twice(api_as, users, elder):
    decision = granted(users, elder)
    again = api_as("commune_leader").post(f"/api/v1/decisions/{decision.pk}/sign")
    assert again.status_code == 422
    assert "1/QĐ-UBND" in again.json()["error"]["message"]
    second = api_as("commune_officer").post("/api/v1/applications", application_body(elder))
    assert second.status_code == 422 and "benefit" in second.json()["error"]["fields"]


def test_the_decision_waits_for_the_end_of_the_posting(api_as, elder):
    officer = api_as("commune_officer")
    app = officer.post("/api/v1/applications", application_body(
        elder, received_on=TODAY.isoformat())).json()
    officer.post(f"/api/v1/applications/{app['id']}/post", {})
    early = officer.post(f"/api/v1/applications/{app['id']}/decision")
    assert early.status_code == 422 and "niêm yết" in early.json()["error"]["message"]


def test_a_dossier_is_rejected_with_a_reason_by_an_approver(api_as, elder):
    app = api_as("commune_officer").post("/api/v1/applications",
                                         application_body(elder)).json()
    url = f"/api/v1/applications/{app['id']}/reject"
    assert api_as("commune_officer").post(url, {"reason": "Có lương hưu"}).status_code == 403
    leader = api_as("commune_leader")
    blank = leader.post(url, {"reason": "   "})
    assert blank.status_code == 422 and "reason" in blank.json()["error"]["fields"]
    rejected = leader.post(url, {"reason": "Có lương hưu"})
    assert rejected.status_code == 200, rejected.content
    assert (rejected.json()["status"], rejected.json()["rejection_reason"]) == (
        "rejected", "Có lương hưu")
    assert leader.post(url, {"reason": "Lại"}).status_code == 422


# ---- denials ---------------------------------------------------------------------------------

def test_the_preparer_may_not_sign_his_own_decision(api_as, users, elder, settings):
    settings.ANSINH_DECISION_APPROVERS = {"*": ["commune_leader", "province_admin"]}
    decision = drafted(users, elder)
    decision.prepared_by = users["province_admin"]
    decision.save()
    response = api_as("province_admin").post(f"/api/v1/decisions/{decision.pk}/sign")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert "người lập" in response.json()["error"]["message"]
    # The officer who prepared it is refused too (he may not approve at all).
    assert api_as("commune_officer").post(
        f"/api/v1/decisions/{decision.pk}/sign").status_code == 403
    assert Decision.objects.get(pk=decision.pk).status == Decision.Status.DRAFT


def test_a_user_without_an_approving_role_may_not_sign(api_as, users, elder):
    decision = drafted(users, elder)
    # The province admin may approve, but the configuration gives decisions to the commune
    # leader only.
    response = api_as("province_admin").post(f"/api/v1/decisions/{decision.pk}/sign")
    assert response.status_code == 403 and "Vai trò" in response.json()["error"]["message"]
    assert api_as("auditor").post(f"/api/v1/decisions/{decision.pk}/sign").status_code == 403
    assert Decision.objects.get(pk=decision.pk).status == Decision.Status.DRAFT
    assert Decision.objects.get(pk=decision.pk).number == ""


def test_another_communes_officer_gets_404_everywhere(api_as, users, elder, person_factory,
                                                      sibling_officer):
    decision = granted(users, elder)
    draft = drafted(users, person_factory(
        ten="Nụ", ho="Phan", sex="F", birth_date=date(1948, 8, 1), year=1948))
    app_id = decision.application_id
    other = api_as(sibling_officer)
    for url in (f"/api/v1/applications/{app_id}", f"/api/v1/decisions/{decision.pk}",
                f"/api/v1/decisions/{decision.pk}/document.pdf",
                f"/api/v1/decisions/{decision.pk}/document.docx",
                f"/api/v1/beneficiaries/{decision.entitlement_id}"):
        response = other.get(url)
        assert response.status_code == 404, url
        assert response.json()["error"]["code"] == "not_found"
    for url, body in ((f"/api/v1/applications/{app_id}/post", {}),
                      (f"/api/v1/applications/{app_id}/reject", {"reason": "x"}),
                      (f"/api/v1/applications/{app_id}/decision", {}),
                      (f"/api/v1/decisions/{draft.pk}/sign", {}),
                      (f"/api/v1/beneficiaries/{decision.entitlement_id}/suspend",
                       {"reason": "detention", "from_month": format_month(THIS_MONTH)})):
        assert other.post(url, body).status_code == 404, url
    upload = SimpleUploadedFile("a.pdf", b"%PDF")
    assert other.client.post(f"/api/v1/applications/{app_id}/attachments", {"files": [upload]},
                             headers=other.headers).status_code == 404
    assert other.get("/api/v1/applications").json()["count"] == 0
    assert other.get("/api/v1/decisions").json()["count"] == 0
    # The province officer sees the commune.
    assert api_as("province_officer").get(f"/api/v1/decisions/{decision.pk}").status_code == 200


def test_an_auditor_reads_but_cannot_create(api_as, users, elder):
    auditor = api_as("auditor")
    response = auditor.post("/api/v1/applications", application_body(elder))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert not Application.objects.exists()
    granted(users, elder)
    listed = auditor.get("/api/v1/applications").json()
    assert listed["count"] == 1
    # Without the sensitive right: the public group, no clause, no form, no papers.
    assert listed["items"][0]["category"] is None
    assert "5.5" not in listed["items"][0]["category_label"]
    detail = auditor.get(f"/api/v1/applications/{listed['items'][0]['id']}").json()
    assert detail["form_data"] is None and detail["attachments"] is None
    app_id = detail["id"]
    assert auditor.post(f"/api/v1/applications/{app_id}/reject",
                        {"reason": "x"}).status_code == 403


def test_a_person_outside_the_area_is_a_422_on_person_id(api_as, person_factory, geo):
    neighbour = person_factory(commune=geo["sibling_commune"], birth_date=date(1949, 1, 1))
    response = api_as("commune_officer").post("/api/v1/applications",
                                              application_body(neighbour))
    assert response.status_code == 422
    assert "person_id" in response.json()["error"]["fields"]


# ---- bad input -------------------------------------------------------------------------------

@pytest.mark.parametrize(("overrides", "field"), [
    ({"hiv_status": True}, "hiv_status"),  # unknown fields are refused
    ({"benefit": "pension"}, "benefit"),
    ({"category": "5.6"}, "disability_level"),  # 5.6 needs a disability level
    ({"category": "5.2"}, "category"),  # 16 to 22 years old only
    ({"category": ""}, "category"),
    ({"payment_channel": "bank"}, "account_number"),
    ({"household_poverty": "near_poor"}, "household_poverty"),  # 5.5a is for poor households
    ({"received_on": "2999-01-01"}, "received_on"),
    ({"received_on": "31/02/2026"}, "received_on"),
    ({"person_id": 0}, "person_id"),
    ({"recipient_id": 2**62}, "recipient_id"),
    ({"children_count": -1}, "children_count"),
    ({"form_data": {"a": "x\x00y"}}, "form_data"),
    ({"form_data": [1, 2]}, "form_data"),
])
def test_bad_input_is_a_422_naming_the_field(api_as, elder, overrides, field):
    response = api_as("commune_officer").post("/api/v1/applications",
                                              application_body(elder, **overrides))
    assert response.status_code == 422, response.content
    body = response.json()["error"]
    assert body["code"] == "validation_error"
    assert field in body["fields"], body
    assert not Application.objects.exists()


def test_bad_input_on_the_other_endpoints(api_as, users, elder, person_factory):
    officer = api_as("commune_officer")
    app = officer.post("/api/v1/applications", application_body(elder)).json()
    url = f"/api/v1/applications/{app['id']}"
    future = officer.post(f"{url}/post", {"posted_from": "2999-01-01"})
    assert "posted_from" in future.json()["error"]["fields"]
    before = officer.post(f"{url}/post", {"posted_from": "2001-01-01"})
    assert "posted_from" in before.json()["error"]["fields"]
    assert "x" in officer.post(f"{url}/post", {"x": 1}).json()["error"]["fields"]
    exe = SimpleUploadedFile("virus.exe", b"MZ")
    response = officer.client.post(f"{url}/attachments", {"files": [exe]},
                                   headers=officer.headers)
    assert response.status_code == 422 and "files" in response.json()["error"]["fields"]
    empty = officer.client.post(f"{url}/attachments", {}, headers=officer.headers)
    assert empty.status_code == 422 and "files" in empty.json()["error"]["fields"]
    assert officer.get("/api/v1/applications/abc").status_code == 422
    assert officer.get("/api/v1/applications", data={"status": "lost"}).status_code == 422
    assert officer.get("/api/v1/decisions", data={"commune": "4"}).status_code == 422

    decision = drafted(users, person_factory(
        ten="Nụ", ho="Phan", sex="F", birth_date=date(1948, 8, 1), year=1948))
    leader = api_as("commune_leader")
    sign = f"/api/v1/decisions/{decision.pk}/sign"
    assert "signed_on" in leader.post(sign, {"signed_on": "2999-01-01"}).json()["error"]["fields"]
    assert "signed_on" in leader.post(sign, {"signed_on": "2001-01-01"}).json()["error"]["fields"]
    assert "signed_on" in leader.post(sign, {"signed_on": "soon"}).json()["error"]["fields"]
    assert Decision.objects.get(pk=decision.pk).status == Decision.Status.DRAFT


def test_a_draft_has_no_document(api_as, users, elder):
    decision = drafted(users, elder)
    for fmt in ("pdf", "docx"):
        response = api_as("commune_officer").get(f"/api/v1/decisions/{decision.pk}/document.{fmt}")
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "validation_error"


@pytest.mark.parametrize("seed", range(2))
def test_junk_bodies_never_cause_a_server_error(api_as, users, elder, seed):
    rng = random.Random(seed)
    entitlement = granted(users, elder).entitlement
    officer = api_as("province_officer")
    fields = list(application_body(elder)) + ["recipient_id", "children_count", "studying",
                                              "disability_certified_on", "account_number"]
    beneficiary = f"/api/v1/beneficiaries/{entitlement.pk}"
    endpoints = [
        ("/api/v1/applications", fields),
        (f"{beneficiary}/adjust", ["effective_month", "category", "children_count",
                                   "payment_channel", "account_number", "studying"]),
        (f"{beneficiary}/move", ["to_commune", "stop_month", "number"]),
        (f"{beneficiary}/suspend", ["reason", "from_month", "number"]),
    ]
    for _ in range(30):
        url, names = rng.choice(endpoints)
        body = junk_body(rng, names)
        response = send(officer, "post", url, body)
        assert response.status_code < 500, (url, body, response.content[:500])
        if response.status_code >= 400:
            assert response.json()["error"]["code"]


# ---- sensitive decisions ---------------------------------------------------------------------

def test_an_hiv_decision_document_needs_the_sensitive_action(api_as, users, person_factory):
    adult = person_factory(ten="Khải", ho="Vũ", birth_date=date(1985, 2, 1), year=1985)
    decision = granted(users, adult, category="5.8")
    url = f"/api/v1/decisions/{decision.pk}/document.pdf"
    auditor = api_as("auditor")
    denied = auditor.get(url)
    assert denied.status_code == 403 and denied.json()["error"]["code"] == "forbidden"
    assert auditor.get(f"/api/v1/decisions/{decision.pk}/document.docx").status_code == 403
    assert not AuditEvent.objects.filter(action=AuditAction.READ_SENSITIVE).exists()
    # The auditor still sees that the decision exists, but not its clause.
    seen = auditor.get(f"/api/v1/decisions/{decision.pk}").json()
    assert seen["category"] is None and "HIV" not in json.dumps(seen, ensure_ascii=False)

    officer = api_as("commune_officer")
    assert officer.get(f"/api/v1/decisions/{decision.pk}").json()["category"] == "5.8"
    allowed = officer.get(url)
    assert allowed.status_code == 200 and allowed.content.startswith(b"%PDF")
    read = AuditEvent.objects.get(action=AuditAction.READ_SENSITIVE, object_type="decision")
    assert (read.object_id, read.username, read.source) == (decision.pk, "canbo", "api")


# ---- lists -----------------------------------------------------------------------------------

def test_the_lists_filter(api_as, users, elder, person_factory, geo):
    officer = api_as("commune_officer")
    old = officer.post("/api/v1/applications", application_body(
        elder, received_on=(TODAY - timedelta(days=40)).isoformat())).json()
    other = person_factory(ten="Nụ", ho="Phan", sex="F", birth_date=date(1948, 8, 1), year=1948)
    fresh = officer.post("/api/v1/applications", application_body(
        other, received_on=TODAY.isoformat())).json()
    ids = lambda r: [row["id"] for row in r.json()["items"]]  # noqa: E731
    assert ids(officer.get("/api/v1/applications", data={"overdue": "true"})) == [old["id"]]
    assert old["id"] not in ids(officer.get("/api/v1/applications", data={"overdue": "false"}))
    assert officer.get(f"/api/v1/applications/{old['id']}").json()["overdue"] is True
    assert ids(officer.get("/api/v1/applications", data={"status": "received"})) == [
        old["id"], fresh["id"]]
    assert ids(officer.get("/api/v1/applications", data={"commune": "00008"})) == []
    assert ids(officer.get("/api/v1/applications",
                           data={"benefit": "social_pension"})) == []
    paged = officer.get("/api/v1/applications", data={"limit": 1}).json()
    assert paged["count"] == 2 and "offset=1" in paged["next"]

    decision = granted(users, elder, category="5.5a")
    Application.objects.filter(pk=old["id"]).update(status="rejected")
    assert ids(officer.get("/api/v1/decisions", data={"kind": "grant"})) == [decision.pk]
    assert ids(officer.get("/api/v1/decisions", data={"kind": "suspend"})) == []
    assert ids(officer.get("/api/v1/decisions", data={"status": "signed",
                                                      "commune": "00004"})) == [decision.pk]
    # A rejected dossier is not overdue any more.
    assert old["id"] not in ids(officer.get("/api/v1/applications", data={"overdue": "true"}))


# ---- a running beneficiary -------------------------------------------------------------------

def test_suspend_and_resume_through_the_api(api_as, users, elder):
    entitlement = granted(users, elder).entitlement
    officer = api_as("commune_officer")
    url = f"/api/v1/beneficiaries/{entitlement.pk}"
    later = format_month(add_months(THIS_MONTH, 1))
    suspended = officer.post(f"{url}/suspend", {"reason": "detention", "from_month": later})
    assert suspended.status_code == 200, suspended.content
    assert suspended.json()["status"] == "suspended"
    again = officer.post(f"{url}/suspend", {"reason": "detention", "from_month": later})
    assert again.status_code == 422
    bad = officer.post(f"{url}/resume", {"month": "13/2026"})
    assert bad.status_code == 422 and "month" in bad.json()["error"]["fields"]
    too_early = officer.post(f"{url}/resume", {"month": later})
    assert too_early.status_code == 422
    resumed = officer.post(f"{url}/resume", {"month": format_month(add_months(THIS_MONTH, 3)),
                                             "back_pay": True})
    assert resumed.status_code == 200, resumed.content
    assert resumed.json()["status"] == "active"
    kinds = list(Decision.objects.filter(entitlement=entitlement).values_list("kind", flat=True)
                 .order_by("pk"))
    assert kinds == ["grant", "suspend", "resume"]
    assert api_as("commune_leader").post(
        f"{url}/suspend", {"reason": "detention", "from_month": later}).status_code == 403
    assert officer.post(f"{url}/suspend", {"reason": "bored",
                                           "from_month": later}).status_code == 422


def test_adjust_through_the_api(api_as, users, elder):
    entitlement = granted(users, elder).entitlement
    officer = api_as("commune_officer")
    url = f"/api/v1/beneficiaries/{entitlement.pk}/adjust"
    next_month = format_month(add_months(THIS_MONTH, 1))
    no_account = officer.post(url, {"effective_month": next_month, "payment_channel": "bank"})
    assert no_account.status_code == 422
    assert "account_number" in no_account.json()["error"]["fields"]
    same_month = officer.post(url, {"effective_month": format_month(THIS_MONTH),
                                    "payment_channel": "home"})
    assert same_month.status_code == 422
    nulled = officer.post(url, {"effective_month": next_month, "category": None})
    assert nulled.status_code == 422 and "category" in nulled.json()["error"]["fields"]
    adjusted = officer.post(url, {"effective_month": next_month, "payment_channel": "bank",
                                  "account_number": "0123456789"})
    assert adjusted.status_code == 200, adjusted.content
    new = adjusted.json()
    assert new["id"] != entitlement.pk
    assert (new["payment_channel"], new["category"], new["start_month"]) == (
        "bank", "5.5a", add_months(THIS_MONTH, 1).isoformat())
    entitlement.refresh_from_db()
    assert entitlement.status == Entitlement.Status.ENDED


def test_move_through_the_api(api_as, users, elder, geo):
    entitlement = granted(users, elder).entitlement
    url = f"/api/v1/beneficiaries/{entitlement.pk}/move"
    body = {"to_commune": "00008", "stop_month": format_month(add_months(THIS_MONTH, 1))}
    # The commune officer may not change anything in Ngọc Hà.
    assert api_as("commune_officer").post(url, body).status_code == 403
    province = api_as("province_officer")
    unknown = province.post(url, {**body, "to_commune": "99999"})
    assert unknown.status_code == 422 and "to_commune" in unknown.json()["error"]["fields"]
    same = province.post(url, {**body, "to_commune": "00004"})
    assert same.status_code == 422
    moved = province.post(url, body)
    assert moved.status_code == 200, moved.content
    assert (moved.json()["commune_code"], moved.json()["start_month"]) == (
        "00008", add_months(THIS_MONTH, 2).isoformat())
    # Ba Đình's officer no longer sees the new entitlement.
    assert api_as("commune_officer").get(
        f"/api/v1/beneficiaries/{moved.json()['id']}").status_code == 404


def test_the_openapi_schema_lists_the_new_paths(api_as):
    paths = api_as("commune_officer").get("/api/v1/openapi.json").json()["paths"]
    for path in ("/api/v1/applications", "/api/v1/applications/{application_id}/attachments",
                 "/api/v1/applications/{application_id}/decision",
                 "/api/v1/decisions/{decision_id}/sign",
                 "/api/v1/decisions/{decision_id}/document.pdf",
                 "/api/v1/beneficiaries/{entitlement_id}/move"):
        assert path in paths, path
