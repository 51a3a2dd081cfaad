"""Playwright on Debian's Chromium against the live server, shared by every browser test.

A browser test module sets `pytestmark = BROWSER` and uses the `page` fixture; `log_in` and
`log_out` drive the login form as an officer would.
"""

import os
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.conftest import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
BROWSER = [
    pytest.mark.browser,
    # Live-server tests flush the tables; bring the administrative units back afterwards.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium không có ở /usr/bin/chromium"),
]


@pytest.fixture(scope="module")
def allow_orm_beside_playwright():
    """Playwright's sync API runs an event loop in this thread, so Django would refuse the ORM.

    Set only while a browser module runs: set at import time it would leak into every other
    test (and into `check --deploy` run as a subprocess, which warns about it)."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="module")
def browser(allow_orm_beside_playwright, django_db_setup):
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright chưa cài")
    from django.db import connections

    # Playwright runs the test in a greenlet with its own context variables, where Django hands
    # out a fresh connection object; give it the serialized test data so that live-server
    # tests (which flush the tables) restore the administrative units loaded by migrations.
    serialized = getattr(connections["default"], "_test_serialized_contents", None)
    with sync_api.sync_playwright() as p:
        if serialized is not None:
            connections["default"]._test_serialized_contents = serialized
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    # Debian's Chromium does not always honour Playwright's `locale`; say it in the header.
    context = browser.new_context(locale="vi-VN", base_url=live_server.url,
                                  extra_http_headers={"Accept-Language": "vi-VN,vi;q=0.9"})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def log_in(page, username, password=PASSWORD):
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: urlparse(url).path == "/")


def log_out(page):
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url("**/login/**")
