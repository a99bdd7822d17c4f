"""Image files of a deleted site: media is served without authentication, so they must not outlive it."""

import shutil
from pathlib import Path
from typing import Any

from django.core.files.storage import default_storage
from django.db import transaction

from igny8_core.accounts.models import Site

from .models import site_image_folder


def remove_site_images(sender: type, instance: Site, **kwargs: Any) -> None:
    """Receives the Site post_delete: removes its image folder after commit."""
    try:
        folder = Path(default_storage.path(site_image_folder(instance.account_id, instance.pk)))
    except NotImplementedError:  # a remote storage: its own lifecycle rules apply
        return
    transaction.on_commit(lambda: shutil.rmtree(folder, ignore_errors=True))
