import pytest
from django.urls import reverse

from tests.conftest import PASSWORD

PAGES = ["dashboard", "person_list", "person_create", "household_list", "household_create",
         "audit_list", "person_export", "audit_export"]


def test_login_page_is_vietnamese(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "Đăng nhập" in response.text
    assert "Mật khẩu" in response.text


def test_it_logs_in_and_lands_on_the_dashboard(client, users):
    response = client.post(reverse("login"), {"username": "canbo", "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("dashboard")
    assert client.get(reverse("dashboard")).status_code == 200


def test_wrong_password_shows_the_form_again(client, users):
    response = client.post(reverse("login"), {"username": "canbo", "password": "sai"})
    assert response.status_code == 200
    assert "errorlist" in response.text


def test_it_locks_out_after_five_failures(client, users):
    for _ in range(5):
        client.post(reverse("login"), {"username": "canbo", "password": "sai-mat-khau"})
    # Even the right password is refused while the lock lasts.
    response = client.post(reverse("login"), {"username": "canbo", "password": PASSWORD})
    assert response.status_code == 429
    assert "Tạm khóa đăng nhập" in response.text
    assert "_auth_user_id" not in client.session


def test_logout_is_a_post(client, users):
    client.force_login(users["commune_officer"])
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 302


@pytest.mark.parametrize("name", PAGES)
def test_pages_require_login(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("name", PAGES)
def test_a_user_without_role_gets_403(client, users, name):
    client.force_login(users["no_role"])
    assert client.get(reverse(name)).status_code == 403


def test_403_page_is_vietnamese(client, users):
    client.force_login(users["no_role"])
    assert "Không có quyền" in client.get(reverse("person_list")).text
