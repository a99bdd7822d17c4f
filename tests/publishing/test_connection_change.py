"""A WordPress post id only means something on the WordPress it was created on. When the site's
connection moves to another address, unpublished content must forget the post id of the old
WordPress, or a retry would overwrite whatever post has that id on the new one."""

import pytest

from igny8_core.publishing.connections import save_connection
from igny8_core.publishing.models import WordPressConnection
from igny8_core.writer.models import Content

pytestmark = pytest.mark.django_db


def test_moving_the_connection_forgets_post_ids_of_unpublished_content(alice_site, bob_site):
    save_connection(alice_site, "https://old.example.com", "ed", "pw")
    failed = Content.objects.create(
        site=alice_site, title="f", status="approved", site_status="failed", external_id="42"
    )
    scheduled = Content.objects.create(
        site=alice_site, title="s", status="approved", site_status="scheduled", external_id="43"
    )
    published = Content.objects.create(
        site=alice_site,
        title="p",
        status="published",
        site_status="published",
        external_id="44",
        external_url="https://old.example.com/p",
    )
    bobs = Content.objects.create(site=bob_site, title="b", status="approved", site_status="failed", external_id="45")

    save_connection(alice_site, "https://old.example.com", "editor", None)  # same WordPress: ids still valid
    assert Content.objects.get(pk=failed.pk).external_id == "42"

    save_connection(alice_site, "https://new.example.com", "editor", "pw2")
    assert Content.objects.get(pk=failed.pk).external_id == ""
    assert Content.objects.get(pk=scheduled.pk).external_id == ""
    assert Content.objects.get(pk=published.pk).external_id == "44"  # history of what was published where
    assert Content.objects.get(pk=bobs.pk).external_id == "45"


def test_a_connection_made_anew_forgets_post_ids_of_unpublished_content(alice_site):
    save_connection(alice_site, "https://old.example.com", "ed", "pw")
    failed = Content.objects.create(
        site=alice_site, title="f", status="approved", site_status="failed", external_id="42"
    )
    WordPressConnection.objects.filter(site=alice_site).delete()  # DELETE wordpress/, then a new one
    save_connection(alice_site, "https://new.example.com", "ed", "pw")
    assert Content.objects.get(pk=failed.pk).external_id == ""
