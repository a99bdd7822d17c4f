"""Publishing due content to WordPress.

Claim before send: an item is taken with a conditional UPDATE (scheduled -> publishing, only if
still scheduled and due), so of two workers racing for one item exactly one proceeds. The post
is first created as a draft and its id saved at once; later attempts update that post instead
of creating another, and uploaded images are remembered (WordPressMedia), so a retry or a
recovered crash never publishes a second copy.

Failures: transient errors (timeouts, 5xx, 429) reschedule the item with exponential backoff;
after PUBLISH_MAX_ATTEMPTS attempts, or at once for permanent errors (no connection, bad
credentials, rejected request), the item is marked failed with the reason.
"""

import json
import logging
import mimetypes
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import F
from django.utils import timezone
from django.utils.html import strip_tags

from igny8_core.ai import linking
from igny8_core.notifications.events import notify_publishing_failed
from igny8_core.writer.models import Content, Images

from .connections import record_connection_state
from .html import ArticleImage, place_images
from .models import WordPressConnection, WordPressMedia
from .services import schedule_for_auto_publish_sites
from .wordpress import WordPressClient, WordPressError

log = logging.getLogger(__name__)
MAX_BACKOFF = timedelta(hours=6)


MAX_TAGS = 10


def json_ld_script(content: Content, image_url: str = "") -> str:
    """The content's JSON-LD as published: its graph with the publication date and the
    featured image. `</` is escaped so the JSON cannot close the script element."""
    graph = dict(content.schema_json or {})
    if not graph.get("@graph"):
        return ""
    article = dict(graph["@graph"][0])
    now = content.published_at or timezone.now()
    article.setdefault("datePublished", now.isoformat())
    article["dateModified"] = timezone.now().isoformat()
    if image_url:
        article["image"] = [image_url]
    graph["@graph"] = [article, *graph["@graph"][1:]]
    data = json.dumps(graph, ensure_ascii=False).replace("</", "<\\/")
    return f'\n<script type="application/ld+json">{data}</script>'


class PermanentPublishError(WordPressError):
    def __init__(self, message: str):
        super().__init__(message, permanent=True)


@dataclass(frozen=True)
class Published:
    post_id: int
    url: str


def claim(content_id: int, now: datetime) -> bool:
    """Take a due item for publishing; True for exactly one caller."""
    return bool(
        Content.objects.filter(
            id=content_id, site_status=Content.SiteStatus.SCHEDULED, scheduled_publish_at__lte=now
        ).update(
            site_status=Content.SiteStatus.PUBLISHING,
            publish_attempts=F("publish_attempts") + 1,
            updated_at=now,  # the claim time, used to detect claims of crashed workers
        )
    )


def release_stale_claims(now: datetime) -> int:
    """Items left 'publishing' by a worker that died go back to the schedule (due now)."""
    stale_before = now - timedelta(seconds=settings.PUBLISH_CLAIM_TIMEOUT)
    return Content.objects.filter(site_status=Content.SiteStatus.PUBLISHING, updated_at__lt=stale_before).update(
        site_status=Content.SiteStatus.SCHEDULED, scheduled_publish_at=now, updated_at=now
    )


def due_content_ids(now: datetime, limit: int) -> list[int]:
    return list(
        Content.objects.filter(site_status=Content.SiteStatus.SCHEDULED, scheduled_publish_at__lte=now)
        .order_by("scheduled_publish_at", "id")
        .values_list("id", flat=True)[:limit]
    )


class WordPressPublisher:
    """Sends one content (with its images) to one WordPress connection."""

    def __init__(self, connection: WordPressConnection, client: WordPressClient | None = None):
        self.connection = connection
        self.client = client or WordPressClient.for_connection(connection)

    def publish(self, content: Content) -> Published:
        images = list(content.images.filter(status=Images.Status.GENERATED).exclude(file="").order_by("position", "id"))
        featured = next((i for i in images if i.image_type == Images.ImageType.FEATURED), None)
        in_article = [i for i in images if i.image_type == Images.ImageType.IN_ARTICLE]
        media = {image.id: self._ensure_media(image) for image in images}
        html = place_images(
            content.html_content,
            [
                ArticleImage(
                    local_urls=self._local_urls(image),
                    remote_url=media[image.id].source_url,
                    alt=image.alt_text or content.title,
                )
                for image in in_article
            ],
        )
        html = linking.published_html(html, content.site_id)
        image_url = media[featured.id].source_url if featured else ""
        html += json_ld_script(content, image_url)
        # Title and excerpt are plain text: WordPress stores them as sent for an administrator
        # (unfiltered_html) and themes print titles unescaped, so no markup may get through.
        fields: dict[str, Any] = {
            "title": strip_tags(content.title),
            "content": html,
            "excerpt": strip_tags(content.meta_description),
            **self._taxonomy(content),
        }
        if content.slug:
            fields["slug"] = content.slug
        if featured:
            fields["featured_media"] = media[featured.id].media_id
        post_id = int(content.external_id) if content.external_id.isdigit() else None
        if post_id is None:
            draft = self.client.create_post({**fields, "status": "draft"})
            post_id = int(draft["id"])
            # Saved before publishing: a later attempt updates this post, never creates another.
            Content.objects.filter(id=content.id).update(external_id=str(post_id))
        post = self.client.update_post(post_id, {**fields, "status": "publish"})
        return Published(post_id=post_id, url=post.get("link") or "")

    def _taxonomy(self, content: Content) -> dict[str, list[int]]:
        """Category from the cluster, tags from the target keywords (created when missing)."""
        fields = {}
        if content.cluster_id and content.cluster:
            fields["categories"] = [self.client.term_id("categories", content.cluster.name)]
        keywords = list(content.task.keywords or []) if content.task_id and content.task else []
        if keywords:
            names = list(dict.fromkeys(" ".join(k.split()) for k in keywords if k.strip()))[:MAX_TAGS]
            fields["tags"] = [self.client.term_id("tags", name) for name in names]
        return fields

    def _ensure_media(self, image: Images) -> WordPressMedia:
        known = WordPressMedia.objects.filter(image=image, connection=self.connection).first()
        if known:
            return known
        with image.file.open("rb") as handle:
            data = handle.read()
        filename = os.path.basename(image.file.name or "")
        mime = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        uploaded = self.client.upload_media(filename, data, mime, alt_text=image.alt_text or image.prompt[:120])
        media, _ = WordPressMedia.objects.get_or_create(
            image=image,
            connection=self.connection,
            defaults={"media_id": uploaded["id"], "source_url": uploaded["source_url"]},
        )
        return media

    @staticmethod
    def _local_urls(image: Images) -> tuple[str, ...]:
        try:
            return (image.file.url, image.file.name or "")
        except ValueError:
            return (image.file.name or "",)


