from datetime import date

from django.urls import reverse

from ansinh.audit.models import AuditAction, AuditEvent
from ansinh.registry import services
from ansinh.registry.models import Person


def person_form_data(geo, **overrides):
    data = {
        "ho": "Phạm", "ten_dem": "Thu", "ten": "Hà", "birth": "05/03/1985", "sex": "F",
        "ethnicity": "01", "id_number": "", "phone": "", "commune": geo["commune"].pk,
        "household_code": "", "relationship": "", "disability_level": "",
        "disability_type": "", "disability_notes": "", "hiv_status": "unknown",
        "deceased_date": "",
    }
    data.update(overrides)
    return data


def test_the_list_shows_only_in_area_people(login, users, registry):
    response = login(users["commune_officer"]).get(reverse("person_list"))
    assert response.status_code == 200
    assert "Nguyễn Văn Dũng" in response.text
    assert "Đặng Thị Hoa" in response.text
    assert "Trần Minh Anh" not in response.text
    assert "Lê Thị Bình" not in response.text


def test_the_list_sorts_by_given_name(login, users, registry):
    response = login(users["province_officer"]).get(reverse("person_list"))
    names = [p.full_name for p in response.context["page"].object_list]
    assert names == ["Trần Minh Anh", "Nguyễn Văn Dũng", "Đặng Thị Hoa"]


def test_search_without_diacritics(login, users, registry):
    client = login(users["commune_officer"])
    response = client.get(reverse("person_list"), {"q": "dang hoa"})
    assert "Đặng Thị Hoa" in response.text
    assert "Nguyễn Văn Dũng" not in response.text
    response = client.get(reverse("person_list"), {"q": "nguyen dung"})
    assert "Nguyễn Văn Dũng" in response.text


def test_search_by_id_birth_and_household(login, users, registry):
    client = login(users["commune_officer"])
    head = registry["head"]
    assert "Nguyễn Văn Dũng" in client.get(reverse("person_list"), {"q": head.id_number}).text
    response = client.get(reverse("person_list"), {"birth": "06/2005"})
    assert "Đặng Thị Hoa" in response.text and "Nguyễn Văn Dũng" not in response.text
    response = client.get(reverse("person_list"), {"birth": "1975"})
    assert "Nguyễn Văn Dũng" in response.text and "Đặng Thị Hoa" not in response.text
    response = client.get(reverse("person_list"), {"household": "BD-001"})
    assert "Nguyễn Văn Dũng" in response.text and "Đặng Thị Hoa" in response.text


def test_search_never_leaves_the_area(login, users, registry):
    response = login(users["commune_officer"]).get(reverse("person_list"), {"q": "binh"})
    assert "Lê Thị Bình" not in response.text


def test_filters_by_sex_and_status(login, users, registry, admin):
    services.person_update(admin, registry["head"], deceased_date=date(2025, 1, 2))
    client = login(users["commune_officer"])
    response = client.get(reverse("person_list"), {"status": "deceased"})
    assert "Nguyễn Văn Dũng" in response.text and "Đặng Thị Hoa" not in response.text
    response = client.get(reverse("person_list"), {"sex": "F"})
    assert "Đặng Thị Hoa" in response.text and "Nguyễn Văn Dũng" not in response.text


def test_live_search_returns_only_the_table(login, users, registry):
    response = login(users["commune_officer"]).get(
        reverse("person_list"), {"q": "hoa"}, HTTP_HX_REQUEST="true"
    )
    assert "Đặng Thị Hoa" in response.text
    assert "<html" not in response.text
    assert 'id="person-table"' in response.text


def test_pagination_has_fifty_rows_and_a_next_page(login, users, geo, admin):
    for i in range(55):
        services.person_create(admin, ten=f"Người{i:02d}", sex="M", commune=geo["commune"])
    client = login(users["commune_officer"])
    page = client.get(reverse("person_list")).context["page"]
    assert len(page.object_list) == 50 and page.has_next and page.total == 55
    page2 = client.get(reverse("person_list"), {"page": 2}).context["page"]
    assert len(page2.object_list) == 5 and not page2.has_next


