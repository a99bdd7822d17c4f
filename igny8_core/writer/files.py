"""Image files of a deleted site: media is served without authentication, so they must not outlive it."""

import shutil
from typing import Any

from django.core.files.storage import FileSystemStorage, Storage, default_storage
from django.db import transaction

from igny8_core.accounts.models import Site

from .models import site_image_folder


def remove_site_images(sender: type, instance: Site, **kwargs: Any) -> None:
    """Receives the Site post_delete: removes its image folder after commit."""
    folder = site_image_folder(instance.account_id, instance.pk)
    transaction.on_commit(lambda: remove_folder(default_storage, folder))


def remove_folder(storage: Storage, folder: str) -> None:
    """Every file under `folder`, through the storage's own API, so a remote storage (S3 and the
    like) loses them too; on local disk the emptied directories go as well."""
    try:
        directories, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        storage.delete(f"{folder}/{name}")
    for name in directories:
        remove_folder(storage, f"{folder}/{name}")
    if isinstance(storage, FileSystemStorage):
        shutil.rmtree(storage.path(folder), ignore_errors=True)
