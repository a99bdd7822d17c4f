"""The `openai` provider: the official SDK against api.openai.com or any OpenAI-compatible
server (Ollama, vLLM, LM Studio: set OPENAI_BASE_URL). One instance serves one role (text or
image, see roles.py) with that role's endpoint and key.

The SDK's own retries are switched off (max_retries=0) and done here instead, so one policy
covers chat, images and image downloads: 408/409/429/5xx, timeouts and connection errors
are retried up to OPENAI_MAX_RETRIES times with exponential backoff (OPENAI_RETRY_BASE_DELAY
doubling, capped at OPENAI_RETRY_MAX_DELAY, with jitter); a Retry-After header is honoured
as given, up to OPENAI_RETRY_AFTER_MAX seconds (longer: give up, the item fails). A 200
whose body is not JSON (a proxy cut it, the server crashed mid-answer) is retried the same way.

Whatever the SDK or the transport raises ends as an AIError of the item: `rate_limited`,
`timeout`, `provider_error` or `malformed_output` - never as an exception that could stop
the whole run.
"""

import base64
import email.utils
import logging
import os
import random
import threading
import time
from functools import cached_property, lru_cache

import openai
import requests
import urllib3
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from igny8_core.outbound import (
    HostNotFound,
    OutboundURLRefused,
    connection_failure,
    describe_request_error,
    describe_status,
    outbound_session,
)

from .. import imaging
from ..exceptions import MalformedResponse, ProviderError, ProviderTimeout, RateLimited
from ..ratelimit import SharedRateLimit
from ..schema import schema_instructions
from .base import AIProvider, GeneratedImage, RawCompletion, requested_image_format

log = logging.getLogger(__name__)

RETRYABLE_STATUS = {408, 409, 429}
# json_schema: strict structured output; json_object: JSON mode + schema in the prompt;
# prompt: schema in the prompt only, the JSON is extracted from the answer.
STRUCTURED_OUTPUT_MODES = ("json_schema", "json_object", "prompt")
MAX_IMAGE_DOWNLOAD_BYTES = 50 * 1024 * 1024
_client_build = threading.Lock()


def shared_client(api_key: str, base_url: str | None, timeout: float) -> openai.OpenAI:
    """The SDK client of one provider account in this process, shared by its threads and its
    runs (the SDK's client is thread-safe): its set-up, SSL context included, costs ~30 ms of
    CPU, and its connection pool keeps the provider's connections open from one run to the
    next. Built under a lock: the batches of a stage start together and would each build one.
    Per process id, so a forked worker never shares its parent's sockets."""
    with _client_build:
        return _client_for(os.getpid(), api_key, base_url, timeout)


@lru_cache(maxsize=32)  # accounts with their own key each have one
def _client_for(pid: int, api_key: str, base_url: str | None, timeout: float) -> openai.OpenAI:
    return openai.OpenAI(api_key=api_key, base_url=base_url, timeout=timeout, max_retries=0)


def parse_retry_after(headers) -> float | None:
    """Seconds to wait from `retry-after-ms` / `retry-after` (seconds or an HTTP date)."""
    if not headers:
        return None
    for name, divisor in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            return max(0.0, float(value) / divisor)
        except ValueError:
            parsed = email.utils.parsedate_tz(value)
            if parsed is not None:
                return max(0.0, email.utils.mktime_tz(parsed) - time.time())
    return None


class _Retry(Exception):
    """Internal: a retryable failure, with the server's Retry-After if it sent one."""

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


def _give_up(kind: str, message: str, attempts: int) -> Exception:
    """The item's error once the retries of a transient failure of `kind` are used up."""
    if kind == "rate_limited":
        return RateLimited(message, transient=True, attempts=attempts)
    if kind == "timeout":
        return ProviderTimeout(message, transient=True, attempts=attempts)
    if kind == "malformed":
        return MalformedResponse(message, transient=True, attempts=attempts)
    return ProviderError(message, transient=True, attempts=attempts)


