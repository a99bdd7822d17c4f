"""Fixtures of the AI tests: media in a temp dir, the demo provider, pipeline rows."""

from decimal import Decimal

import pytest

from igny8_core.ai.engine import AIEngine
from igny8_core.ai.providers.demo import DemoProvider
from igny8_core.billing.models import CreditTransaction
from igny8_core.planner.models import Clusters, ContentIdeas, Keywords
from igny8_core.writer.models import Content, Images, Tasks

COFFEE = [
    "pour over coffee ratio",
    "best pour over coffee maker",
    "pour over coffee kettle",
    "french press coffee ratio",
    "best french press",
    "how to clean a french press",
    "cold brew coffee recipe",
    "cold brew concentrate ratio",
    "cold brew coffee maker",
    "espresso machine for beginners",
    "how to descale espresso machine",
    "latte art",
]


@pytest.fixture(autouse=True)
def ai_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast fixtures
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IGNY8_LOG_ROOT = tmp_path / "logs"
    settings.IGNY8_AI_PROVIDER = "demo"
    settings.OUTBOUND_ALLOWED_ADDRESSES = ["127.0.0.1"]  # the fake OpenAI server serves image URLs
    settings.IGNY8_AI_IDEAS_PER_CLUSTER = 2
    settings.IGNY8_AI_CONTENT_WORDS = 1200
    settings.IGNY8_AI_CONTENT_MAX_WORDS = 2500
    settings.IGNY8_IMAGE_FORMAT = "JPEG"
    settings.IGNY8_IMAGE_MAX_SIZE = 800
    settings.IGNY8_IMAGE_THUMBNAIL_SIZE = 200
    # One attempt: a failure takes the item out of its pending state at once (the tests of
    # later attempts raise it themselves).
    settings.AI_MAX_ITEM_ATTEMPTS = 1
    return settings


@pytest.fixture
def account(alice_account):
    return alice_account


@pytest.fixture
def site(alice_site):
    alice_site.topic = "home coffee brewing"
    alice_site.in_article_images = 2
    alice_site.save()
    return alice_site


@pytest.fixture
def demo():
    return DemoProvider(image_size="640x360")


@pytest.fixture
def engine(account, site, demo):
    return AIEngine(account, site, demo)


def make_keywords(site, texts=COFFEE):
    return [Keywords.objects.create(site=site, keyword=text, volume=100 * (n + 1)) for n, text in enumerate(texts)]


def make_cluster(site, name="Cold Brew", keywords=("cold brew recipe", "cold brew ratio")):
    cluster = Clusters.objects.create(site=site, name=name, description=f"All about {name}")
    for text in keywords:
        Keywords.objects.create(site=site, keyword=text, cluster=cluster, status=Keywords.Status.MAPPED)
    cluster.keywords_count = len(keywords)
    cluster.save()
    return cluster


def make_idea(site, cluster=None, title="The Complete Guide to Cold Brew"):
    return ContentIdeas.objects.create(
        site=site,
        cluster=cluster,
        idea_title=title,
        description="Angle: simple and cheap.",
        content_structure="guide",
        target_keywords=["cold brew recipe", "cold brew ratio"],
    )


def make_task(site, title="The Complete Guide to Cold Brew", idea=None, cluster=None):
    return Tasks.objects.create(
        site=site,
        title=title,
        description="How to make cold brew at home.",
        idea=idea,
        cluster=cluster,
        keywords=["cold brew recipe", "cold brew ratio"],
        content_structure="how_to",
    )


def make_content(site, title="Cold Brew at Home", task=None):
    html = "".join(
        f"<h2>Section {n}</h2><p>{'Cold brew is smooth and easy to make at home. ' * 8}</p>" for n in range(1, 4)
    )
    return Content.objects.create(site=site, title=title, html_content=html, word_count=0, task=task)


def make_images(content, count=2):
    return [
        Images.objects.create(
            site=content.site,
            content=content,
            position=n,
            image_type="featured" if n == 0 else "in_article",
            prompt=f"A cup of cold brew, view {n}",
        )
        for n in range(count)
    ]


def deductions(account):
    return list(CreditTransaction.objects.filter(account=account, transaction_type="deduction").order_by("id"))


def balance(account) -> Decimal:
    account.refresh_from_db()
    return account.credits_balance