def test_the_paginator_caps_its_count(db, geo, admin):
    from ansinh.web.paginator import paginate

    for i in range(7):
        services.person_create(admin, ten=f"A{i}", sex="M", commune=geo["commune"])
    page = paginate(Person.objects.order_by("pk"), 2, per_page=2, count_cap=5)
    assert page.total is None and page.has_next
    assert paginate(Person.objects.order_by("pk"), 1, per_page=10).total == 7


def test_sensitive_fields_are_masked_by_default(login, users, registry):
    response = login(users["commune_officer"]).get(
        reverse("person_detail", args=[registry["child"].pk])
    )
    assert "Khuyết tật trí tuệ" not in response.text
    assert "Cần người hỗ trợ" not in response.text
    assert "••••••" in response.text
    assert "Hiện thông tin nhạy cảm" in response.text
    assert "Nặng" in response.text  # the level is not sensitive


def test_reveal_shows_the_fields_and_is_audited(login, users, registry):
    child = registry["child"]
    client = login(users["commune_officer"])
    response = client.post(reverse("person_reveal", args=[child.pk]))
    assert response.status_code == 200
    assert "Khuyết tật trí tuệ" in response.text
    assert "Cần người hỗ trợ" in response.text
    event = AuditEvent.objects.get(action=AuditAction.READ_SENSITIVE, object_id=child.pk)
    assert event.username == "canbo"
    assert event.source == "web"
    assert set(event.changes["fields"]) == set(Person.SENSITIVE_FIELDS)


def test_reveal_over_htmx_returns_the_fragment(login, users, registry):
    response = login(users["commune_officer"]).post(
        reverse("person_reveal", args=[registry["child"].pk]), HTTP_HX_REQUEST="true"
    )
    assert response.text.strip().startswith('<div id="sensitive"')
    assert "<html" not in response.text
    assert "Cần người hỗ trợ" in response.text


def test_reveal_is_post_only(login, users, registry):
    response = login(users["commune_officer"]).get(
        reverse("person_reveal", args=[registry["child"].pk])
    )
    assert response.status_code == 405


def test_reveal_is_denied_without_the_sensitive_action(login, users, registry):
    child = registry["child"]
    for role in ("national_viewer", "auditor"):
        client = login(users[role])
        page = client.get(reverse("person_detail", args=[child.pk]))
        assert page.status_code == 200
        assert "Hiện thông tin nhạy cảm" not in page.text
        assert "Cần người hỗ trợ" not in page.text
        assert client.post(reverse("person_reveal", args=[child.pk])).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditAction.READ_SENSITIVE).exists()


