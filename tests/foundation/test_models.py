from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from igny8_core.accounts.models import Account, Site, User
from igny8_core.planner.models import Clusters, ContentIdeas, Keywords
from igny8_core.writer.models import Content, Images, Tasks


def test_user_without_account_gets_one(db):
    user = User.objects.create_user("solo", password="pw-123456789")
    assert user.account.name == "solo's account"
    assert user.account.credits_balance == Decimal("0")


def test_keyword_unique_per_site_case_insensitive(alice_site, bob_site):
    Keywords.objects.create(site=alice_site, keyword="Cold Brew")
    with pytest.raises(IntegrityError), transaction.atomic():
        Keywords.objects.create(site=alice_site, keyword="cold brew")
    # Same keyword on another site is fine, and the account is taken from the site.
    other = Keywords.objects.create(site=bob_site, keyword="cold brew")
    assert other.account_id == bob_site.account_id
    assert Keywords.objects.get(site=alice_site).status == Keywords.Status.NEW


def test_cluster_name_unique_per_site(alice_site):
    Clusters.objects.create(site=alice_site, name="Coffee")
    with pytest.raises(IntegrityError), transaction.atomic():
        Clusters.objects.create(site=alice_site, name="COFFEE")


def test_balance_can_never_be_negative_in_the_database(db):
    acc = Account.objects.create(name="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(pk=acc.pk).update(credits_balance=Decimal("-1"))


def test_one_task_per_idea_and_one_content_per_task(alice_site):
    idea = ContentIdeas.objects.create(site=alice_site, idea_title="Idea")
    task = Tasks.objects.create(site=alice_site, title="T", idea=idea)
    with pytest.raises(IntegrityError), transaction.atomic():
        Tasks.objects.create(site=alice_site, title="T2", idea=idea)
    Content.objects.create(site=alice_site, task=task, title="C")
    with pytest.raises(IntegrityError), transaction.atomic():
        Content.objects.create(site=alice_site, task=task, title="C2")


def test_image_slot_unique_and_lifecycle_defaults(alice_site):
    content = Content.objects.create(site=alice_site, title="C")
    assert content.status == Content.Status.DRAFT
    assert content.site_status == Content.SiteStatus.NOT_PUBLISHED
    img = Images.objects.create(site=alice_site, content=content, image_type="featured", position=0, prompt="p")
    assert img.status == Images.Status.PENDING
    with pytest.raises(IntegrityError), transaction.atomic():
        Images.objects.create(site=alice_site, content=content, image_type="featured", position=0, prompt="p")


def test_site_timezone_is_validated(alice_account):
    site = Site(account=alice_account, name="x", domain="x.example.com", timezone="Mars/Olympus")
    with pytest.raises(ValidationError) as err:
        site.full_clean()
    assert "timezone" in err.value.message_dict
    site.timezone = "Europe/Berlin"
    site.full_clean()
    assert str(site.tzinfo) == "Europe/Berlin"


def test_str_methods(alice_site):
    kw = Keywords.objects.create(site=alice_site, keyword="espresso")
    assert str(kw) == "espresso"
    assert "alice.example.com" in str(alice_site)
    content = Content.objects.create(site=alice_site, title="Hello")
    img = Images.objects.create(site=alice_site, content=content, image_type="in_article", position=2, prompt="p")
    assert str(img) == f"In article #2 of content {content.pk}"
