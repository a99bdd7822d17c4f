"""A deleted site's image files go through the storage API, so remote storages lose them too."""

from django.core.files.base import ContentFile
from django.core.files.storage import InMemoryStorage

from igny8_core.writer.files import remove_folder


def test_a_storage_without_local_paths_loses_every_file_of_the_folder_and_nothing_else():
    storage = InMemoryStorage()  # like S3: no path() on disk
    for name in ("images/1/7/a.jpg", "images/1/7/a-thumb.jpg", "images/1/7/old/b.jpg", "images/1/8/c.jpg"):
        storage.save(name, ContentFile(b"x"))

    remove_folder(storage, "images/1/7")

    for name in ("images/1/7/a.jpg", "images/1/7/a-thumb.jpg", "images/1/7/old/b.jpg"):
        assert not storage.exists(name)
    assert storage.exists("images/1/8/c.jpg")


def test_a_site_that_never_had_images_removes_nothing():
    storage = InMemoryStorage()
    storage.save("images/1/8/c.jpg", ContentFile(b"x"))
    remove_folder(storage, "images/9/9")
    assert storage.listdir("images/1/8") == ([], ["c.jpg"])
