"""The monthly allowance end to end in a real Chromium: an officer receives, posts and drafts;
the commune leader signs; the officer runs the month's payroll and the leader approves it."""

import importlib.util
from datetime import date, timedelta

import pytest
from django.utils import timezone

from ansinh.registry import services
from tests.browser import BROWSER, log_in, log_out
from tests.conftest import new_id

pytestmark = BROWSER


@pytest.fixture
def elder(transactional_db, users, geo):
    admin = users["province_admin"]
    household = services.household_create(admin, code="BD-321", address="Tổ 3, Phố Kim Mã",
                                          commune=geo["commune"], poverty_status="poor",
                                          poverty_year=2025)
    return services.person_create(admin, ho="Trịnh", ten_dem="Thị", ten="Mận", sex="F",
                                  birth_date=date(1951, 6, 2), id_number=new_id("F", 1951),
                                  household=household, relationship="head",
                                  commune=geo["commune"])


def dmy(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def test_an_application_becomes_a_signed_decision_and_a_paid_month(page, elder, users):
    today = timezone.localdate()

    # The commune officer receives the application of a person already in the registry.
    log_in(page, "canbo")
    page.click("nav >> text=Hồ sơ")
    page.wait_for_url("**/applications/")
    page.get_by_role("link", name="Tiếp nhận hồ sơ").click()
    page.fill("#person-q", "trinh man")  # live search, without diacritics
    page.locator(f"#person-{elder.pk}").check()
    page.select_option("#id_category", "5.5a")
    page.select_option("#id_household_poverty", "poor")
    page.fill("#id_received_on", dmy(today - timedelta(days=14)))
    page.get_by_role("button", name="Tiếp nhận").click()
    page.wait_for_url("**/applications/*/")
    assert page.get_by_text("Đã tiếp nhận hồ sơ của Trịnh Thị Mận").is_visible()

    # Posted publicly from a date far enough back that the two working days are over.
    page.fill("#id_post-posted_from", dmy(today - timedelta(days=10)))
    page.get_by_role("button", name="Niêm yết", exact=True).click()
    page.wait_for_selector("text=đã hết thời gian niêm yết")

    page.get_by_role("button", name="Lập dự thảo quyết định").click()
    page.wait_for_url("**/decisions/*/")
    assert page.get_by_text("Dự thảo chờ lãnh đạo ký.").is_visible()
    assert page.locator("#sign-form").count() == 0  # the preparer is offered no signature
    decision_url = page.url
    log_out(page)

    # The commune leader signs.
    log_in(page, "chutich")
    page.click("nav >> text=Quyết định")
    page.wait_for_url("**/decisions/")
    page.locator("#decision-table").get_by_role("link", name="Dự thảo").click()
    assert page.url == decision_url
    page.get_by_role("button", name="Ký quyết định").click()
    page.wait_for_selector("text=Đã ký quyết định số 1/QĐ-UBND")
    page.click("#entitlement-link")
    page.wait_for_url("**/beneficiaries/*/")
    assert page.locator("h1").inner_text().startswith("Trịnh Thị Mận")
    assert page.locator("#entitlement-decisions").get_by_text("1/QĐ-UBND").is_visible()
    log_out(page)

    if importlib.util.find_spec("ansinh.policy.engine") is None:
        pytest.skip("ansinh.policy.engine chưa có: phần chi trả chưa chạy được")

    # The officer runs this month's payroll; the leader approves it.
    log_in(page, "canbo")
    page.click("nav >> text=Chi trả")
    page.wait_for_url("**/payroll/")
    page.click("#run-payroll")
    page.wait_for_selector("text=Đã lập bảng chi trả tháng")
    log_out(page)

    log_in(page, "chutich")
    page.click("nav >> text=Chi trả")
    page.click("#approve-payroll")
    page.wait_for_selector("text=Đã phê duyệt bảng chi trả tháng")

    from ansinh.payments.models import LedgerLine

    line = LedgerLine.objects.get(person=elder)
    assert line.amount > 0
    row = page.locator("#payroll-lines tr", has_text="Trịnh Thị Mận")
    assert f"{line.amount:,}".replace(",", ".") in row.inner_text()
    assert page.locator("#payroll-communes").get_by_text("Đã phê duyệt").is_visible()
