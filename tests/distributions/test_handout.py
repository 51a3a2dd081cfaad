"""Hand-out: only approved recipients, once, with proof; goods leave the warehouse in the
same transaction, each movement naming its distribution line."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from ansinh.distributions.choices import LineStatus, ProofKind
from ansinh.distributions.services import (
    handout_record,
    list_approve,
    list_signature_pdf,
    list_submit,
    recipient_add,
    recipients_build,
)
from ansinh.stock.choices import MovementKind
from ansinh.stock.models import StockMovement
from ansinh.stock.selectors import balance_of
from ansinh.stock.services import stock_write_off
from tests.distributions.helpers import gift_cycle

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0" + b"0" * 100


def photo(name="nhan-qua.jpg", content=JPEG):
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


@pytest.fixture
def approved(officer, campaign, fund, registry, manager, give, items, warehouse, stock):
    """The 3 poor persons, each to receive 500,000 đ, a gift and 10 kg of rice."""
    give(10_000_000)
    stock("gift", 5, 300_000)
    stock("rice", 100, 20_000)
    cycle = gift_cycle(officer, campaign, fund, components=[(items["gift"], 1),
                                                           (items["rice"], 10)],
                       warehouse=warehouse)
    rlist = list_approve(manager, list_submit(officer, recipients_build(officer, cycle)[0]))
    return rlist


def line_of(rlist, ten):
    return rlist.lines.get(person__ten=ten)


def test_a_hand_out_issues_the_goods_in_the_same_transaction(approved, officer, items,
                                                             warehouse):
    line = handout_record(officer, line_of(approved, "Cúc"), proof_kind=ProofKind.PHOTO,
                          photo=photo())
    assert line.status == LineStatus.HANDED_OUT and line.proof_file.name
    moves = StockMovement.objects.filter(kind=MovementKind.ISSUE, distribution_line_id=line.pk)
    assert sorted(moves.values_list("item__name", "quantity")) == [("Gạo", 10), ("Quà Tết", 1)]
    assert moves.first().recipient == line.person
    assert balance_of(officer, warehouse, items["gift"])[0] == 4


def test_a_recipient_receives_once(approved, officer):
    line = line_of(approved, "Cúc")
    handout_record(officer, line, proof_kind=ProofKind.PHOTO, photo=photo())
    with pytest.raises(ValidationError) as exc:
        handout_record(officer, line, proof_kind=ProofKind.PHOTO, photo=photo())
    assert "đã nhận" in exc.value.message_dict["status"][0]
    assert StockMovement.objects.filter(distribution_line_id=line.pk).count() == 2


def test_a_signature_counts_as_proof_only_once_the_list_is_printed(approved, officer):
    line = line_of(approved, "Bình")
    with pytest.raises(ValidationError) as exc:
        handout_record(officer, line, proof_kind=ProofKind.SIGNATURE)
    assert "chưa được in" in exc.value.message_dict["proof_kind"][0]
    pdf = list_signature_pdf(officer, approved)
    assert pdf.startswith(b"%PDF")
    handout_record(officer, line, proof_kind=ProofKind.SIGNATURE)


def test_a_photo_proof_needs_a_picture(approved, officer):
    line = line_of(approved, "Bình")
    with pytest.raises(ValidationError):
        handout_record(officer, line, proof_kind=ProofKind.PHOTO)
    with pytest.raises(ValidationError):
        handout_record(officer, line, proof_kind=ProofKind.PHOTO, photo=photo("a.exe"))
    with pytest.raises(ValidationError):
        handout_record(officer, line, proof_kind="word_of_mouth")


def test_it_refuses_a_hand_out_before_approval(officer, campaign, fund, registry):
    cycle = gift_cycle(officer, campaign, fund)
    line = recipient_add(officer, cycle, person=registry["orphan"])
    with pytest.raises(ValidationError) as exc:
        handout_record(officer, line, proof_kind=ProofKind.PHOTO, photo=photo())
    assert "chưa được phê duyệt" in exc.value.message_dict["status"][0]


def test_it_refuses_a_date_in_the_future(approved, officer):
    with pytest.raises(ValidationError):
        handout_record(officer, line_of(approved, "Bình"), proof_kind=ProofKind.PHOTO,
                       photo=photo(), handed_out_on=date.today() + timedelta(days=1))


def test_it_refuses_a_hand_out_to_someone_who_has_died(approved, officer):
    line = line_of(approved, "Bình")
    line.person.deceased_date = date.today() - timedelta(days=1)
    line.person.save()
    with pytest.raises(ValidationError) as exc:
        handout_record(officer, line, proof_kind=ProofKind.PHOTO, photo=photo())
    assert "đã mất" in exc.value.message_dict["person"][0]


def test_it_applies_nothing_when_the_stock_is_gone(approved, officer, items, warehouse):
    stock_write_off(officer, warehouse=warehouse, item=items["rice"], quantity=95,
                    reason="damaged")
    line = line_of(approved, "Bình")
    with pytest.raises(ValidationError):
        handout_record(officer, line, proof_kind=ProofKind.PHOTO, photo=photo())
    line.refresh_from_db()
    assert line.status == LineStatus.APPROVED
    assert not StockMovement.objects.filter(distribution_line_id=line.pk).exists()
    assert balance_of(officer, warehouse, items["gift"])[0] == 5


@pytest.mark.parametrize("who", ["case_worker", "foreign_officer", "commune_fund"])
def test_only_fund_staff_of_the_cycles_area_hand_out(approved, staff, who):
    with pytest.raises(PermissionDenied):
        handout_record(staff[who], line_of(approved, "Cúc"), proof_kind=ProofKind.PHOTO,
                       photo=photo())


def test_the_signature_list_is_only_for_approved_lists(officer, campaign, fund, registry):
    cycle = gift_cycle(officer, campaign, fund)
    rlist, _ = recipients_build(officer, cycle)
    with pytest.raises(ValidationError):
        list_signature_pdf(officer, rlist)
