"""Serializers of the automation endpoints: the config (validated) and the run (read-only)."""

import re
from datetime import time
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import AutomationConfig, AutomationRun, RunStatus, TriggerType
from .reporting import run_usage
from .stages import Stage

HH_MM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


@extend_schema_field({"type": "string", "pattern": HH_MM.pattern, "example": "02:00"})
class HourMinuteField(serializers.Field):
    default_error_messages = {"invalid": "Use the 24-hour format HH:MM, e.g. 02:00 or 14:30."}

    def to_internal_value(self, data):
        match = HH_MM.match(data) if isinstance(data, str) else None
        if not match:
            self.fail("invalid")
        return time(int(match.group(1)), int(match.group(2)))

    def to_representation(self, value):
        return value.strftime("%H:%M") if value else None


class AutomationConfigSerializer(serializers.ModelSerializer):
    """Batch sizes 1-100, delays 0-3600 s, max_concurrency 1-16 and limits >= 0 come from the
    model's validators. Unknown fields are rejected (a typo must not be silently ignored); read-only fields
    (last_run_at, next_run_at) sent back by a client are ignored."""

    scheduled_time = HourMinuteField(required=False)

    class Meta:
        model = AutomationConfig
        fields = [
            "is_enabled",
            "frequency",
            "scheduled_time",
            *[f"stage_{n}_batch_size" for n in range(1, 7)],
            "within_stage_delay",
            "between_stage_delay",
            "max_concurrency",
            *[f"stage_{n}_enabled" for n in range(1, 8)],
            "max_keywords_per_run",
            "max_clusters_per_run",
            "max_ideas_per_run",
            "max_tasks_per_run",
            "max_content_per_run",
            "max_images_per_run",
            "max_approvals_per_run",
            "max_credits_per_run",
            "clustering_method",
            "last_run_at",
            "next_run_at",
        ]
        read_only_fields = ["last_run_at", "next_run_at"]
        extra_kwargs = {
            **{
                f"max_{what}_per_run": {"max_value": 1_000_000}
                for what in ("keywords", "clusters", "ideas", "tasks", "content", "images", "approvals")
            },
            "max_credits_per_run": {"max_value": 10_000_000},
        }

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError({"non_field_errors": ["Send a JSON object of config fields."]})
        unknown = sorted(set(data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)


class RunUsageFields(serializers.Serializer):
    """Tokens and provider cost of the whole run (the sum of its stage results)."""

    prompt_tokens = serializers.SerializerMethodField()
    completion_tokens = serializers.SerializerMethodField()
    provider_cost = serializers.SerializerMethodField(help_text="What the AI provider bills, USD (decimal string).")

    def _usage(self, run: AutomationRun) -> dict[str, Any]:
        # One sum per run although three fields read it (history lists 20 runs).
        cache: dict[int, dict[str, Any]] = self.__dict__.setdefault("_run_usage", {})
        if run.pk not in cache:
            cache[run.pk] = run_usage(run)
        return cache[run.pk]

    def get_prompt_tokens(self, run: AutomationRun) -> int:
        return int(self._usage(run)["prompt_tokens"])

    def get_completion_tokens(self, run: AutomationRun) -> int:
        return int(self._usage(run)["completion_tokens"])

    def get_provider_cost(self, run: AutomationRun) -> str:
        return str(self._usage(run)["provider_cost"])


class AutomationRunSerializer(RunUsageFields, serializers.ModelSerializer):
    site_id = serializers.IntegerField(read_only=True)
    waiting_for_worker = serializers.SerializerMethodField(
        help_text="Running, but no worker has picked the run up yet (check that a Celery worker runs)."
    )

    class Meta:
        model = AutomationRun
        fields = [
            "run_id",
            "site_id",
            "status",
            "current_stage",
            "trigger_type",
            "started_at",
            "paused_at",
            "resumed_at",
            "cancelled_at",
            "completed_at",
            "total_credits_used",
            "prompt_tokens",
            "completion_tokens",
            "provider_cost",
            *[f"stage_{n}_result" for n in range(1, 8)],
            "error_message",
            "stopped_reason",
            "initial_snapshot",
            "recovery_count",
            "claimed_at",
            "waiting_for_worker",
        ]
        read_only_fields = fields

    def get_waiting_for_worker(self, run) -> bool:
        return run.status == RunStatus.RUNNING and run.claimed_at is None


class RunHistorySerializer(RunUsageFields, serializers.ModelSerializer):
    """Lighter rows for the history table."""

    class Meta:
        model = AutomationRun
        fields = [
            "run_id",
            "status",
            "trigger_type",
            "current_stage",
            "started_at",
            "completed_at",
            "cancelled_at",
            "total_credits_used",
            "prompt_tokens",
            "completion_tokens",
            "provider_cost",
            "stopped_reason",
            "error_message",
        ]
        read_only_fields = fields


class FailedItemSerializer(serializers.Serializer):
    """One failed item (see failed_items.describe)."""

    stage = serializers.IntegerField()
    item_type = serializers.ChoiceField(choices=["keyword", "cluster", "task", "content", "image"])
    id = serializers.IntegerField()
    title = serializers.CharField()
    error = serializers.CharField()
    code = serializers.CharField()
    attempts = serializers.IntegerField()
    retries_left = serializers.IntegerField(help_text="Later runs try it again while this is above 0.")
    failed_at = serializers.DateTimeField()
    missing = serializers.CharField(help_text="What the failure leaves missing downstream.")
    run_id = serializers.CharField(allow_null=True)


class RetryFailedSerializer(serializers.Serializer):
    """{} (every failed item), {"stage": N}, or {"ids": [...], "stage": N} (ids of that stage)."""

    stage = serializers.ChoiceField(choices=[1, 2, 4, 5, 6], required=False)
    ids = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, max_length=1000)

    def validate(self, attrs):
        unknown = sorted(set(self.initial_data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        if "ids" in attrs and "stage" not in attrs:
            raise serializers.ValidationError({"stage": ["Give the stage of the ids."]})
        return attrs


class StageStatSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="Key in the stage's result, e.g. clusters_created.")
    # A field named like Field.label (the stubs type that attribute as a string).
    label = serializers.CharField(help_text="How the dashboard labels it, e.g. Clusters created.")  # type: ignore[assignment]


class StageDescriptionSerializer(serializers.Serializer):
    """One stage of the pipeline, described by its AI function (the review gate by itself)."""

    number = serializers.IntegerField()
    name = serializers.CharField(help_text="e.g. Keywords → Clusters.")
    kind = serializers.ChoiceField(choices=["AI", "Local", "Manual"])
    function = serializers.CharField(allow_null=True, help_text="The AI function; null for the review gate.")
    consumes = serializers.SerializerMethodField(help_text="What it takes in, plural: keywords.")
    produces = serializers.SerializerMethodField(help_text="What it makes, plural: clusters.")
    processed_key = serializers.CharField(help_text="Result key counting the items worked on.")
    created_key = serializers.CharField(help_text="Result key counting what was produced.")
    stats = serializers.SerializerMethodField()

    def get_consumes(self, stage: Stage) -> str:
        return stage.nouns[0]

    def get_produces(self, stage: Stage) -> str:
        return stage.nouns[1]

    @extend_schema_field(StageStatSerializer(many=True))
    def get_stats(self, stage: Stage) -> list[dict[str, str]]:
        return [{"key": key, "label": label} for key, label in stage.stats]


class HistoryQuerySerializer(serializers.Serializer):
    """History filters (query parameters); dates are inclusive, in the server time zone."""

    status = serializers.ChoiceField(choices=RunStatus.choices, required=False)
    trigger = serializers.ChoiceField(choices=TriggerType.choices, required=False)
    date_from = serializers.DateField(required=False, help_text="Runs started on or after this day (YYYY-MM-DD).")
    date_to = serializers.DateField(required=False, help_text="Runs started on or before this day (YYYY-MM-DD).")
    limit = serializers.IntegerField(min_value=1, max_value=200, default=20, help_text="At most this many runs.")

    def validate(self, attrs):
        if attrs.get("date_from") and attrs.get("date_to") and attrs["date_from"] > attrs["date_to"]:
            raise serializers.ValidationError({"date_to": ["Must be on or after date_from."]})
        return attrs


class WeekMetricsSerializer(serializers.Serializer):
    week_start = serializers.DateField(help_text="Monday of the week.")
    runs = serializers.IntegerField()
    completed = serializers.IntegerField()
    failed = serializers.IntegerField()
    cancelled = serializers.IntegerField()


class StageTimeSerializer(serializers.Serializer):
    stage = serializers.IntegerField()
    name = serializers.CharField()
    runs = serializers.IntegerField(help_text="Finished runs in which this stage ran.")
    average_seconds = serializers.FloatField(allow_null=True)


class RunMetricsSerializer(serializers.Serializer):
    weeks = WeekMetricsSerializer(many=True)
    runs_total = serializers.IntegerField()
    completed = serializers.IntegerField()
    failed = serializers.IntegerField()
    success_rate = serializers.FloatField(allow_null=True, help_text="completed / (completed + failed), 0-1.")
    average_credits_per_run = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    average_stage_seconds = StageTimeSerializer(many=True)


class StageProgressSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    name = serializers.CharField()
    type = serializers.CharField(help_text="AI, Local or Manual.")
    status = serializers.CharField(
        help_text="pending, running, paused, completed, partial, skipped, or the run's final status "
        "(cancelled / failed) for the stage it stopped in."
    )
    input_count = serializers.IntegerField(help_text="Items this stage has to handle in this run (so far).")
    processed_count = serializers.IntegerField(help_text="Items it handled (failed attempts included).")
    remaining_count = serializers.IntegerField(help_text="input_count - processed_count (0 when skipped).")
    planned_count = serializers.IntegerField(help_text="Items planned for it when the run started (its weight).")
    result = serializers.JSONField(allow_null=True, help_text="The stage's stored tally (stage_N_result).")


class GlobalProgressSerializer(serializers.Serializer):
    total_items = serializers.IntegerField()
    completed_items = serializers.IntegerField()
    remaining_items = serializers.IntegerField()
    percentage = serializers.IntegerField(
        help_text="0-100. Never decreases while the run runs; 100 only when completed; frozen when "
        "cancelled or failed (show completed_items / remaining_items then)."
    )
    eta_seconds = serializers.IntegerField(
        allow_null=True, help_text="Seconds to the end at the observed pace; null unless running with a pace."
    )
    waiting_for_worker = serializers.BooleanField(help_text="Running but not yet picked up by a worker.")
    finished = serializers.BooleanField(help_text="The run is over (completed, cancelled or failed).")


class RunProgressMetricsSerializer(serializers.Serializer):
    credits_used = serializers.DecimalField(max_digits=14, decimal_places=2)
    duration_seconds = serializers.IntegerField()
    prompt_tokens = serializers.IntegerField()
    completion_tokens = serializers.IntegerField()
    provider_cost = serializers.CharField(help_text="The AI provider's cost in USD (decimal string).")


class RunProgressSerializer(serializers.Serializer):
    run = AutomationRunSerializer(allow_null=True)
    global_progress = GlobalProgressSerializer()
    stages = StageProgressSerializer(many=True)
    metrics = RunProgressMetricsSerializer()
    initial_snapshot = serializers.JSONField()