def _active_connection(site_id: int) -> WordPressConnection:
    connection = WordPressConnection.objects.filter(site_id=site_id, is_active=True).first()
    if connection is None:
        raise PermanentPublishError("The site has no active WordPress connection (Settings → Publishing).")
    return connection


def _retry_delay(attempts: int) -> timedelta:
    return min(timedelta(seconds=settings.PUBLISH_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def _record_failure(content: Content, error: Exception, permanent: bool, now: datetime) -> str:
    attempts = Content.objects.values_list("publish_attempts", flat=True).get(id=content.id)
    still_claimed = Content.objects.filter(id=content.id, site_status=Content.SiteStatus.PUBLISHING)
    if permanent or attempts >= settings.PUBLISH_MAX_ATTEMPTS:
        why = "permanent error" if permanent else f"gave up after {attempts} attempts"
        if still_claimed.update(
            site_status=Content.SiteStatus.FAILED, publish_error=f"{error} ({why})", updated_at=now
        ):
            notify_publishing_failed(content.site_id, content.site.name, content.title, f"{error} ({why})")
        log.warning("Publishing content %s failed (%s): %s", content.id, why, error)
        return "failed"
    retry_at = now + _retry_delay(attempts)
    still_claimed.update(
        site_status=Content.SiteStatus.SCHEDULED,
        scheduled_publish_at=retry_at,
        updated_at=now,
        publish_error=f"Attempt {attempts} failed: {error}. Retrying at {retry_at:%Y-%m-%d %H:%M} UTC.",
    )
    log.info("Publishing content %s failed (attempt %s), retry at %s: %s", content.id, attempts, retry_at, error)
    return "retry"


def publish_content(content_id: int, now: datetime | None = None) -> str:
    """Publish one due item. Returns 'published', 'retry', 'failed' or 'skipped' (not ours)."""
    now = now or timezone.now()
    if not claim(content_id, now):
        return "skipped"
    content = Content.objects.select_related("cluster", "task").get(id=content_id)
    connection = None
    try:
        connection = _active_connection(content.site_id)
        published = WordPressPublisher(connection).publish(content)
    except WordPressError as exc:
        if exc.connection and connection is not None:  # the dashboard warns until one gets through
            record_connection_state(connection, False, str(exc), at=now)
        return _record_failure(content, exc, exc.permanent, now)
    except Exception as exc:  # a bug or a broken image file must not leave the item 'publishing'
        log.exception("Unexpected error publishing content %s", content_id)
        return _record_failure(content, exc, False, now)
    Content.objects.filter(id=content_id, site_status=Content.SiteStatus.PUBLISHING).update(
        site_status=Content.SiteStatus.PUBLISHED,
        status=Content.Status.PUBLISHED,
        external_id=str(published.post_id),
        external_url=published.url,
        published_at=timezone.now(),
        publish_error="",
        updated_at=timezone.now(),
    )
    if connection.last_test_ok is False:  # it got through: the warning goes
        record_connection_state(connection, True, at=now)
    return "published"


def publish_due(now: datetime | None = None, limit: int | None = None) -> dict[str, int]:
    """One publisher tick: recover stale claims, schedule auto-publish content, publish due items."""
    now = now or timezone.now()
    counts = {"released": release_stale_claims(now), "scheduled": schedule_for_auto_publish_sites(now)}
    for content_id in due_content_ids(now, limit or settings.PUBLISH_BATCH_SIZE):
        # A long tick must stamp each claim with the time it is taken: a claim dated at the tick's
        # start would look stale to a concurrent tick, which would release and publish it again.
        outcome = publish_content(content_id, now=max(now, timezone.now()))
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts
