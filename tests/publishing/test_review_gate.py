"""Stage 7: a manual gate by default; opt-in auto-approval (oldest first, limit) and scheduling."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from igny8_core.publishing.models import PublishingSettings
from igny8_core.publishing.review_gate import process_review_gate
from igny8_core.writer.models import Content

pytestmark = pytest.mark.django_db

RESULT_KEYS = {"ready_for_review", "approved_count", "scheduled_count", "not_scheduled", "auto_approval"}


def in_review(site, n, start=0):
    items = []
    for i in range(start, start + n):
        c = Content.objects.create(site=site, title=f"Article {i}", status=Content.Status.REVIEW)
        # distinct, increasing creation times: the order "oldest first" is about
        Content.objects.filter(id=c.id).update(created_at=timezone.now() - timedelta(days=100 - i))
        items.append(c.id)
    return items


def test_default_is_a_manual_gate(alice_site):
    ids = in_review(alice_site, 3)
    result = process_review_gate(alice_site, max_approvals=0)
    assert result.keys() >= RESULT_KEYS
    assert result["ready_for_review"] == 3
    assert (result["approved_count"], result["scheduled_count"], result["not_scheduled"]) == (0, 0, [])
    assert result["auto_approval"] is False
    assert set(Content.objects.filter(id__in=ids).values_list("status", flat=True)) == {"review"}
    assert not PublishingSettings.objects.filter(site=alice_site).exists()  # reading creates nothing


def test_auto_approval_approves_oldest_first_up_to_the_limit(alice_site, bob_site):
    PublishingSettings.objects.create(site=alice_site, auto_approval_enabled=True)
    ids = in_review(alice_site, 5)
    bobs = in_review(bob_site, 2)

    result = process_review_gate(alice_site, max_approvals=3)

    assert result["ready_for_review"] == 5 and result["approved_count"] == 3 and result["scheduled_count"] == 0
    approved = set(Content.objects.filter(status=Content.Status.APPROVED).values_list("id", flat=True))
    assert approved == set(ids[:3])
    assert all(c.approved_at for c in Content.objects.filter(id__in=ids[:3]))
    assert set(Content.objects.filter(id__in=bobs).values_list("status", flat=True)) == {"review"}
    assert set(Content.objects.filter(id__in=ids).values_list("site_status", flat=True)) == {"not_published"}

    assert process_review_gate(alice_site, max_approvals=0)["approved_count"] == 2  # 0 = unlimited


def test_auto_publish_schedules_in_free_slots_with_reasons_for_the_rest(alice_site):
    alice_site.timezone = "Europe/Berlin"
    alice_site.save()
    PublishingSettings.objects.create(
        site=alice_site,
        auto_approval_enabled=True,
        auto_publish_enabled=True,
        scheduling_mode="time_slots",
        publish_days=["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
        publish_time_slots=["10:00", "16:00"],
        queue_limit=3,
    )
    already = Content.objects.create(
        site=alice_site,
        title="already scheduled",
        status=Content.Status.APPROVED,
        site_status=Content.SiteStatus.SCHEDULED,
        scheduled_publish_at=None,
    )
    ids = in_review(alice_site, 4)

    result = process_review_gate(alice_site, max_approvals=0)

    assert result["approved_count"] == 4
    assert result["scheduled_count"] == 2  # queue_limit 3, one already scheduled
    assert [(n["content_id"], n["code"]) for n in result["not_scheduled"]] == [
        (ids[2], "queue_full"),
        (ids[3], "queue_full"),
    ]
    assert "queue is full" in result["not_scheduled"][0]["reason"]
    scheduled = Content.objects.filter(id__in=ids, site_status=Content.SiteStatus.SCHEDULED).order_by(
        "scheduled_publish_at"
    )
    assert [c.id for c in scheduled] == ids[:2]
    berlin = [c.scheduled_publish_at.astimezone(ZoneInfo("Europe/Berlin")) for c in scheduled]
    assert {d.strftime("%H:%M") for d in berlin} <= {"10:00", "16:00"}
    assert berlin[0] != berlin[1] and all(d > timezone.now() for d in berlin)
    assert already.id not in [n["content_id"] for n in result["not_scheduled"]]


def test_all_days_disallowed_reports_the_reason(alice_site):
    PublishingSettings.objects.create(
        site=alice_site,
        auto_approval_enabled=True,
        auto_publish_enabled=True,
        publish_days=[],
    )
    ids = in_review(alice_site, 2)
    result = process_review_gate(alice_site, max_approvals=0)
    assert result["approved_count"] == 2 and result["scheduled_count"] == 0
    assert [(n["content_id"], n["code"]) for n in result["not_scheduled"]] == [(i, "no_publish_days") for i in ids]


def test_never_double_books_against_existing_scheduled_items(alice_site):
    PublishingSettings.objects.create(
        site=alice_site,
        auto_approval_enabled=True,
        auto_publish_enabled=True,
        scheduling_mode="stagger",
        publish_days=["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
        stagger_start_time="08:00",
        stagger_end_time="09:00",
        stagger_interval_minutes=30,
    )
    in_review(alice_site, 3)
    process_review_gate(alice_site)
    in_review(alice_site, 4, start=3)
    process_review_gate(alice_site)
    times = list(
        Content.objects.filter(site=alice_site, site_status="scheduled").values_list("scheduled_publish_at", flat=True)
    )
    assert len(times) == 7 and len(set(times)) == 7
