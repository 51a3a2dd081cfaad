"""The pages under /distributions/: thin over the services, scoped by area."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from ansinh.distributions.choices import LineStatus, ListStatus
from ansinh.distributions.models import Cycle, Sponsorship
from ansinh.distributions.services import list_submit, recipients_build
from tests.distributions.helpers import gift_cycle

pytestmark = pytest.mark.django_db


def login(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def cycle(officer, campaign, fund, registry):
    return gift_cycle(officer, campaign, fund, criteria={"groups": ["orphan"]})


def detail(cycle):
    return reverse("distributions:cycle_detail", args=[cycle.pk])


def test_fund_staff_open_a_cycle_from_the_list_page(officer, campaign, fund):
    client = login(officer)
    page = client.get(reverse("distributions:cycle_list"))
    assert page.status_code == 200 and "Mở đợt mới" in page.content.decode()
    response = client.post(reverse("distributions:cycle_list"), {
        "name": "Học bổng 2026", "kind": "scholarship", "unit": "person",
        "campaign": campaign.pk, "fund": fund.pk, "cash_per_recipient": 3_000_000,
        "poverty": ["poor", "near_poor"], "age_min": 6, "age_max": 18,
        "starts_on": "2026-01-20"})
    cycle = Cycle.objects.get()
    assert response.status_code == 302 and response["Location"] == detail(cycle)
    assert cycle.criteria == {"poverty": ["poor", "near_poor"], "age_min": 6, "age_max": 18}


def test_a_refused_cycle_is_shown_again_with_the_message(officer, campaign, fund):
    response = login(officer).post(reverse("distributions:cycle_list"), {
        "name": "Rỗng", "kind": "gift", "unit": "person", "campaign": campaign.pk,
        "fund": fund.pk, "cash_per_recipient": 0, "starts_on": "2026-01-20"})
    assert response.status_code == 200
    assert "phải có tiền, hiện vật" in response.content.decode()


def test_build_approve_print_and_hand_out_in_the_browser(officer, manager, cycle, give):
    give(10_000_000)
    client = login(officer)
    client.post(reverse("distributions:cycle_build", args=[cycle.pk]))
    rlist = cycle.lists.get()
    page = client.get(detail(cycle)).content.decode()
    assert "Nguyễn Thị Cúc" in page and "mồ côi" not in page
    client.post(reverse("distributions:list_action", args=[cycle.pk, rlist.pk, "submit"]))
    login(officer).post(reverse("distributions:list_action",
                                args=[cycle.pk, rlist.pk, "approve"]))
    rlist.refresh_from_db()
    assert rlist.status == ListStatus.SUBMITTED  # the maker cannot approve
    login(manager).post(reverse("distributions:list_action",
                                args=[cycle.pk, rlist.pk, "approve"]), {"note": "Đồng ý"})
    rlist.refresh_from_db()
    assert rlist.status == ListStatus.APPROVED
    pdf = client.get(reverse("distributions:signature_list", args=[cycle.pk, rlist.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    line = rlist.lines.get()
    photo = SimpleUploadedFile("nhan.jpg", b"\xff\xd8\xff" + b"0" * 50, "image/jpeg")
    client.post(reverse("distributions:handout", args=[cycle.pk, line.pk]),
                {"proof_kind": "photo", "photo": photo})
    line.refresh_from_db()
    assert line.status == LineStatus.HANDED_OUT and line.proof_file


def test_a_refusal_comes_back_as_a_message(officer, manager, cycle):
    rlist, _ = recipients_build(officer, cycle)
    list_submit(officer, rlist)
    response = login(manager).post(
        reverse("distributions:list_action", args=[cycle.pk, rlist.pk, "approve"]),
        follow=True)
    assert "vượt số dư" in response.content.decode()


def test_add_by_hand_outside_the_criteria_needs_a_reason(officer, cycle, registry):
    client = login(officer)
    url = reverse("distributions:recipient_add", args=[cycle.pk])
    response = client.post(url, {"id_number": registry["rich"].head.id_number}, follow=True)
    assert "không thuộc tiêu chí" in response.content.decode()
    client.post(url, {"id_number": registry["rich"].head.id_number,
                      "exception_reason": "Hộ gặp hỏa hoạn"})
    assert cycle.recipients.count() == 1


def test_staff_of_another_area_get_a_404(staff, cycle):
    assert login(staff["foreign_officer"]).get(detail(cycle)).status_code == 404


@pytest.mark.parametrize("who", ["case_worker", "auditor"])
def test_a_viewer_without_funds_is_refused_every_page(staff, users, geo, officer, campaign,
                                                      who):
    """A commune officer (view on the commune) or a province auditor (view, no funds) sees
    no distribution page, as no fund page: 403, not an empty list."""
    from ansinh.funds.services import fund_create
    small = fund_create(officer, area=geo["commune"], kind="other", name="Quỹ phường",
                        code="BD")
    campaign.funds.add(small)
    cycle = gift_cycle(officer, campaign, small)
    client = login(staff["case_worker"] if who == "case_worker" else users["auditor"])
    for url in (reverse("distributions:cycle_list"), detail(cycle),
                reverse("distributions:sponsorship_list")):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("distributions:cycle_build", args=[cycle.pk])).status_code \
        == 403
    assert client.post(reverse("distributions:handout_list", args=[cycle.pk])).status_code \
        == 403
    assert not cycle.recipients.exists()


def test_sponsorships_are_recorded_and_listed_per_donor(officer, donor, registry, geo):
    client = login(officer)
    response = client.post(reverse("distributions:sponsorship_list"), {
        "donor": donor.pk, "household_code": "BD-001", "commune_code": geo["commune"].code,
        "starts_on": "2026-02-01", "support": "monthly", "amount": 1_000_000})
    assert response.status_code == 302
    assert Sponsorship.objects.get().household == registry["poor"]
    page = client.get(reverse("distributions:sponsorship_list")).content.decode()
    assert "Đang đỡ đầu" in page and "BD-001" in page
