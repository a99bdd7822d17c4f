"""RoleProviders: one AIProvider built from a text provider and an image provider.

The engine and the functions keep talking to one provider; chat goes to the text role's
provider, images to the image role's. Each role's provider is built on first use, so a
text-only stage never needs a working image configuration (and estimates never build a
text client). An image role of `none` makes `images_enabled` False and refuses to draw.
"""

from collections.abc import Callable

from ..exceptions import ProviderError
from .base import AIProvider, GeneratedImage, JSONCompletion, RawCompletion

IMAGES_OFF = "Images are off: the image provider is 'none'."


class RoleProviders(AIProvider):
    def __init__(self, text: Callable[[], AIProvider], image: Callable[[], AIProvider] | None):
        self._factories = {"text": text, "image": image}
        self._built: dict[str, AIProvider] = {}
        self.images_enabled = image is not None

    def for_role(self, kind: str) -> AIProvider:
        role = "image" if kind == "image" else "text"
        if role not in self._built:
            factory = self._factories[role]
            if factory is None:
                raise ProviderError(IMAGES_OFF)
            self._built[role] = factory()
        return self._built[role]

    # --- what the engine and the functions read ----------------------------------------
    @property
    def name(self) -> str:
        return self.for_role("text").name

    @property
    def text_model(self) -> str:
        return self.for_role("text").text_model

    @property
    def image_model(self) -> str:
        return self.for_role("image").image_model if self.images_enabled else ""

    @property
    def image_size(self) -> str:
        return self.for_role("image").image_size if self.images_enabled else ""

    @property
    def image_quality(self) -> str:
        return self.for_role("image").image_quality if self.images_enabled else ""

    # --- the interface -------------------------------------------------------------------
    def complete_json(self, messages, schema, *, schema_name) -> JSONCompletion:
        return self.for_role("text").complete_json(messages, schema, schema_name=schema_name)

    def _complete(self, messages, schema, schema_name) -> RawCompletion:
        return self.for_role("text")._complete(messages, schema, schema_name)

    def generate_image(self, prompt, size=None, quality=None, *, title="") -> GeneratedImage:
        return self.for_role("image").generate_image(prompt, size, quality, title=title)
