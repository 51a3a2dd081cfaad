from django.urls import reverse


def test_the_ui_is_vietnamese_by_default(login, users):
    response = login(users["commune_officer"]).get(reverse("dashboard"))
    assert "Hộ gia đình" in response.text
    assert 'lang="vi"' in response.text


def test_the_english_switch_changes_visible_labels(login, users):
    client = login(users["commune_officer"])
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    response = client.get(reverse("dashboard"))
    assert 'lang="en"' in response.text
    assert "Households" in response.text
    assert "Tiếng Việt" in response.text  # the switch back
    client.post(reverse("set_language"), {"language": "vi", "next": "/"})
    assert "Hộ gia đình" in client.get(reverse("dashboard")).text


def test_numbers_use_the_vietnamese_thousand_separator(login, users):
    from django.utils import translation

    from ansinh.web.templatetags.ansinh import num

    with translation.override("vi"):
        assert num(1250000) == "1.250.000"
    with translation.override("en"):
        assert num(1250000) == "1,250,000"
