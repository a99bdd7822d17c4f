from django.apps import AppConfig
from django.db.models.signals import post_delete


class WriterConfig(AppConfig):
    name = "igny8_core.writer"
    label = "writer"

    def ready(self) -> None:
        from igny8_core.accounts.models import Site

        from .files import remove_site_images

        post_delete.connect(remove_site_images, sender=Site, dispatch_uid="writer.remove_site_images")
