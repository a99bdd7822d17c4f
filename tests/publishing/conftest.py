"""Fixtures of the publishing tests: a real WordPress (session-wide), content with real images."""

import io
import warnings
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image as PILImage

from igny8_core.publishing.models import WordPressConnection
from igny8_core.writer.models import Content, Images

from . import wordpress_server


@pytest.fixture(autouse=True)
def _isolated_files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IGNY8_LOG_ROOT = tmp_path / "logs"
    # The test WordPress and the capture servers listen on loopback, which the outbound policy
    # refuses otherwise (tests/security checks the refusals).
    settings.OUTBOUND_ALLOWED_ADDRESSES = ["127.0.0.1"]


@pytest.fixture(scope="session")
def wordpress(tmp_path_factory):
    """A running WordPress 6 (Debian package) with an application password."""
    problem = wordpress_server.missing_requirements()
    if problem:
        message = (
            f"\n\n!!! REAL WORDPRESS TESTS SKIPPED: {problem}.\n"
            "!!! Install: apt-get install -y wordpress php-cli php-mysql (and MariaDB on 127.0.0.1:3306).\n"
        )
        warnings.warn(message, stacklevel=2)
        pytest.skip(message)
    server = wordpress_server.start(tmp_path_factory.mktemp("wp"))
    yield server
    server.stop()


@pytest.fixture
def wp_connection(wordpress, alice_site):
    connection = WordPressConnection(site=alice_site, url=wordpress.url, username=wordpress.username)
    connection.application_password = wordpress.app_password
    connection.save()
    return connection


def png_bytes(color=(200, 40, 40), size=(64, 48)) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


def make_content(site, title="A test article", in_article=2, featured=True, due=True, **fields):
    """Approved content scheduled in the past (due), with generated images."""
    sections = "".join(f"<h2>Section {n}</h2><p>Paragraph {n} of {title}.</p>" for n in range(1, 4))
    values = {
        "title": title,
        "html_content": f"<p>Intro.</p>{sections}",
        "meta_description": f"Summary of {title}.",
        "word_count": 20,
        "status": Content.Status.APPROVED,
        "site_status": Content.SiteStatus.SCHEDULED if due else Content.SiteStatus.NOT_PUBLISHED,
        "scheduled_publish_at": timezone.now() - timedelta(minutes=1) if due else None,
    }
    values.update(fields)
    content = Content.objects.create(site=site, **values)
    kinds = ([(Images.ImageType.FEATURED, 0)] if featured else []) + [
        (Images.ImageType.IN_ARTICLE, n) for n in range(1, in_article + 1)
    ]
    for kind, position in kinds:
        image = Images(
            site=site,
            content=content,
            image_type=kind,
            position=position,
            prompt=f"{kind} {position} of {title}",
            alt_text=f"{kind} image {position}",
            status=Images.Status.GENERATED,
        )
        image.file.save(
            f"c{content.id}-{kind}-{position}.png", ContentFile(png_bytes((40 * position, 90, 160))), save=False
        )
        image.save()
    return content
