"""What the cycle page says after a whole-list hand-out or a cancellation, in the reader's
language: Vietnamese by default, English after the switch."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from ansinh.distributions.choices import LineStatus, ProofKind
from ansinh.distributions.services import handout_record
from tests.distributions.helpers import approved_gift

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle(officer, manager, campaign, fund, registry, give, items, warehouse, stock):
    give(10_000_000)
    stock("gift", 5, 300_000)
    stock("rice", 100, 20_000)
    return approved_gift(officer, manager, campaign, fund, items, warehouse)


def reader(user, language):
    client = Client()
    client.force_login(user)
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    return client


def scan():
    return SimpleUploadedFile("ky-nhan.pdf", b"%PDF-1.4\n" + b"0" * 200,
                              content_type="application/pdf")


def test_the_whole_list_hand_out_is_reported_in_english(officer, cycle):
    handout_record(officer, cycle.recipients.get(person__ten="Cúc"),
                   proof_kind=ProofKind.SIGNATURE)
    response = reader(officer, "en").post(
        reverse("distributions:handout_list", args=[cycle.pk]), {"proof": scan()}, follow=True)
    page = response.content.decode()
    assert "Hand-out recorded for 2 recipients (skipped: 1 already received)." in page
    assert "Đã ghi nhận" not in page and "bỏ qua" not in page
    assert cycle.recipients.filter(status=LineStatus.HANDED_OUT).count() == 3


def test_a_refused_hand_out_names_the_field_in_english(officer, cycle):
    response = reader(officer, "en").post(
        reverse("distributions:handout_list", args=[cycle.pk]), {}, follow=True)
    assert "Scan of the signed list (PDF or image): This field is required." in \
        response.content.decode()
    assert not cycle.recipients.filter(status=LineStatus.HANDED_OUT).exists()


def test_a_cancellation_and_its_return_are_reported_in_english(officer, cycle):
    line = cycle.recipients.get(person__ten="Bình")
    response = reader(officer, "en").post(
        reverse("distributions:recipient_cancel", args=[cycle.pk, line.pk]),
        {"reason": "Người nhận đã mất"}, follow=True)
    page = response.content.decode()
    assert "Recipient cancelled. 500,000 đ returned to the fund." in page
    assert "Đã hủy người nhận" not in page and "hoàn lại quỹ" not in page


def test_in_vietnamese_the_same_messages_stay_vietnamese(officer, cycle):
    client = reader(officer, "vi")
    line = cycle.recipients.get(person__ten="Bình")
    cancelled = client.post(reverse("distributions:recipient_cancel", args=[cycle.pk, line.pk]),
                            {"reason": "Người nhận đã mất"}, follow=True).content.decode()
    assert "Đã hủy người nhận. 500.000 đ hoàn lại quỹ." in cancelled
    handed = client.post(reverse("distributions:handout_list", args=[cycle.pk]),
                         {"proof": scan()}, follow=True).content.decode()
    assert "Đã ghi nhận phát cho 2 người nhận." in handed
