"""The six pipeline functions, by name. They run through `AIEngine(account, site).run(name, ids)`:
the engine imports this registry, never the other way round."""

from ..exceptions import InvalidInput
from .auto_cluster import AutoCluster
from .base import AIFunction
from .generate_content import GenerateContent
from .generate_ideas import GenerateIdeas
from .generate_image_prompts import GenerateImagePrompts
from .generate_images import GenerateImages
from .queue_to_writer import QueueToWriter

_FUNCTIONS: dict[str, AIFunction] = {
    fn.name: fn
    for fn in (
        AutoCluster(),
        GenerateIdeas(),
        QueueToWriter(),
        GenerateContent(),
        GenerateImagePrompts(),
        GenerateImages(),
    )
}
FUNCTION_NAMES = tuple(_FUNCTIONS)


def get_function(name: str) -> AIFunction:
    try:
        return _FUNCTIONS[name]
    except KeyError:
        raise InvalidInput(f"Unknown AI function '{name}'. Known: {', '.join(FUNCTION_NAMES)}.") from None


__all__ = ["FUNCTION_NAMES", "AIFunction", "get_function"]
