"""The public page (no login) and the staff pages that publish, check and withdraw."""

from datetime import timedelta

import pytest
from django.urls import reverse

from ansinh.funds.services import allocation_approve, allocation_prepare, pledge_create
from ansinh.transparency.models import Snapshot
from ansinh.transparency.services import giving_info_set, snapshot_publish, snapshot_withdraw
from tests.conftest import make_user
from tests.funds.conftest import DAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(officer, manager, donor, anonymous, fund, campaign, tet, give):
    pledge = pledge_create(officer, donor=donor, pledged_on=DAY, amount=100_000_000,
                           campaign=campaign, fund=fund)
    give(60_000_000, restriction=tet, pledge=pledge)
    give(10_000_000, restriction=tet, from_donor=anonymous)
    spending = allocation_prepare(officer, fund=fund, amount=20_000_000, restriction=tet,
                                  campaign=campaign, purpose="Mua quà Tết",
                                  allocated_on=DAY + timedelta(days=5))
    allocation_approve(manager, spending)
    giving_info_set(officer, fund, bank_account="0071001234567", bank_name="Vietcombank",
                    account_holder="Quỹ An sinh xã hội phường Ba Đình",
                    text="Ghi nội dung: XUAN2026 – tên người gửi")
    return snapshot_publish(officer, campaign=campaign)


def test_the_public_index_lists_published_snapshots_without_login(client, published):
    response = client.get(reverse("transparency:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Xuân yêu thương 2026" in html
    assert "70.000.000" in html
    assert response["Cache-Control"].startswith("public")


def test_the_public_snapshot_shows_totals_donors_and_how_to_give(client, published,
                                                                 django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        response = client.get(reverse("transparency:snapshot", args=[published.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("70.000.000 đ", "100.000.000 đ", "40.000.000", "20.000.000 đ",
                 "Công ty TNHH An Phú", "Nhà hảo tâm ẩn danh", "0071001234567",
                 "XUAN2026", "(14%)"):
        assert text in html, text
    assert "Kín Đáo" not in html
    assert "<script" not in html


def test_later_receipts_do_not_change_the_published_page(client, published, tet, give):
    give(5_000_000, restriction=tet, on=DAY + timedelta(days=9))
    html = client.get(reverse("transparency:snapshot", args=[published.pk])).content.decode()
    assert "70.000.000 đ" in html and "75.000.000" not in html


def test_the_public_json_holds_the_frozen_figures_and_marks(client, published):
    data = client.get(reverse("transparency:snapshot_json", args=[published.pk])).json()
    assert data["figures"]["cash"]["received"] == 70_000_000
    assert data["marks"]["receipt_line"] == published.marks["receipt_line"]


def test_a_withdrawn_snapshot_is_gone_from_the_public_page(client, manager, published):
    snapshot_withdraw(manager, published, reason="Sai kỳ số liệu")
    response = client.get(reverse("transparency:snapshot", args=[published.pk]))
    assert response.status_code == 410
    assert "Sai kỳ số liệu" in response.content.decode()
    assert "70.000.000" not in response.content.decode()
    assert client.get(reverse("transparency:snapshot_json", args=[published.pk])).status_code == 410
    assert "Xuân yêu thương" not in client.get(reverse("transparency:index")).content.decode()
    assert client.get(reverse("transparency:snapshot", args=[99999])).status_code == 404


def test_staff_pages_need_login_and_the_funds_right(client, geo, published):
    manage = reverse("transparency:manage")
    assert client.get(manage).status_code == 302
    client.force_login(make_user("canboxa", "commune_officer", geo["commune"]))
    assert client.get(manage).status_code == 403


def test_an_officer_previews_and_publishes_a_campaign(client, officer, campaign, published,
                                                      tet, give):
    give(5_000_000, restriction=tet, on=DAY + timedelta(days=9))
    client.force_login(officer)
    assert client.get(reverse("transparency:manage")).status_code == 200
    url = reverse("transparency:preview", args=["chien-dich", campaign.pk])
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "XEM TRƯỚC" in html and "75.000.000 đ" in html
    assert Snapshot.objects.count() == 1  # a preview writes nothing
    response = client.post(url, {"period_start": "01/01/2026", "period_end": "28/02/2026",
                                 "title": ""})
    assert response.status_code == 302
    snap = Snapshot.objects.exclude(pk=published.pk).get()
    assert snap.figures["cash"]["received"] == 75_000_000
    page = client.get(reverse("transparency:manage_snapshot", args=[snap.pk]))
    assert "Khớp sổ sách" in page.content.decode()
    assert "Thu hồi bản công khai" not in page.content.decode()  # officers cannot withdraw


def test_the_preview_refuses_a_future_period(client, officer, campaign):
    client.force_login(officer)
    url = reverse("transparency:preview", args=["chien-dich", campaign.pk])
    response = client.post(url, {"period_start": "01/01/2026", "period_end": "31/12/2099"})
    assert response.status_code == 400
    assert "không được sau ngày hôm nay" in response.content.decode()
    assert not Snapshot.objects.exists()


def test_staff_of_another_province_get_404_and_viewers_403(client, geo, fund_users, campaign):
    client.force_login(fund_users["foreign_officer"])
    url = reverse("transparency:preview", args=["chien-dich", campaign.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {}).status_code == 404
    viewer = make_user("xem", "national_viewer", None)  # sees the campaign, holds no `funds`
    client.force_login(viewer)
    assert client.get(url).status_code == 403


def test_only_a_manager_withdraws_and_must_give_a_reason(client, officer, manager, published):
    url = reverse("transparency:withdraw", args=[published.pk])
    client.force_login(officer)
    assert client.post(url, {"reason": "Sai"}).status_code == 403
    client.force_login(manager)
    assert client.post(url, {"reason": ""}).status_code == 400
    assert client.post(url, {"reason": "Sai kỳ"}).status_code == 302
    published.refresh_from_db()
    assert published.withdrawn and published.withdrawn_reason == "Sai kỳ"


def test_the_giving_text_is_set_by_the_fund(client, officer, fund, fund_users):
    client.force_login(fund_users["foreign_officer"])
    assert client.get(reverse("transparency:giving", args=[fund.pk])).status_code == 404
    client.force_login(officer)
    url = reverse("transparency:giving", args=[fund.pk])
    bad = client.post(url, {"bank_account": "12AB", "bank_name": "BIDV"})
    assert bad.status_code == 400 and "chỉ gồm chữ số" in bad.content.decode()
    ok = client.post(url, {"bank_account": "1234567890", "bank_name": "BIDV",
                           "address": "Số 1 Đội Cấn", "text": "Nhận quà tại trụ sở"})
    assert ok.status_code == 302
    assert fund.giving_info.address == "Số 1 Đội Cấn"
