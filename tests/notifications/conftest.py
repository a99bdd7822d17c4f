import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


@pytest.fixture(autouse=True)
def _local_targets(settings, tmp_path):
    settings.OUTBOUND_ALLOWED_ADDRESSES = ["127.0.0.1"]  # the local webhook receiver
    settings.IGNY8_LOG_ROOT = tmp_path / "logs"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def api(alice) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=alice)[0].key}")
    return client


@pytest.fixture
def small_site(alice_site):
    alice_site.in_article_images = 0
    alice_site.save()
    return alice_site
