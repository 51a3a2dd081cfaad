"""Published snapshots: frozen figures that recompute from the ledger to the đồng."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from ansinh.audit.models import AuditEvent
from ansinh.funds.selectors import campaign_progress
from ansinh.funds.services import (
    allocation_approve,
    allocation_prepare,
    pledge_create,
    receipt_create,
    receipt_issue,
    receipt_reverse,
)
from ansinh.transparency import selectors
from ansinh.transparency.models import ImmutableError, Snapshot
from ansinh.transparency.services import snapshot_publish, snapshot_withdraw
from tests.conftest import make_user
from tests.funds.conftest import DAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger(officer, manager, donor, anonymous, fund, campaign, tet, give):
    """100 M pledged, 60 M paid on it, 10 M from an anonymous donor, 20 M spent."""
    pledge = pledge_create(officer, donor=donor, pledged_on=DAY, amount=100_000_000,
                           campaign=campaign, fund=fund)
    paid = give(60_000_000, restriction=tet, pledge=pledge)
    quiet = give(10_000_000, restriction=tet, from_donor=anonymous)
    spending = allocation_prepare(officer, fund=fund, amount=20_000_000, restriction=tet,
                                  campaign=campaign, purpose="Mua quà Tết",
                                  allocated_on=DAY + timedelta(days=5))
    allocation_approve(manager, spending)
    return {"pledge": pledge, "paid": paid, "quiet": quiet, "spending": spending}


def test_it_freezes_received_pledged_outstanding_spent_and_donors(officer, campaign, ledger):
    snap = snapshot_publish(officer, campaign=campaign)
    f = snap.figures
    assert f["cash"]["received"] == 70_000_000
    assert f["pledges"] == {"pledged": 100_000_000, "paid_on_pledges": 60_000_000,
                            "outstanding": 40_000_000, "in_kind_pledges": 0}
    assert f["spent"]["total"] == 20_000_000
    assert f["remaining"] == 50_000_000
    assert [(d["name"], d["received"]) for d in f["donors"]] == [
        ("Công ty TNHH An Phú", 60_000_000), ("Nhà hảo tâm ẩn danh", 10_000_000)]
    assert "Phạm Thị Kín Đáo" not in str(f)
    assert snap.period_start == campaign.starts_on and snap.period_end == campaign.ends_on
    # The same figure the fund's own progress reading gives.
    progress = campaign_progress(officer, campaign)[0]
    assert f["cash"]["received"] == progress["received"]
    assert f["pledges"]["outstanding"] == progress["outstanding"]


def test_later_receipts_and_reversals_appear_only_in_the_next_snapshot(officer, campaign,
                                                                       tet, give, ledger):
    first = snapshot_publish(officer, campaign=campaign)
    give(5_000_000, restriction=tet, on=DAY + timedelta(days=10))
    receipt_reverse(officer, ledger["quiet"], reason="Chuyển nhầm tài khoản",
                    reversed_on=DAY + timedelta(days=11))

    first = Snapshot.objects.get(pk=first.pk)
    assert first.figures["cash"]["received"] == 70_000_000
    check = selectors.snapshot_verify(first)
    assert check.ok, check.differences

    second = snapshot_publish(officer, campaign=campaign)
    assert second.figures["cash"]["received"] == 65_000_000
    assert [d["name"] for d in second.figures["donors"]] == ["Công ty TNHH An Phú"]
    assert second.marks["reversal"] > first.marks["reversal"]
    assert selectors.snapshot_verify(second).ok
    assert selectors.latest_public() == [second]
    assert selectors.history(second) == [first]


def test_a_receipt_issued_after_publication_stays_out_though_drafted_before(
        officer, fund, donor, campaign, tet, ledger):
    draft = receipt_create(officer, fund=fund, donor=donor, received_on=DAY,
                           method="bank_transfer", total=7_000_000,
                           lines=[{"fund": fund, "amount": 7_000_000, "restriction": tet}])
    snap = snapshot_publish(officer, campaign=campaign)
    assert snap.marks["receipt_line"] >= draft.lines.get().pk
    receipt_issue(officer, draft)
    assert snap.figures["cash"]["received"] == 70_000_000
    assert selectors.snapshot_verify(snap).ok


def test_an_allocation_approved_after_publication_stays_out(officer, manager, fund, campaign,
                                                            tet, ledger):
    pending = allocation_prepare(officer, fund=fund, amount=3_000_000, restriction=tet,
                                 campaign=campaign, purpose="Thuê xe chở quà",
                                 allocated_on=DAY + timedelta(days=6))
    snap = snapshot_publish(officer, campaign=campaign)
    allocation_approve(manager, pending)
    assert snap.figures["spent"]["total"] == 20_000_000
    assert selectors.snapshot_verify(snap).ok
    assert snapshot_publish(officer, campaign=campaign).figures["spent"]["total"] == 23_000_000


def test_verify_reports_a_figure_that_does_not_match_the_ledger(officer, campaign, ledger):
    snap = snapshot_publish(officer, campaign=campaign)
    forged = Snapshot(kind=snap.kind, campaign=campaign, period_start=snap.period_start,
                      period_end=snap.period_end, marks=snap.marks,
                      figures={**snap.figures,
                               "cash": {**snap.figures["cash"], "received": 70_000_001}})
    check = selectors.snapshot_verify(forged)
    assert not check.ok
    assert any(d.startswith("cash.received: công bố 70000001, tính lại 70000000")
               for d in check.differences)
    # A donor who gave 1 đồng less than published is caught too.
    donors = [dict(d) for d in snap.figures["donors"]]
    donors[1]["received"] -= 1
    forged.figures = {**snap.figures, "donors": donors}
    assert not selectors.snapshot_verify(forged).ok


def test_a_fund_snapshot_splits_received_by_campaign_and_restriction(officer, fund, campaign,
                                                                     give, ledger):
    give(8_000_000, on=date(2026, 3, 2))  # unrestricted, outside any campaign
    snap = snapshot_publish(officer, fund=fund, period_start=date(2026, 1, 1),
                            period_end=date(2026, 3, 31))
    cash = snap.figures["cash"]
    assert cash["received"] == 78_000_000
    assert cash["restricted"] == 70_000_000 and cash["unrestricted"] == 8_000_000
    assert cash["parts"] == [{"label": "Xuân yêu thương 2026", "amount": 70_000_000},
                             {"label": "Không theo chiến dịch", "amount": 8_000_000}]
    assert snap.figures["spent"]["total"] == 20_000_000
    assert selectors.snapshot_verify(snap).ok
    # The period limits the flows: January only.
    january = snapshot_publish(officer, fund=fund, period_start=date(2026, 1, 1),
                               period_end=date(2026, 1, 31))
    assert january.figures["cash"]["received"] == 70_000_000


def test_it_refuses_publishing_without_the_funds_right(geo, fund_users, campaign, ledger):
    commune_officer = make_user("canboxa", "commune_officer", geo["commune"])
    with pytest.raises(PermissionDenied):
        snapshot_publish(commune_officer, campaign=campaign)
    with pytest.raises(PermissionDenied):
        snapshot_publish(fund_users["foreign_officer"], campaign=campaign)
    assert not Snapshot.objects.exists()


def test_it_refuses_a_period_in_the_future_or_reversed(officer, fund, campaign):
    with pytest.raises(ValidationError) as err:
        snapshot_publish(officer, fund=fund,
                         period_end=timezone.localdate() + timedelta(days=1))
    assert "period_end" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        snapshot_publish(officer, fund=fund, period_start=date(2026, 3, 1),
                         period_end=date(2026, 2, 1))
    assert "period_start" in err.value.message_dict
    with pytest.raises(ValidationError):
        snapshot_publish(officer, fund=fund, campaign=campaign)
    assert not Snapshot.objects.exists()


def test_withdrawing_needs_fund_approve_and_a_reason_and_is_audited(officer, manager,
                                                                    fund_users, campaign,
                                                                    ledger):
    snap = snapshot_publish(officer, campaign=campaign)
    with pytest.raises(PermissionDenied):
        snapshot_withdraw(officer, snap, reason="Sai số liệu")
    with pytest.raises(PermissionDenied):
        snapshot_withdraw(fund_users["foreign_manager"], snap, reason="Sai số liệu")
    with pytest.raises(ValidationError) as err:
        snapshot_withdraw(manager, snap, reason="  ")
    assert "reason" in err.value.message_dict
    snapshot_withdraw(manager, snap, reason="Nhập nhầm kỳ công khai")
    snap.refresh_from_db()
    assert snap.withdrawn and snap.withdrawn_by == manager
    assert snap.figures["cash"]["received"] == 70_000_000  # kept for the record
    event = AuditEvent.objects.get(object_type="snapshot", action="update", object_id=snap.pk)
    assert event.changes["reason"] == "Nhập nhầm kỳ công khai"
    assert event.username == "" or event.commune_id == snap.commune_id
    assert selectors.latest_public() == []
    with pytest.raises(ValidationError):
        snapshot_withdraw(manager, snap, reason="Lần nữa")


def test_a_published_snapshot_cannot_be_changed_or_deleted(officer, campaign, ledger):
    snap = snapshot_publish(officer, campaign=campaign)
    assert AuditEvent.objects.filter(object_type="snapshot", action="create",
                                     object_id=snap.pk).exists()
    snap.figures["cash"]["received"] = 1
    with pytest.raises(ImmutableError):
        snap.save()
    snap = Snapshot.objects.get(pk=snap.pk)
    snap.title = "Khác"
    with pytest.raises(ImmutableError):
        snap.save()
    with pytest.raises(ImmutableError):
        snap.delete()
    with pytest.raises(ImmutableError):
        Snapshot.objects.filter(pk=snap.pk).update(title="Khác")
    with pytest.raises(ImmutableError):
        Snapshot.objects.filter(pk=snap.pk).delete()
    assert Snapshot.objects.get(pk=snap.pk).figures["cash"]["received"] == 70_000_000


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigger on PostgreSQL only")
def test_the_database_refuses_to_rewrite_a_published_snapshot(officer, campaign, ledger):
    from django.db import DatabaseError, transaction

    snap = snapshot_publish(officer, campaign=campaign)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE transparency_snapshot SET figures = '{}' WHERE id = %s", [snap.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM transparency_snapshot WHERE id = %s", [snap.pk])


def test_goods_given_to_the_campaign_count_as_in_kind_not_as_cash(officer, geo, fund, donor,
                                                                  campaign, ledger):
    in_kind = pytest.importorskip("ansinh.funds.in_kind")
    from ansinh.stock.choices import Category, Unit
    from ansinh.stock.services import item_create, warehouse_create

    house = warehouse_create(officer, name="Kho phường", commune=geo["commune"])
    rice = item_create(officer, name="Gạo thơm", unit=Unit.KG, category=Category.FOOD)
    receipt = in_kind.goods_receipt_create(
        officer, fund=fund, donor=donor, received_on=DAY,
        lines=[{"item": rice, "warehouse": house, "quantity": 1_000, "unit_value": 20_000,
                "campaign": campaign}])
    receipt_issue(officer, receipt)
    snap = snapshot_publish(officer, campaign=campaign)
    assert snap.figures["cash"]["received"] == 70_000_000
    assert snap.figures["in_kind"] == {"value": 20_000_000, "parts": [
        {"label": "Lương thực, thực phẩm", "amount": 20_000_000}]}
    assert snap.figures["donors"][0] == {"name": "Công ty TNHH An Phú", "received": 60_000_000,
                                         "in_kind": 20_000_000, "pledged": 100_000_000}
    # The fund's snapshot counts the same goods once, though they also entered its stock.
    fund_snap = snapshot_publish(officer, fund=fund, period_start=date(2026, 1, 1),
                                 period_end=date(2026, 2, 28))
    assert fund_snap.figures["in_kind"]["value"] == 20_000_000
    assert selectors.snapshot_verify(snap).ok and selectors.snapshot_verify(fund_snap).ok


def test_a_pledge_withdrawn_after_publication_stays_in_that_snapshot_only(officer, campaign,
                                                                         ledger):
    from ansinh.funds.services import pledge_cancel

    first = snapshot_publish(officer, campaign=campaign)
    pledge_cancel(officer, ledger["pledge"], reason="Doanh nghiệp rút phần còn lại")
    assert selectors.snapshot_verify(first).ok  # it stood when the snapshot was taken
    second = snapshot_publish(officer, campaign=campaign)
    assert second.figures["pledges"]["pledged"] == 0
    assert second.figures["pledges"]["outstanding"] == 0
    assert second.figures["cash"]["received"] == 70_000_000  # the money paid stays received
    assert selectors.snapshot_verify(second).ok
