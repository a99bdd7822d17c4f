from django.apps import AppConfig


class WriterConfig(AppConfig):
    name = "igny8_core.writer"
    label = "writer"
