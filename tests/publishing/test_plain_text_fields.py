"""Title and excerpt are plain text (model output, possibly steered by imported keywords). WordPress
stores them as given for an administrator's application password (unfiltered_html) and themes print
titles unescaped, so markup in them must not reach WordPress; the body is sanitised already."""

import pytest

from igny8_core.publishing.models import WordPressConnection
from igny8_core.publishing.publisher import WordPressPublisher
from igny8_core.writer.models import Content

pytestmark = pytest.mark.django_db


class RecordingClient:
    def __init__(self):
        self.calls = []

    def create_post(self, fields):
        self.calls.append(fields)
        return {"id": 5}

    def update_post(self, post_id, fields):
        self.calls.append(fields)
        return {"id": post_id, "link": "https://wp.example.com/?p=5"}


def test_title_and_excerpt_reach_wordpress_without_markup(alice_site):
    connection = WordPressConnection(site=alice_site, url="https://wp.example.com", username="ed")
    connection.application_password = "pw"
    connection.save()
    content = Content.objects.create(
        site=alice_site,
        title="Salt & Pepper <script>alert(1)</script><img src=x onerror=alert(2)>",
        meta_description="Best <b>tips</b> for 5 < 10 people",
        html_content="<p>Body.</p>",
        status="approved",
        site_status="publishing",
    )
    client = RecordingClient()
    WordPressPublisher(connection, client=client).publish(content)
    for fields in client.calls:
        assert "<" not in fields["title"].replace("5 < 10", "") and "onerror" not in fields["title"]
        assert fields["title"].startswith("Salt & Pepper")
        assert fields["excerpt"] == "Best tips for 5 < 10 people"
        assert fields["content"] == "<p>Body.</p>"