class OpenAIProvider(AIProvider):
    name = "openai"

    def __init__(
        self,
        *,
        api_key=None,
        base_url=None,
        text_model=None,
        image_model=None,
        image_size=None,
        image_quality=None,
        image_response_format=None,
        image_output_format=None,
        timeout=None,
        max_retries=None,
        retry_base_delay=None,
        retry_max_delay=None,
        retry_after_max=None,
        role="",
        structured_output=None,
    ):
        api_key = api_key if api_key is not None else settings.OPENAI_API_KEY
        base_url = base_url if base_url is not None else settings.OPENAI_BASE_URL
        self.role = role
        if not api_key and not base_url:
            if role == "image":
                raise ProviderError(
                    "The openai image provider needs OPENAI_IMAGE_API_KEY or OPENAI_API_KEY (or "
                    "OPENAI_IMAGE_BASE_URL for a local server). Set IGNY8_IMAGE_PROVIDER=demo or none "
                    "to run without one."
                )
            raise ProviderError(
                "The openai provider needs OPENAI_API_KEY (or OPENAI_BASE_URL for a local "
                "OpenAI-compatible server). Set IGNY8_AI_PROVIDER=demo to run without a key."
            )
        self.structured_output = structured_output or settings.OPENAI_STRUCTURED_OUTPUT
        if self.structured_output not in STRUCTURED_OUTPUT_MODES:
            raise ProviderError(f"Unknown structured_output mode '{self.structured_output}'.")
        self.extracts_json = self.structured_output == "prompt"
        self.text_model = text_model or settings.OPENAI_TEXT_MODEL
        self.image_model = image_model or settings.OPENAI_IMAGE_MODEL
        self.image_size = image_size or settings.OPENAI_IMAGE_SIZE
        self.image_quality = image_quality or settings.OPENAI_IMAGE_QUALITY
        fmt = image_response_format if image_response_format is not None else settings.OPENAI_IMAGE_RESPONSE_FORMAT
        self.image_response_format = fmt or None  # gpt-image models reject the parameter
        self.image_output_format = requested_image_format(
            image_output_format or settings.OPENAI_IMAGE_OUTPUT_FORMAT, self.image_model
        )
        self.timeout = float(timeout if timeout is not None else settings.OPENAI_TIMEOUT)
        self.max_retries = int(max_retries if max_retries is not None else settings.OPENAI_MAX_RETRIES)
        self.retry_base_delay = float(
            retry_base_delay if retry_base_delay is not None else settings.OPENAI_RETRY_BASE_DELAY
        )
        self.retry_max_delay = float(
            retry_max_delay if retry_max_delay is not None else settings.OPENAI_RETRY_MAX_DELAY
        )
        self.retry_after_max = float(
            retry_after_max if retry_after_max is not None else settings.OPENAI_RETRY_AFTER_MAX
        )
        # Local servers ignore the key, but the SDK insists on one.
        self._client_options = {"api_key": api_key or "not-needed", "base_url": base_url}
        # One shared rate per kind of request and provider account (OPENAI_RPM, OPENAI_IMAGE_RPM).
        self.rate_limits = {kind: SharedRateLimit.for_requests(kind, base_url, api_key) for kind in ("text", "image")}

    @cached_property
    def client(self) -> openai.OpenAI:
        """The SDK client, fetched on the first request (an estimate reading only image_variant
        never builds one); see shared_client."""
        return shared_client(self._client_options["api_key"], self._client_options["base_url"], self.timeout)

    # --- the interface ---------------------------------------------------------------
    def _complete(self, messages, schema, schema_name) -> RawCompletion:
        options = {"model": self.text_model, "messages": messages}
        if self.structured_output == "json_schema":
            options["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": schema_name, "schema": schema, "strict": True},
            }
        else:  # the server cannot enforce the schema: tell the model (the answer is validated here)
            options["messages"] = [*messages, schema_instructions(schema, schema_name)]
            if self.structured_output == "json_object":
                options["response_format"] = {"type": "json_object"}
        response, attempts = self._retrying(
            "chat completion", self._limited("text", lambda: self.client.chat.completions.create(**options))
        )
        model = getattr(response, "model", None) or self.text_model
        choices = getattr(response, "choices", None)
        if not choices:
            return RawCompletion(text=None, model=model, attempts=attempts)
        choice = choices[0]
        message = getattr(choice, "message", None)
        refusal = getattr(message, "refusal", None)
        if refusal:
            raise ProviderError(f"The model refused: {refusal}", attempts=attempts)
        usage = getattr(response, "usage", None)
        text = getattr(message, "content", None)
        if getattr(choice, "finish_reason", None) == "length":
            # Cut at the token limit: the JSON is incomplete. complete_json asks once more.
            text = None if not text else text + "\n(truncated: finish_reason=length)"
        return RawCompletion(
            text=text if isinstance(text, str) else None,
            model=model,
            prompt_tokens=(getattr(usage, "prompt_tokens", 0) or 0) if usage else 0,
            completion_tokens=(getattr(usage, "completion_tokens", 0) or 0) if usage else 0,
            attempts=attempts,
        )

    def generate_image(self, prompt, size=None, quality=None, *, title="") -> GeneratedImage:
        options = {
            "model": self.image_model,
            "prompt": prompt,
            "n": 1,
            "size": size or self.image_size,
            "quality": quality or self.image_quality,
        }
        if self.image_response_format:
            options["response_format"] = self.image_response_format
        if self.image_output_format:
            options["output_format"] = self.image_output_format
            if self.image_output_format in ("jpeg", "webp"):
                # Encoded at the stored quality: such an answer is stored as it comes (imaging.py).
                options["output_compression"] = imaging.QUALITY
        response, attempts = self._retrying(
            "image generation", self._limited("image", lambda: self.client.images.generate(**options))
        )
        if not response.data:
            raise ProviderError("The image response contains no image.", attempts=attempts)
        item = response.data[0]
        if getattr(item, "b64_json", None):
            try:
                data = base64.b64decode(item.b64_json, validate=True)
            except ValueError:
                raise ProviderError("The image response's b64_json is not valid base64.", attempts=attempts) from None
            return GeneratedImage(data=data, model=self.image_model, source="b64_json", attempts=attempts)
        if getattr(item, "url", None):
            data, more = self._retrying("image download", lambda: self._download(item.url))
            return GeneratedImage(data=data, model=self.image_model, source="url", attempts=attempts + more)
        raise ProviderError("The image response has neither b64_json nor url.", attempts=attempts)

    # --- transport -------------------------------------------------------------------
    def _download(self, url: str) -> bytes:
        """The image at `url`, fetched under the outbound policy (a provider's URL is not trusted
        to point outside the private network, and neither are its redirects)."""
        try:
            with outbound_session() as session, session.get(url, timeout=self.timeout, stream=True) as answer:
                if answer.status_code in RETRYABLE_STATUS or answer.status_code >= 500:
                    raise _Retry(f"HTTP {answer.status_code}", parse_retry_after(answer.headers))
                if answer.status_code >= 400:
                    raise ProviderError(f"Image download failed: HTTP {describe_status(answer.status_code)}")
                data = answer.raw.read(MAX_IMAGE_DOWNLOAD_BYTES + 1, decode_content=True)
        except HostNotFound as exc:
            raise _Retry(f"download error: {exc}") from None
        except OutboundURLRefused as exc:
            raise ProviderError(f"Refusing to download the image from {url[:100]}: {exc}") from None
        except (requests.RequestException, urllib3.exceptions.HTTPError) as exc:
            raise _Retry(f"download error: {describe_request_error(exc)}") from None
        if len(data) > MAX_IMAGE_DOWNLOAD_BYTES:
            raise ProviderError("The image download is larger than 50 MB.")
        return data

    def _limited(self, kind: str, request):
        """`request` made in its turn of the shared rate limit (every attempt waits for one);
        a 429 pauses everyone sharing the limit for its Retry-After (or the first backoff)."""
        limit = self.rate_limits[kind]

        def call():
            limit.acquire()
            try:
                return request()
            except openai.RateLimitError as exc:
                limit.slow_down(parse_retry_after(exc.response.headers) or self.retry_base_delay)
                raise

        return call

    def _retrying(self, what: str, call):
        """(result, attempts) of `call`, retrying transient failures with bounded backoff."""
        attempt = 0
        while True:
            attempt += 1
            kind, retry_after = "provider", None
            try:
                return call(), attempt
            except _Retry as exc:
                reason, retry_after = str(exc), exc.retry_after
            except openai.APITimeoutError:
                kind, reason = "timeout", f"timed out after {self.timeout:g}s"
            except openai.APIConnectionError as exc:
                reason = connection_failure(self._client_options["base_url"] or "https://api.openai.com/v1", exc)
            except openai.APIStatusError as exc:
                status = exc.status_code
                if status not in RETRYABLE_STATUS and status < 500:
                    raise ProviderError(f"{what} rejected: HTTP {status}: {_message(exc)}", attempts=attempt) from None
                kind = "rate_limited" if status == 429 else "provider"
                reason, retry_after = f"HTTP {status}: {_message(exc)}", parse_retry_after(exc.response.headers)
            except openai.OpenAIError as exc:
                raise ProviderError(f"{what} failed: {exc}", attempts=attempt) from None
            except SoftTimeLimitExceeded:  # the run's cooperative stop, not this item's failure
                raise
            except ValueError as exc:  # json.JSONDecodeError included: the body is not JSON
                kind, reason = "malformed", f"the response body is not valid JSON ({type(exc).__name__}: {exc})"
            except Exception as exc:  # anything else from the SDK or the transport: this item only
                log.exception("%s: unexpected error from the openai SDK", what)
                raise ProviderError(f"{what} failed: {type(exc).__name__}: {exc}", attempts=attempt) from None
            if attempt > self.max_retries:
                raise _give_up(kind, f"{what} failed after {attempt} attempts: {reason}", attempt)
            if retry_after is not None and retry_after > self.retry_after_max:
                raise _give_up(
                    kind,
                    f"{what}: the server asked to retry after {retry_after:g}s "
                    f"(more than OPENAI_RETRY_AFTER_MAX={self.retry_after_max:g}s): {reason}",
                    attempt,
                )
            delay = retry_after if retry_after is not None else self.backoff(attempt)
            log.warning("%s: %s; retry %d/%d in %.2fs", what, reason, attempt, self.max_retries, delay)
            time.sleep(delay)

    def backoff(self, attempt: int) -> float:
        """Exponential delay before retry number `attempt`, capped, with up to 20% jitter."""
        delay = min(self.retry_base_delay * (2 ** (attempt - 1)), self.retry_max_delay)
        return delay * random.uniform(0.8, 1.0)


def _message(exc: openai.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict):
        error = body.get("error", body)
        if isinstance(error, dict) and error.get("message"):
            return str(error["message"])[:300]
    return str(exc.message)[:300]
