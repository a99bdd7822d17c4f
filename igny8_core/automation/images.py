"""Runs without images: when a site makes no images, nothing waits for them.

Images are off for a site when the site says so (`generate_images` off), when its account's
image provider is `none`, or when stage 5 or 6 is disabled in its automation config. Then
stages 5 and 6 are skipped ("images off"), the estimate prices no image work, and finished
drafts go to review as soon as stage 4 has written them, instead of waiting in `draft` for
images that will never come.
"""

from typing import TYPE_CHECKING

from igny8_core.accounts.models import Site
from igny8_core.ai.providers import site_images_off
from igny8_core.writer.drafts import release_drafts

if TYPE_CHECKING:
    from .models import AutomationConfig

IMAGE_STAGES = (5, 6)

__all__ = ["IMAGE_STAGES", "images_off_reason", "release_drafts"]


def images_off_reason(site: Site, config: "AutomationConfig") -> str:
    """Why `site` makes no images in a run with `config`, or "" when it does."""
    if reason := site_images_off(site):
        return reason
    disabled = [n for n in IMAGE_STAGES if not config.stage_enabled(n)]
    if disabled:
        return f"stage {' and '.join(map(str, disabled))} disabled"
    return ""