def test_history_shows_old_and_new_after_an_edit(login, users, registry, geo):
    head = registry["head"]
    client = login(users["commune_officer"])
    data = person_form_data(
        geo, ho="Nguyễn", ten_dem="Văn", ten="Dũng", sex="M", birth="05/03/1975",
        id_number=head.id_number, phone="0912345678", household_code="BD-001",
        relationship="head",
    )
    response = client.post(reverse("person_edit", args=[head.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    head.refresh_from_db()
    assert head.phone == "0912345678"
    page = client.get(reverse("person_detail", args=[head.pk]))
    history = page.context["history"]
    update = next(changes for event, changes in history if event.action == "update")
    phone = next(c for c in update if c.field == "phone")
    assert (phone.old, phone.new) == ("—", "0912345678")
    assert "Số điện thoại" in page.text
    assert "0912345678" in page.text


def test_history_masks_sensitive_values_for_viewers(login, users, registry, admin):
    child = registry["child"]
    services.person_update(admin, child, disability_notes="Ghi chú bí mật mới")
    viewer = login(users["national_viewer"]).get(reverse("person_detail", args=[child.pk]))
    assert "Ghi chú bí mật mới" not in viewer.text
    assert "Cần người hỗ trợ" not in viewer.text
    assert "Ghi chú khuyết tật" in viewer.text


def test_history_shows_sensitive_values_only_after_a_reveal(client, users, registry, admin):
    child = registry["child"]
    services.person_update(admin, child, disability_notes="Ghi chú mới")
    client.force_login(users["commune_officer"])
    page = client.get(reverse("person_detail", args=[child.pk]))
    assert "Ghi chú mới" not in page.text
    page = client.post(reverse("person_reveal", args=[child.pk]))
    update = next(changes for event, changes in page.context["history"] if event.action == "update")
    assert [c.new for c in update] == ["Ghi chú mới"]
    fragment = client.post(reverse("person_reveal", args=[child.pk]), HTTP_HX_REQUEST="true")
    assert 'hx-swap-oob="true"' in fragment.text and "Ghi chú mới" in fragment.text


def test_create_a_person_through_the_form(login, users, registry, geo, id_number):
    client = login(users["commune_officer"])
    data = person_form_data(geo, id_number=id_number("F", 1985), household_code="BD-001",
                            relationship="spouse", birth="03/1985")
    response = client.post(reverse("person_create"), data)
    assert response.status_code == 302, response.context["form"].errors
    person = Person.objects.get(ten="Hà")
    assert person.household == registry["household"]
    assert person.birth_date == date(1985, 3, 1) and person.birth_date_precision == "M"
    assert AuditEvent.objects.filter(action="create", object_id=person.pk).exists()
    assert response.url == reverse("person_detail", args=[person.pk])


def test_the_form_shows_vietnamese_errors(login, users, registry, geo):
    client = login(users["commune_officer"])
    response = client.post(reverse("person_create"), person_form_data(geo, id_number="12345"))
    assert response.status_code == 200
    assert "Số định danh phải gồm đúng 12 chữ số." in response.text
    response = client.post(reverse("person_create"), person_form_data(geo, birth="01/01/2099"))
    assert "Ngày sinh ở tương lai." in response.context["form"].errors["birth"]
    response = client.post(reverse("person_create"), person_form_data(geo, birth="31/02/1980"))
    assert "không tồn tại" in response.text
    response = client.post(reverse("person_create"), person_form_data(geo, ten=""))
    assert response.context["form"].errors["ten"]
    response = client.post(reverse("person_create"), person_form_data(geo, household_code="X9"))
    assert "Không có hộ mã «X9»" in response.text
    assert not Person.objects.filter(ho="Phạm").exists()


def test_the_form_refuses_a_duplicate_id(login, users, registry, geo):
    response = login(users["commune_officer"]).post(
        reverse("person_create"),
        person_form_data(geo, sex="M", birth="1975", id_number=registry["head"].id_number),
    )
    assert "đã có" in response.context["form"].errors["id_number"][0]


def test_the_form_offers_only_the_users_communes(login, users, registry, geo):
    client = login(users["commune_officer"])
    form = client.get(reverse("person_create")).context["form"]
    assert list(form.fields["commune"].queryset) == [geo["commune"]]
    response = client.post(reverse("person_create"),
                           person_form_data(geo, commune=geo["foreign_commune"].pk))
    assert response.status_code == 200
    assert "commune" in response.context["form"].errors


def test_opening_the_edit_form_logs_the_sensitive_read(login, users, registry):
    child = registry["child"]
    login(users["commune_officer"]).get(reverse("person_edit", args=[child.pk]))
    assert AuditEvent.objects.filter(action=AuditAction.READ_SENSITIVE, object_id=child.pk).exists()


def test_the_list_reads_a_page_in_the_same_queries_whatever_its_length(login, users, registry,
                                                                       admin, geo):
    """The rows are read with the listed columns only: a column the table shows but the
    query left out would cost one more query per row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(users["commune_officer"])

    def page_queries():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("person_list"), {"q": "nguyen"})
        assert response.status_code == 200
        return len(ctx), response

    few, _ = page_queries()
    for k in range(20):
        services.person_create(
            admin, ho="Nguyễn", ten_dem="Thị", ten=f"Lan {k}", sex="F",
            birth_date=date(1980, 1, 1 + k), household=registry["household"],
            relationship="other", commune=geo["commune"], deceased_date=date(2024, 1, 1),
        )
    many, response = page_queries()
    assert many == few
    html = response.text
    assert "Nguyễn Thị Lan 7" in html and "01/01/1980" in html and "BD-001" in html
    assert "Đã mất" in html and geo["commune"].name in html
