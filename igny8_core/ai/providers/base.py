"""The one small interface every AI provider implements.

`complete_json` returns schema-valid JSON (a malformed answer is retried once with a
correction message, then MalformedOutput); `generate_image` returns encoded image bytes.
Subclasses implement `_complete` and `generate_image`; transport retries (429 / 5xx /
timeouts) are the subclass's business, because only it knows its transport.
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass

from django.conf import settings

from ..exceptions import MalformedOutput
from ..schema import parse_and_validate

MAX_OUTPUT_ATTEMPTS = 2  # the first answer plus one retry when it is malformed


def requested_image_format(setting: str, model: str) -> str | None:
    """The `output_format` an image model is asked for (OPENAI_IMAGE_OUTPUT_FORMAT), None to
    not ask: "auto" asks GPT image models for the stored format (IGNY8_IMAGE_FORMAT), so what
    comes over the wire is already what is kept; other models reject the parameter."""
    if setting == "none":
        return None
    if setting == "auto":
        return settings.IGNY8_IMAGE_FORMAT.lower() if model.startswith("gpt-image") else None
    return setting


@dataclass
class RawCompletion:
    text: str | None
    model: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    attempts: int = 1  # transport attempts it took (retries included)


@dataclass
class JSONCompletion:
    data: dict
    model: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    attempts: int = 1


@dataclass
class GeneratedImage:
    data: bytes
    model: str
    source: str  # "b64_json", "url" or "demo"
    attempts: int = 1


class AIProvider(ABC):
    name: str = ""
    role: str = ""  # "text", "image", or "" when one provider serves both roles
    text_model: str = ""
    image_model: str = ""
    image_size: str = "1024x1024"
    image_quality: str = "standard"
    images_enabled = True  # False: the image role is "none" (no image is ever made)
    extracts_json = False  # True: answers are free text with the JSON somewhere in them

    def for_role(self, kind: str) -> "AIProvider":
        """The provider that serves `kind` ("text" or "image"): itself, unless it pairs two."""
        return self

    @property
    def image_variant(self) -> str:
        """Key into CreditCostConfig.variant_costs, e.g. "1792x1024:hd"."""
        return f"{self.image_size}:{self.image_quality}"

    def complete_json(self, messages: list[dict], schema: dict, *, schema_name: str) -> JSONCompletion:
        usage = {"prompt_tokens": 0, "completion_tokens": 0, "attempts": 0}
        conversation = list(messages)
        error = None
        for _ in range(MAX_OUTPUT_ATTEMPTS):
            raw = self._complete(conversation, schema, schema_name)
            usage["prompt_tokens"] += raw.prompt_tokens
            usage["completion_tokens"] += raw.completion_tokens
            usage["attempts"] += raw.attempts
            try:
                data = parse_and_validate(raw.text, schema, extract=self.extracts_json)
            except MalformedOutput as exc:
                error = exc
                conversation = conversation + [
                    {"role": "assistant", "content": raw.text or ""},
                    {
                        "role": "user",
                        "content": f"That answer was rejected: {exc} "
                        "Answer again with only a JSON object that matches the schema.",
                    },
                ]
                continue
            return JSONCompletion(data=data, model=raw.model, **usage)
        failure = type(error)(  # keeps the code: not JSON (malformed) or against the schema (invalid)
            f"{error} (still invalid after {MAX_OUTPUT_ATTEMPTS} answers)", attempts=usage["attempts"]
        )
        failure.usage = usage
        raise failure

    @abstractmethod
    def _complete(self, messages: list[dict], schema: dict, schema_name: str) -> RawCompletion:
        """One chat completion (transport retries included); the answer text is not parsed yet."""

    @abstractmethod
    def generate_image(
        self, prompt: str, size: str | None = None, quality: str | None = None, *, title: str = ""
    ) -> GeneratedImage:
        """One image for `prompt`; `title` is a hint that only the demo provider draws."""
