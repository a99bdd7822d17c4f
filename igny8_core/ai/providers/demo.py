"""The offline demo provider: deterministic, no network, every output labelled as demo.

It answers the same prompts as a real model (reading the INPUT JSON of the messages), so the
whole product — engine, schema validation, saving, charging — runs for real without a key.
"""

import hashlib
import io
import json
import textwrap
from typing import Any

from django.conf import settings
from PIL import Image, ImageDraw, ImageFont

from ..prompts import extract_input
from . import demo_text
from .base import AIProvider, GeneratedImage, RawCompletion, requested_image_format

DEMO_TEXT_MODEL = "igny8-demo-text-v1"
DEMO_IMAGE_MODEL = "igny8-demo-image-v1"


def _tokens(text: str) -> int:
    return max(1, len(text) // 4)  # the usual ~4 characters per token


class DemoProvider(AIProvider):
    name = "demo"
    text_model = DEMO_TEXT_MODEL
    image_model = DEMO_IMAGE_MODEL

    def __init__(self, image_size: str = "1200x675", image_quality: str = "standard"):
        self.image_size = image_size
        self.image_quality = image_quality

    def _complete(self, messages: list[dict[str, str]], schema: dict[str, Any], schema_name: str) -> RawCompletion:
        # The provider test's ping carries no input: it only asks whether the provider answers.
        answer = (
            {"ok": True} if schema_name == "connectivity_check" else self._answer(schema_name, extract_input(messages))
        )
        text = json.dumps(answer, ensure_ascii=False)
        prompt = "".join(m["content"] for m in messages)
        return RawCompletion(
            text=text, model=self.text_model, prompt_tokens=_tokens(prompt), completion_tokens=_tokens(text)
        )

    def _answer(self, schema_name: str, payload: dict[str, Any]) -> dict[str, Any]:
        site = payload.get("site", {})
        if schema_name == "keyword_clusters":
            return {"clusters": demo_text.cluster_keywords(payload["keywords"], payload.get("existing_clusters", ()))}
        if schema_name == "content_ideas":
            return {"ideas": demo_text.content_ideas(payload["cluster"], int(payload["count"]))}
        if schema_name == "article":
            return demo_text.article(payload, site.get("name", "this site"), site.get("topic", "the topic"))
        if schema_name == "image_prompts":
            return demo_text.image_prompts(payload)
        raise ValueError(f"The demo provider has no answer for '{schema_name}'.")

    def generate_image(
        self, prompt: str, size: str | None = None, quality: str | None = None, *, title: str = ""
    ) -> GeneratedImage:
        width, height = (int(v) for v in (size or self.image_size).lower().split("x"))
        # In the format a GPT image model would be asked for (OPENAI_IMAGE_OUTPUT_FORMAT).
        fmt = requested_image_format(settings.OPENAI_IMAGE_OUTPUT_FORMAT, "gpt-image") or "png"
        data = draw_demo_image(prompt, width, height, title, fmt=fmt)
        return GeneratedImage(data=data, model=self.image_model, source="demo")


def draw_demo_image(prompt: str, width: int, height: int, title: str = "", fmt: str = "png") -> bytes:
    """A diagonal gradient in colours derived from the prompt, the title, a demo label; encoded
    as `fmt` (an `output_format`: png, jpeg or webp)."""
    digest = hashlib.sha256(prompt.encode()).digest()
    start, end = tuple(digest[0:3]), tuple(digest[3:6])
    # Composed at the gradients' own 256x256 and scaled once: a linear gradient stays linear
    # under BILINEAR, and the demo run draws one image per illustration.
    vertical = Image.linear_gradient("L")
    mask = Image.blend(vertical, vertical.rotate(90), 0.5)  # dark top-left to light bottom-right
    small = Image.composite(Image.new("RGB", mask.size, end), Image.new("RGB", mask.size, start), mask)
    image = small.resize((width, height), Image.Resampling.BILINEAR)
    draw = ImageDraw.Draw(image)
    size = max(14, width // 22)
    font = ImageFont.load_default(size=size)
    lines = textwrap.wrap(title or prompt, width=max(12, int(width / (size * 0.6))))[:4]
    y = height // 2 - (len(lines) * size * 6 // 5) // 2
    for line in lines:
        box = draw.textbbox((0, 0), line, font=font)
        x = (width - (box[2] - box[0])) // 2
        draw.text((x + 2, y + 2), line, font=font, fill=(0, 0, 0))
        draw.text((x, y), line, font=font, fill=(255, 255, 255))
        y += size * 6 // 5
    label_font = ImageFont.load_default(size=max(10, size // 2))
    draw.text((size // 2, height - size), "DEMO IMAGE · IGNY8", font=label_font, fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, format=fmt.upper(), **({} if fmt == "png" else {"quality": 95}))
    return buffer.getvalue()
