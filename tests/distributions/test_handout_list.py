"""Hand-out of a whole signed list: one action, one proof (the scanned signed list), one
transaction; each line's goods issued once, lines already handed out skipped and counted,
nothing written when the proof is missing or invalid."""

from datetime import date, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from ansinh.access.models import ApiToken
from ansinh.audit.models import AuditEvent
from ansinh.distributions.choices import LineStatus, ProofKind
from ansinh.distributions.handouts import handout_record_list
from ansinh.distributions.models import Recipient
from ansinh.distributions.services import handout_record
from ansinh.stock.choices import MovementKind
from ansinh.stock.models import StockMovement
from ansinh.stock.selectors import balance_of
from ansinh.stock.services import stock_write_off
from tests.distributions.helpers import approved_gift

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n" + b"0" * 200
BASE = "/api/v1/funds/distributions"


def scan(name="danh-sach-da-ky.pdf", content=PDF, kind="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=kind)


@pytest.fixture
def cycle(officer, manager, campaign, fund, registry, give, items, warehouse, stock):
    give(10_000_000)
    stock("gift", 5, 300_000)
    stock("rice", 100, 20_000)
    return approved_gift(officer, manager, campaign, fund, items, warehouse)


def issues(cycle):
    return StockMovement.objects.filter(kind=MovementKind.ISSUE,
                                        distribution_line_id__in=cycle.recipients.values("pk"))


def stored_files(cycle) -> list[Path]:
    folder = Path(settings.MEDIA_ROOT) / "distributions" / str(cycle.pk)
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def test_it_hands_out_every_approved_line_with_one_proof(officer, cycle, items, warehouse):
    counts = handout_record_list(officer, cycle, proof=scan())
    assert counts == {"handed_out": 3, "already_handed_out": 0, "not_printed": 0,
                      "deceased": 0, "cash": 1_500_000}
    lines = list(cycle.recipients.all())
    assert {line.status for line in lines} == {LineStatus.HANDED_OUT}
    assert {line.proof_kind for line in lines} == {ProofKind.SIGNATURE}
    assert len({line.proof_file.name for line in lines}) == 1  # one scan for the whole list
    assert {line.handed_out_on for line in lines} == {date.today()}
    assert lines[0].proof_file.read().startswith(b"%PDF")
    assert len(stored_files(cycle)) == 1
    # Goods once per line: a gift and 10 kg of rice each.
    per_line = {line.pk: sorted(issues(cycle).filter(distribution_line_id=line.pk)
                                .values_list("item__name", "quantity")) for line in lines}
    assert all(v == [("Gạo", 10), ("Quà Tết", 1)] for v in per_line.values())
    assert balance_of(officer, warehouse, items["gift"])[0] == 2
    assert balance_of(officer, warehouse, items["rice"])[0] == 70
    audited = AuditEvent.objects.filter(object_type="recipient", object_id__in=[
        line.pk for line in lines], changes__status=["approved", "handed_out"])
    assert audited.count() == 3
    assert AuditEvent.objects.filter(object_type="cycle", object_id=cycle.pk,
                                     changes__hand_out_list__handed_out=3).exists()


def test_lines_already_handed_out_are_skipped_counted_and_not_issued_again(officer, cycle):
    first = cycle.recipients.get(person__ten="Cúc")
    handout_record(officer, first, proof_kind=ProofKind.SIGNATURE)
    counts = handout_record_list(officer, cycle, proof=scan())
    assert (counts["handed_out"], counts["already_handed_out"]) == (2, 1)
    assert issues(cycle).filter(distribution_line_id=first.pk).count() == 2  # gift + rice
    assert issues(cycle).count() == 6
    first.refresh_from_db()
    assert first.proof_file.name == ""  # its own proof, untouched
    with pytest.raises(ValidationError) as exc:
        handout_record_list(officer, cycle, proof=scan())
    assert "đã nhận 3" in exc.value.message_dict["lines"][0]
    assert issues(cycle).count() == 6


def test_one_commune_of_the_cycle_at_a_time(officer, cycle, geo):
    counts = handout_record_list(officer, cycle, proof=scan(), commune=geo["sibling_commune"])
    assert counts["handed_out"] == 1
    statuses = dict(cycle.recipients.values_list("commune__code", "status").distinct())
    assert statuses == {geo["sibling_commune"].code: LineStatus.HANDED_OUT,
                        geo["commune"].code: LineStatus.APPROVED}
    assert handout_record_list(officer, cycle, proof=scan(),
                               commune=geo["commune"])["handed_out"] == 2


def test_a_commune_outside_the_cycle_is_refused(officer, cycle, geo):
    with pytest.raises(ValidationError) as exc:
        handout_record_list(officer, cycle, proof=scan(), commune=geo["foreign_commune"])
    assert "ngoài địa bàn" in exc.value.message_dict["commune"][0]


def nothing_written(cycle):
    assert set(cycle.recipients.values_list("status", flat=True)) == {LineStatus.APPROVED}
    assert not issues(cycle).exists()
    assert stored_files(cycle) == []
    assert not AuditEvent.objects.filter(changes__status=["approved", "handed_out"]).exists()


@pytest.mark.parametrize("proof, message", [
    (None, "bắt buộc"),
    (SimpleUploadedFile("danh-sach.exe", b"MZ" + b"0" * 50), "chỉ nhận"),
    (SimpleUploadedFile("danh-sach.pdf", b""), "rỗng"),
    (SimpleUploadedFile("danh-sach.pdf", b"0" * (10 * 1024 * 1024 + 1)), "tối đa 10 MB"),
])
def test_nothing_is_written_when_the_proof_is_missing_or_invalid(officer, cycle, proof,
                                                                 message):
    with pytest.raises(ValidationError) as exc:
        handout_record_list(officer, cycle, proof=proof)
    assert message in exc.value.message_dict["proof"][0]
    nothing_written(cycle)


def test_nothing_is_written_when_the_stock_runs_out_half_way(officer, cycle, items,
                                                             warehouse):
    stock_write_off(officer, warehouse=warehouse, item=items["rice"], quantity=75,
                    reason="damaged")  # 25 kg left: two packages, not three
    with pytest.raises(ValidationError):
        handout_record_list(officer, cycle, proof=scan())
    nothing_written(cycle)
    assert balance_of(officer, warehouse, items["gift"])[0] == 5


def test_lines_of_an_unprinted_list_and_the_dead_are_skipped(officer, manager, campaign, fund,
                                                             registry, give, items,
                                                             warehouse, stock):
    give(10_000_000)
    stock("gift", 5)
    stock("rice", 100)
    unprinted = approved_gift(officer, manager, campaign, fund, items, warehouse,
                              printed=False)
    with pytest.raises(ValidationError) as exc:
        handout_record_list(officer, unprinted, proof=scan())
    assert "chưa in danh sách 3" in exc.value.message_dict["lines"][0]
    from ansinh.distributions.services import list_mark_printed
    list_mark_printed(officer, unprinted.lists.get())
    registry["poor"].head.deceased_date = date.today() - timedelta(days=2)
    registry["poor"].head.save()
    counts = handout_record_list(officer, unprinted, proof=scan())
    assert (counts["handed_out"], counts["deceased"]) == (2, 1)
    assert unprinted.recipients.get(person=registry["poor"].head).status == LineStatus.APPROVED


def test_it_refuses_a_day_in_the_future_or_before_the_approval(officer, cycle):
    for day in (date.today() + timedelta(days=1), date.today() - timedelta(days=1)):
        with pytest.raises(ValidationError) as exc:
            handout_record_list(officer, cycle, proof=scan(), handed_out_on=day)
        assert "handed_out_on" in exc.value.message_dict
    nothing_written(cycle)


@pytest.mark.parametrize("who", ["case_worker", "foreign_officer", "commune_fund"])
def test_only_fund_staff_of_the_cycles_area_record_it(staff, cycle, who):
    with pytest.raises(PermissionDenied):
        handout_record_list(staff[who], cycle, proof=scan())
    nothing_written(cycle)


# ---------------------------------------------------------------------------- page and API

def test_the_cycle_page_offers_the_form_and_records_the_list(officer, cycle, geo):
    client = Client()
    client.force_login(officer)
    url = reverse("distributions:cycle_detail", args=[cycle.pk])
    page = client.get(url).content.decode()
    assert 'id="handout-list"' in page and reverse("distributions:handout_list",
                                                   args=[cycle.pk]) in page
    response = client.post(reverse("distributions:handout_list", args=[cycle.pk]),
                           {"proof": scan("ky-nhan.jpg", b"\xff\xd8\xff" + b"0" * 50,
                                          "image/jpeg"),
                            "commune": geo["commune"].pk}, follow=True)
    assert "Đã ghi nhận phát cho 2 người nhận" in response.content.decode()
    assert cycle.recipients.filter(status=LineStatus.HANDED_OUT).count() == 2


def test_the_page_shows_why_nothing_was_recorded(officer, cycle):
    client = Client()
    client.force_login(officer)
    response = client.post(reverse("distributions:handout_list", args=[cycle.pk]),
                           {"proof": scan("ky-nhan.docx", b"PK" + b"0" * 50)}, follow=True)
    assert "chỉ nhận .jpg, .png, .webp hoặc .pdf" in response.content.decode()
    nothing_written(cycle)


def api(user):
    _, secret = ApiToken.issue(user, name="test")
    return Client(headers={"Authorization": f"Bearer {secret}"})


def test_the_api_records_the_list_and_returns_the_counts(officer, cycle, geo):
    client = api(officer)
    url = f"{BASE}/cycles/{cycle.pk}/hand-out"
    missing = client.post(url, {})
    assert missing.status_code == 422 and "proof" in missing.json()["error"]["fields"]
    unknown = client.post(url, {"proof": scan(), "commune_code": "99999"})
    assert unknown.status_code == 422 and "commune_code" in unknown.json()["error"]["fields"]
    nothing_written(cycle)
    done = client.post(url, {"proof": scan(), "commune_code": geo["sibling_commune"].code})
    assert done.status_code == 200
    assert done.json() == {"handed_out": 1, "already_handed_out": 0, "not_printed": 0,
                           "deceased": 0, "cash": 500_000}
    rest = client.post(url, {"proof": scan()}).json()
    assert (rest["handed_out"], rest["already_handed_out"]) == (2, 1)
    assert Recipient.objects.filter(cycle=cycle, status=LineStatus.HANDED_OUT).count() == 3


def test_the_api_refuses_staff_outside_the_area(staff, cycle):
    url = f"{BASE}/cycles/{cycle.pk}/hand-out"
    assert api(staff["foreign_officer"]).post(url, {"proof": scan()}).status_code == 404
    assert api(staff["case_worker"]).post(url, {"proof": scan()}).status_code == 403
    nothing_written(cycle)
