"""Review workflow over the API: reject (with or without a new draft) and edit before publishing."""

import pytest

from igny8_core.planner.models import ContentIdeas
from igny8_core.writer.models import Content, Tasks

from . import factories as f

pytestmark = pytest.mark.django_db


def reject(api, content, **body):
    return api.post(f"/api/v1/writer/content/{content.pk}/reject/", body, format="json")


def test_reject_keeps_the_draft_with_its_reason_and_leaves_the_task_alone(api, alice_site):
    items = f.pipeline(alice_site)
    response = reject(api, items["content"], reason="Off topic")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "rejected" and body["rejection_reason"] == "Off topic" and body["rejected_at"]
    assert "html_content" in body
    items["task"].refresh_from_db()
    assert items["task"].status == Tasks.Status.COMPLETED
    listed = api.get("/api/v1/writer/content/", {"status": "rejected"}).json()["results"]
    assert [c["id"] for c in listed] == [items["content"].pk]


def test_reject_with_regenerate_queues_the_task_again(api, alice_site):
    items = f.pipeline(alice_site)
    response = reject(api, items["content"], reason="Too thin", regenerate=True)
    assert response.status_code == 200, response.content
    content = Content.objects.get(pk=items["content"].pk)
    assert content.status == "rejected" and content.task_id is None and content.rejected_task_id == items["task"].pk
    task = Tasks.objects.get(pk=items["task"].pk)
    assert task.status == Tasks.Status.QUEUED
    assert ContentIdeas.objects.get(pk=items["idea"].pk).status == ContentIdeas.Status.QUEUED


def test_rejecting_an_approved_scheduled_draft_takes_it_out_of_the_publishing_queue(api, alice_site):
    content = f.content(alice_site, status="approved", site_status="scheduled")
    assert reject(api, content, reason="Wrong facts").status_code == 200
    content.refresh_from_db()
    assert content.site_status == "not_published" and content.scheduled_publish_at is None


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"status": "published", "site_status": "published"}, "already_published"),
        ({"status": "approved", "site_status": "publishing"}, "already_published"),
        ({"status": "rejected"}, "already_rejected"),
    ],
)
def test_reject_conflicts(api, alice_site, fields, code):
    content = f.content(alice_site, **fields)
    response = reject(api, content, reason="x")
    assert response.status_code == 409 and response.json()["code"] == code
    assert Content.objects.get(pk=content.pk).status == fields["status"]


def test_regenerate_without_a_task_is_a_conflict_and_changes_nothing(api, alice_site):
    content = f.content(alice_site)
    response = reject(api, content, reason="x", regenerate=True)
    assert response.status_code == 409 and response.json()["code"] == "no_task"
    assert Content.objects.get(pk=content.pk).status == "review"


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "x", "regenerate": "maybe"}, {"reason": "x" * 2001}])
def test_reject_validates_its_body(api, alice_site, body):
    content = f.content(alice_site)
    response = api.post(f"/api/v1/writer/content/{content.pk}/reject/", body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert Content.objects.get(pk=content.pk).status == "review"


def test_another_accounts_content_cannot_be_rejected_or_edited(api, alice_site, bob_site):
    theirs = f.content(bob_site)
    assert reject(api, theirs, reason="x").status_code == 404
    response = api.patch(f"/api/v1/writer/content/{theirs.pk}/", {"title": "Mine now"}, format="json")
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "review" and theirs.title != "Mine now"


def test_edit_sanitises_the_body_like_ai_output_and_recounts_words(api, alice_site):
    content = f.content(alice_site)
    response = api.patch(
        f"/api/v1/writer/content/{content.pk}/",
        {
            "title": "A better title",
            "html_content": '<h1>Big</h1><p onclick="x()">One two three</p><script>alert(1)</script>'
            '<a href="javascript:evil()">four</a>',
            "meta_title": "Meta",
            "meta_description": "Described.",
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["title"] == "A better title" and body["meta_title"] == "Meta"
    html = body["html_content"]
    assert "<script" not in html and "onclick" not in html and "javascript:" not in html
    assert "<h2>Big</h2>" in html
    content.refresh_from_db()
    assert content.html_content == html and content.word_count == 5


@pytest.mark.parametrize(
    "body",
    [{}, {"title": ""}, {"status": "approved"}, {"word_count": 9}, {"meta_title": "x" * 301}, {"bogus": 1}],
)
def test_edit_validates_fields(api, alice_site, body):
    content = f.content(alice_site)
    response = api.patch(f"/api/v1/writer/content/{content.pk}/", body, format="json")
    assert response.status_code == 400, response.content
    fresh = Content.objects.get(pk=content.pk)
    assert (fresh.title, fresh.status, fresh.word_count) == (content.title, content.status, content.word_count)


@pytest.mark.parametrize("site_status", ["published", "publishing"])
def test_published_content_cannot_be_edited(api, alice_site, site_status):
    content = f.content(alice_site, status="approved", site_status=site_status)
    response = api.patch(f"/api/v1/writer/content/{content.pk}/", {"title": "Changed"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "already_published"
    assert Content.objects.get(pk=content.pk).title == content.title


def test_edit_sets_a_slug_that_is_unique_per_site(api, alice, alice_site):
    first, second = f.content(alice_site), f.content(alice_site)
    other_site = alice_site.__class__.objects.create(account=alice.account, name="Two", domain="two.example.com")
    elsewhere = f.content(other_site)
    url = "/api/v1/writer/content/{}/"
    response = api.patch(url.format(first.pk), {"slug": "best-espresso-grinder"}, format="json")
    assert response.status_code == 200 and response.json()["slug"] == "best-espresso-grinder"
    taken = api.patch(url.format(second.pk), {"slug": "best-espresso-grinder"}, format="json")
    assert taken.status_code == 400 and "slug" in taken.json()
    assert Content.objects.get(pk=second.pk).slug == ""
    assert api.patch(url.format(elsewhere.pk), {"slug": "best-espresso-grinder"}, format="json").status_code == 200
    assert api.patch(url.format(second.pk), {"slug": "not a slug!"}, format="json").status_code == 400
