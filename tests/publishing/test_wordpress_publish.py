"""Publishing to a REAL WordPress (Debian package, PHP built-in server, MariaDB)."""

import requests
from django.utils import timezone

from igny8_core.publishing.models import WordPressMedia
from igny8_core.publishing.publisher import publish_content, publish_due
from igny8_core.publishing.wordpress import WordPressClient, WordPressError
from igny8_core.writer.models import Content

from .conftest import make_content


def test_publishes_post_with_featured_and_in_article_images(wordpress, wp_connection, alice_site):
    content = make_content(alice_site, title="Growing tomatoes on a balcony", in_article=2)

    counts = publish_due()

    assert counts.get("published") == 1
    content.refresh_from_db()
    assert content.site_status == Content.SiteStatus.PUBLISHED
    assert content.status == Content.Status.PUBLISHED
    assert content.published_at is not None and content.publish_error == ""
    assert content.external_url.startswith(wordpress.url)

    post = wordpress.rest(f"/wp/v2/posts/{content.external_id}", context="edit")
    assert post["status"] == "publish"
    assert post["title"]["raw"] == "Growing tomatoes on a balcony"
    assert post["link"] == content.external_url
    assert post["excerpt"]["raw"] == "Summary of Growing tomatoes on a balcony."
    body = post["content"]["raw"]
    assert "<h2>Section 1</h2>" in body and "Paragraph 3 of Growing tomatoes" in body

    # featured image uploaded as media and attached
    featured = wordpress.rest(f"/wp/v2/media/{post['featured_media']}")
    assert featured["media_type"] == "image" and featured["mime_type"] == "image/png"
    assert featured["alt_text"] == "featured image 0"
    fetched = requests.get(featured["source_url"], timeout=30)
    assert fetched.status_code == 200 and fetched.content[:8] == b"\x89PNG\r\n\x1a\n"

    # in-article images uploaded; the article references WordPress URLs, under their sections
    uploaded = {m.source_url for m in WordPressMedia.objects.filter(image__content=content)}
    assert len(uploaded) == 3
    in_article = sorted(u for u in uploaded if u != featured["source_url"])
    for url in in_article:
        assert body.count(url) == 1
        assert requests.get(url, timeout=30).status_code == 200
    assert "/media/" not in body
    first_image_at = min(body.index(url) for url in in_article)
    assert body.index("</h2>") < first_image_at < body.index("<h2>Section 2</h2>")


def test_retry_after_a_failure_between_draft_and_publish_updates_the_same_post(
    wordpress, wp_connection, alice_site, monkeypatch
):
    content = make_content(alice_site, title="Failure between draft and publish", in_article=1)
    real_update = WordPressClient.update_post

    def fail_once(self, post_id, fields):
        monkeypatch.setattr(WordPressClient, "update_post", real_update)
        raise WordPressError("WordPress answered 503 (simulated outage)")

    monkeypatch.setattr(WordPressClient, "update_post", fail_once)
    assert publish_content(content.id) == "retry"
    content.refresh_from_db()
    draft_id = content.external_id
    assert draft_id and content.site_status == Content.SiteStatus.SCHEDULED
    assert "Attempt 1 failed" in content.publish_error and content.scheduled_publish_at > timezone.now()

    Content.objects.filter(id=content.id).update(scheduled_publish_at=timezone.now())
    assert publish_content(content.id) == "published"

    content.refresh_from_db()
    assert content.external_id == draft_id and content.publish_attempts == 2
    found = wordpress.rest("/wp/v2/posts", search="Failure between draft and publish", status="publish,draft")
    assert [p["id"] for p in found] == [int(draft_id)]
    assert found[0]["status"] == "publish"
    assert WordPressMedia.objects.filter(image__content=content).count() == 2  # uploaded once each


def test_wrong_application_password_fails_permanently_with_reason(wordpress, wp_connection, alice_site):
    wp_connection.application_password = "wrong password wrong pass"
    wp_connection.save()
    content = make_content(alice_site, title="Never published", in_article=0, featured=False)

    assert publish_content(content.id) == "failed"

    content.refresh_from_db()
    assert content.site_status == Content.SiteStatus.FAILED
    assert "401" in content.publish_error and "permanent" in content.publish_error
    assert content.publish_attempts == 1
    wp_connection.refresh_from_db()  # refused credentials: the dashboard's WordPress warning shows
    assert wp_connection.last_test_ok is False and "401" in wp_connection.last_test_error

    # The password fixed, the next publish that gets through clears the warning.
    wp_connection.application_password = wordpress.app_password
    wp_connection.save()
    assert (
        publish_content(make_content(alice_site, title="Published after the fix", in_article=0, featured=False).id)
        == "published"
    )
    wp_connection.refresh_from_db()
    assert wp_connection.last_test_ok is True and wp_connection.last_test_error == ""
