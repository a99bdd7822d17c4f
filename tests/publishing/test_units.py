"""Small pure pieces: encryption at rest, image placement in HTML, settings validation, admin."""

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ValidationError

from igny8_core.publishing import crypto
from igny8_core.publishing.html import ArticleImage, place_images
from igny8_core.publishing.models import PublishingSettings, WordPressConnection


def test_encryption_round_trip_and_key_rotation(settings):
    settings.FIELD_ENCRYPTION_KEY = ""
    token = crypto.encrypt("abcd efgh ijkl")
    assert "abcd" not in token and crypto.decrypt(token) == "abcd efgh ijkl"
    assert crypto.encrypt("abcd efgh ijkl") != token  # random IV: equal secrets do not look equal

    settings.FIELD_ENCRYPTION_KEY = Fernet.generate_key().decode()
    assert crypto.decrypt(token) == "abcd efgh ijkl"  # written under SECRET_KEY, still readable
    new_token = crypto.encrypt("xyz")
    settings.FIELD_ENCRYPTION_KEY = "any passphrase works too"
    with pytest.raises(crypto.DecryptionError, match="Re-enter"):
        crypto.decrypt(new_token)
    settings.SECRET_KEY = "another-secret-key"
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token)


def test_images_go_under_their_sections_or_replace_local_references():
    html = "<p>intro</p><h2>One</h2><p>a</p><h2>Two</h2><p>b</p>"
    out = place_images(
        html,
        [
            ArticleImage(("/media/x1.png",), "https://wp/1.png", 'alt "one"'),
            ArticleImage(("/media/x2.png",), "https://wp/2.png"),
            ArticleImage(("/media/x3.png",), "https://wp/3.png"),
        ],
    )
    assert out.startswith("<p>intro</p><h2>One</h2><figure")
    assert out.index("https://wp/1.png") < out.index("<h2>Two</h2>") < out.index("https://wp/2.png")
    assert out.endswith('<img src="https://wp/3.png" alt=""/></figure>')  # more images than sections
    assert 'alt="alt &quot;one&quot;"' in out

    referenced = '<h2>A</h2><p><img src="/media/x1.png" alt="a"></p>'
    out = place_images(referenced, [ArticleImage(("/media/x1.png",), "https://wp/1.png")])
    assert out == '<h2>A</h2><p><img src="https://wp/1.png" alt="a"></p>'


def test_model_clean_applies_the_api_rules(alice_site):
    settings = PublishingSettings(site=alice_site, stagger_interval_minutes=0, publish_days=["xyz"])
    with pytest.raises(ValidationError) as caught:
        settings.clean()
    assert set(caught.value.message_dict) == {"stagger_interval_minutes", "publish_days"}
    PublishingSettings(site=alice_site).clean()  # defaults are valid


def test_admin_pages(admin_client, alice_site):
    connection = WordPressConnection(site=alice_site, url="https://blog.example.com", username="ed")
    connection.application_password = "secret pass word"
    connection.save()
    for path in (
        "publishing/publishingsettings/",
        "publishing/wordpressconnection/",
        "publishing/wordpressmedia/",
        "billing/siteaibudgetallocation/",
        "billing/siteaibudgetallocation/add/",
        f"publishing/wordpressconnection/{connection.id}/change/",
    ):
        response = admin_client.get(f"/admin/{path}")
        assert response.status_code == 200, path
        assert b"secret pass word" not in response.content
