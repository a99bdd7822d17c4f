from django.apps import AppConfig


class PlannerConfig(AppConfig):
    name = "igny8_core.planner"
    label = "planner"
