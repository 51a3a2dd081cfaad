"""A visitor opens the public transparency page in a real Chromium, without logging in."""

from datetime import timedelta

import pytest

from ansinh.funds.services import pledge_create
from ansinh.transparency.services import giving_info_set, snapshot_publish
from tests.browser import BROWSER
from tests.funds.conftest import DAY

pytestmark = BROWSER


@pytest.fixture
def published(transactional_db, officer, donor, anonymous, fund, campaign, tet, give):
    pledge = pledge_create(officer, donor=donor, pledged_on=DAY, amount=100_000_000,
                           campaign=campaign, fund=fund)
    give(60_000_000, restriction=tet, pledge=pledge)
    give(10_000_000, restriction=tet, from_donor=anonymous, on=DAY + timedelta(days=1))
    giving_info_set(officer, fund, bank_account="0071001234567", bank_name="Vietcombank")
    return snapshot_publish(officer, campaign=campaign)


def test_a_visitor_sees_the_totals_and_the_donor_list_without_logging_in(page, published):
    page.goto("/cong-khai/")
    page.get_by_role("link", name="Xuân yêu thương 2026").click()
    page.wait_for_url(f"**/cong-khai/{published.pk}/")
    assert page.locator("#received").inner_text() == "70.000.000 đ"
    assert page.locator("#pledged").inner_text() == "100.000.000 đ"
    assert page.locator("#outstanding").inner_text() == "40.000.000"
    donors = page.locator("#donors tbody tr")
    assert donors.count() == 2
    assert "Công ty TNHH An Phú" in donors.nth(0).inner_text()
    assert "Nhà hảo tâm ẩn danh" in donors.nth(1).inner_text()
    assert "Kín Đáo" not in page.content()
    assert "0071001234567" in page.locator("#how-to-give").inner_text()
    assert page.get_by_role("link", name="Đăng nhập").count() == 0  # nothing asks to log in
