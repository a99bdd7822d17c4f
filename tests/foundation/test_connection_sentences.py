"""Connection failures read as sentences ("Could not connect to 127.0.0.1:1 (connection
refused)"), in the WordPress client and the OpenAI provider, never as a raw exception."""

import pytest
import requests

from igny8_core.ai.exceptions import ProviderError
from igny8_core.ai.providers.openai import OpenAIProvider
from igny8_core.outbound import connection_failure
from igny8_core.publishing.wordpress import WordPressClient, WordPressError


def test_a_refused_connection_is_one_short_sentence():
    with pytest.raises(requests.ConnectionError) as caught:
        requests.get("http://127.0.0.1:1/", timeout=2)
    assert (
        connection_failure("http://127.0.0.1:1/", caught.value)
        == "Could not connect to 127.0.0.1:1 (connection refused)"
    )


def test_an_unknown_host_and_a_timeout():
    with pytest.raises(requests.ConnectionError) as caught:
        requests.get("http://no-such-host.invalid/", timeout=2)
    assert connection_failure("https://no-such-host.invalid", caught.value) in (
        "Could not connect to no-such-host.invalid:443 (host name not found)",
        "Could not connect to no-such-host.invalid:443 (connection failed)",  # a resolver without a reason
    )
    assert connection_failure("http://h:8/", requests.ReadTimeout("x")) == "Could not connect to h:8 (timed out)"


def test_the_wordpress_client_says_where_it_could_not_connect(settings):
    settings.OUTBOUND_ALLOWED_ADDRESSES = ["127.0.0.1"]
    client = WordPressClient("http://127.0.0.1:1", "user", "app pass")
    with pytest.raises(WordPressError) as caught:
        client.current_user()
    message = str(caught.value)
    assert message.startswith("Could not connect to 127.0.0.1:1 (connection refused)"), message
    assert "Errno" not in message and "HTTPConnectionPool" not in message


def test_the_openai_provider_says_where_it_could_not_connect():
    provider = OpenAIProvider(api_key="sk-test", base_url="http://127.0.0.1:1/v1", text_model="m", max_retries=0)
    with pytest.raises(ProviderError) as caught:
        provider.complete_json([{"role": "user", "content": "hi"}], {"type": "object"}, schema_name="x")
    assert "Could not connect to 127.0.0.1:1 (connection refused)" in str(caught.value)
    assert "Errno" not in str(caught.value)
