import pytest
from django.urls import reverse

from ansinh.imports.models import ImportBatch
from ansinh.registry.models import Person


@pytest.fixture
def officer_client(client, users):
    client.force_login(users["commune_officer"])
    return client


def upload(client, path, **data):
    with open(path, "rb") as f:
        return client.post(reverse("imports:start"), {"file": f, **data})


def test_the_wizard_goes_from_upload_to_mapping_to_preview_to_apply(officer_client, xlsx,
                                                                    household):
    rows = household()
    rows[2][2] = "31/02/2005"
    response = upload(officer_client, xlsx(rows))
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("imports:mapping", args=[batch.pk])

    page = officer_client.get(reverse("imports:mapping", args=[batch.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Họ và tên" in html and "Nguyễn Văn An" in html
    post = {"header_row": 4, **{f"col_{i}": f for i, f in batch.mapping["columns"].items()}}
    response = officer_client.post(reverse("imports:mapping", args=[batch.pk]), post)
    assert response.status_code == 302
    assert response["Location"] == reverse("imports:preview", args=[batch.pk])

    page = officer_client.get(reverse("imports:preview", args=[batch.pk]))
    html = page.content.decode()
    assert "Áp dụng" in html
    assert "Ngày «31/02/2005» không tồn tại" in html
    rejected = officer_client.get(reverse("imports:preview", args=[batch.pk]),
                                  {"outcome": "rejected"}).content.decode()
    assert "Nguyễn Minh Châu" in rejected and "Trần Thị Bình" not in rejected

    response = officer_client.post(reverse("imports:apply", args=[batch.pk]))
    assert response.status_code == 302
    assert Person.objects.count() == 2
    result = officer_client.get(response["Location"]).content.decode()
    assert "Nhân khẩu thêm mới" in result

    xlsx_response = officer_client.get(reverse("imports:rejects", args=[batch.pk]))
    assert xlsx_response.status_code == 200
    assert xlsx_response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_mapping_page_corrects_a_column(officer_client, xlsx, users, id_number):
    headers = ["STT", "Họ và tên", "Ghi chú", "Giới tính", "Quan hệ", "Mã hộ"]
    number = id_number("M", 1980)
    upload(officer_client, xlsx([[1, "Lê Văn Tám", number, "Nam", "Chủ hộ", "H9"]],
                                headers=headers))
    batch = ImportBatch.objects.get()
    post = {"header_row": 4, "col_0": "stt", "col_1": "full_name", "col_2": "id_number",
            "col_3": "sex", "col_4": "relationship", "col_5": "household_code"}
    officer_client.post(reverse("imports:mapping", args=[batch.pk]), post)
    batch.refresh_from_db()
    assert batch.rows.get().parsed["id_number"] == number


def test_the_mapping_page_refuses_one_field_on_two_columns(officer_client, xlsx, household):
    upload(officer_client, xlsx(household()))
    batch = ImportBatch.objects.get()
    post = {"header_row": 4, "col_1": "full_name", "col_2": "full_name"}
    response = officer_client.post(reverse("imports:mapping", args=[batch.pk]), post)
    assert response.status_code == 200
    assert "được chọn cho hai cột" in response.content.decode()


def test_a_refused_file_shows_the_reason_on_the_form(officer_client, tmp_path):
    bad = tmp_path / "hong.xlsx"
    bad.write_bytes(b"not a workbook at all")
    response = upload(officer_client, bad)
    assert response.status_code == 200
    assert "bị hỏng" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_another_areas_batch_is_a_404(client, users, xlsx, household, geo):
    from ansinh.imports.services import import_stage

    path = xlsx(household(commune=geo["sibling_commune"].code))
    with open(path, "rb") as f:
        other = import_stage(users["province_officer"], f, path.name,
                             commune_code=geo["sibling_commune"].code)
    client.force_login(users["commune_officer"])
    for name in ("preview", "mapping", "result", "rejects"):
        assert client.get(reverse(f"imports:{name}", args=[other.pk])).status_code == 404
    assert client.post(reverse("imports:apply", args=[other.pk])).status_code == 404
    assert not Person.objects.exists()


def test_a_user_without_the_import_action_is_refused(client, users):
    client.force_login(users["commune_leader"])
    assert client.get(reverse("imports:start")).status_code == 403


def test_an_anonymous_visitor_is_sent_to_log_in(client, db):
    response = client.get(reverse("imports:start"))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_staging_can_run_as_a_task_with_a_polled_progress_bar(officer_client, settings, xlsx,
                                                               household):
    settings.IMPORT_USE_TASKS = True
    # django-tasks resets its backends on setting_changed; the immediate one runs inline.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    upload(officer_client, xlsx(household()))
    batch = ImportBatch.objects.get()
    post = {"header_row": 4, **{f"col_{i}": f for i, f in batch.mapping["columns"].items()}}
    officer_client.post(reverse("imports:mapping", args=[batch.pk]), post)
    batch.refresh_from_db()
    assert batch.status == "validated"
    assert batch.new_count == 3
    poll = officer_client.get(reverse("imports:progress", args=[batch.pk]))
    assert poll["HX-Redirect"] == reverse("imports:preview", args=[batch.pk])



def _validated_batch(client, xlsx, rows):
    upload(client, xlsx(rows))
    batch = ImportBatch.objects.get()
    post = {"header_row": 4, **{f"col_{i}": f for i, f in batch.mapping["columns"].items()}}
    client.post(reverse("imports:mapping", args=[batch.pk]), post)
    batch.refresh_from_db()
    assert batch.status == "validated"
    return batch


@pytest.fixture
def queue_tasks(settings):
    """From the call on, tasks are enqueued and kept, not run: the test runs them itself."""
    def start():
        from django_tasks import default_task_backend

        settings.IMPORT_USE_TASKS = True
        settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
        default_task_backend.clear()
        return default_task_backend

    return start


def test_apply_can_run_as_a_task_while_the_page_waits(officer_client, queue_tasks, xlsx,
                                                       household, users):
    from ansinh.imports.errors import ImportFileError
    from ansinh.imports.services import import_validate
    from ansinh.imports.tasks import apply_batch

    batch = _validated_batch(officer_client, xlsx, household())
    backend = queue_tasks()

    response = officer_client.post(reverse("imports:apply", args=[batch.pk]))
    assert response["Location"] == reverse("imports:preview", args=[batch.pk])
    batch.refresh_from_db()
    assert batch.applying and Person.objects.count() == 0
    assert len(backend.results) == 1
    # A second click, while the first waits, queues nothing more.
    officer_client.post(reverse("imports:apply", args=[batch.pk]))
    assert len(backend.results) == 1

    page = officer_client.get(reverse("imports:preview", args=[batch.pk])).content.decode()
    assert "Đang ghi 3 người mới" in page and 'hx-get="' in page
    poll = officer_client.get(reverse("imports:progress", args=[batch.pk]))
    assert poll.status_code == 200 and "HX-Redirect" not in poll
    # The rows the queued apply will write cannot be validated again under it.
    assert officer_client.get(reverse("imports:mapping", args=[batch.pk]))["Location"] == \
        reverse("imports:preview", args=[batch.pk])
    with pytest.raises(ImportFileError, match="đang chờ áp dụng"):
        import_validate(users["commune_officer"], batch)

    result = apply_batch.call(batch.pk, users["commune_officer"].pk)
    assert result["persons_created"] == 3
    assert Person.objects.count() == 3
    poll = officer_client.get(reverse("imports:progress", args=[batch.pk]))
    assert poll["HX-Redirect"] == reverse("imports:result", args=[batch.pk])
    # Run twice (a retried task): nothing is written again.
    apply_batch.call(batch.pk, users["commune_officer"].pk)
    assert Person.objects.count() == 3


def test_a_failed_task_apply_writes_nothing_and_says_why(officer_client, queue_tasks, xlsx,
                                                         household, users, monkeypatch):
    from ansinh.imports import services
    from ansinh.imports.errors import ImportFileError
    from ansinh.imports.tasks import apply_batch

    batch = _validated_batch(officer_client, xlsx, household())
    backend = queue_tasks()
    officer_client.post(reverse("imports:apply", args=[batch.pk]))

    def refuse(user, batch, **kwargs):
        raise ImportFileError("Sổ đang được khóa để đối soát.")

    monkeypatch.setattr(services, "import_apply", refuse)
    apply_batch.call(batch.pk, users["commune_officer"].pk)
    batch.refresh_from_db()
    assert batch.status == "validated" and batch.apply_failed and not batch.applying
    assert Person.objects.count() == 0
    poll = officer_client.get(reverse("imports:progress", args=[batch.pk]))
    assert poll["HX-Redirect"] == reverse("imports:preview", args=[batch.pk])
    page = officer_client.get(reverse("imports:preview", args=[batch.pk])).content.decode()
    assert "Chưa áp dụng được" in page and "Sổ đang được khóa để đối soát." in page
    assert reverse("imports:apply", args=[batch.pk]) in page  # the officer may try again

    monkeypatch.undo()
    officer_client.post(reverse("imports:apply", args=[batch.pk]))
    assert len(backend.results) == 2
    apply_batch.call(batch.pk, users["commune_officer"].pk)
    assert Person.objects.count() == 3
