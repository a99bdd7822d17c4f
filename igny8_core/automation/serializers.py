"""Serializers of the automation endpoints: the config (validated) and the run (read-only)."""

import re
from datetime import time
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import AutomationConfig, AutomationRun, RunStatus, TriggerType
from .reporting import run_usage
from .stages import STAGE_KINDS, STAGES, Stage

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


class TallyFailureSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True)
    error = serializers.CharField()


class HeldForQualitySerializer(serializers.Serializer):
    content_id = serializers.IntegerField()
    score = serializers.IntegerField()
    failed_checks = serializers.ListField(child=serializers.CharField())


class NotScheduledSerializer(serializers.Serializer):
    content_id = serializers.IntegerField()
    code = serializers.CharField()
    reason = serializers.CharField()


class StageTallyBase(serializers.Serializer):
    """Documents the JSON a stage stores as stage_N_result (results.StageResult). Every key is
    optional: a stage not reached yet is {}, and a tally saved by an older version lacks newer keys."""

    status = serializers.CharField(required=False, help_text="running, completed, partial, skipped, failed, cancelled.")
    batches_run = serializers.IntegerField(required=False)
    items_requested = serializers.IntegerField(required=False)
    items_failed = serializers.IntegerField(required=False)
    failed_items = TallyFailureSerializer(many=True, required=False, help_text="The last 20 failures.")
    credits_used = serializers.CharField(required=False, help_text="Decimal string.")
    prompt_tokens = serializers.IntegerField(required=False)
    completion_tokens = serializers.IntegerField(required=False)
    provider_cost = serializers.CharField(required=False, help_text="USD, decimal string.")
    time_elapsed = serializers.FloatField(required=False, help_text="Seconds.")
    skipped = serializers.BooleanField(required=False)
    # Fields named like Serializer.partial / Field.required (the metaclass moves them into the
    # declared fields; the stubs see a clash).
    partial = serializers.BooleanField(required=False)  # type: ignore[assignment]
    reason = serializers.CharField(required=False, help_text="Why it was skipped, partial or stopped.")
    started_at = serializers.DateTimeField(required=False)
    finished_at = serializers.DateTimeField(required=False)
    # The review gate's extras.
    auto_approval = serializers.BooleanField(required=False)
    not_scheduled = NotScheduledSerializer(many=True, required=False)
    held_for_quality = HeldForQualitySerializer(many=True, required=False)


# The stats keys come from the stages (each AI function owns its own), one integer each.
StageTallySerializer = type(
    "StageTallySerializer",
    (StageTallyBase,),
    {
        key: serializers.IntegerField(required=False, help_text=f"{label} (stage {stage.number}).")
        for stage in STAGES
        for key, label in stage.stats
    },
)


@extend_schema_field(StageTallySerializer)
class StageTallyField(serializers.JSONField):
    """A stored stage tally, served as stored; the schema gives its keys."""


class InitialSnapshotSerializer(serializers.Serializer):
    """The queues when the run started and its plan (reporting.initial_snapshot); {} before that."""

    total_initial_items = serializers.IntegerField(required=False)
    planned = serializers.DictField(
        child=serializers.IntegerField(), required=False, help_text="Items planned per stage number ('1'-'7')."
    )
    projected_clusters = serializers.IntegerField(
        required=False, help_text="New clusters the local grouping projected (the cluster factor learns from it)."
    )
    taken_at = serializers.DateTimeField(required=False)

    def get_fields(self):
        fields = super().get_fields()
        for stage in STAGES:
            fields[f"stage_{stage.number}_initial"] = serializers.IntegerField(required=False)
        return fields


@extend_schema_field(InitialSnapshotSerializer)
class InitialSnapshotField(serializers.JSONField):
    """The stored snapshot, served as stored; the schema gives its keys."""


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
    stage_1_result = StageTallyField(read_only=True)
    stage_2_result = StageTallyField(read_only=True)
    stage_3_result = StageTallyField(read_only=True)
    stage_4_result = StageTallyField(read_only=True)
    stage_5_result = StageTallyField(read_only=True)
    stage_6_result = StageTallyField(read_only=True)
    stage_7_result = StageTallyField(read_only=True)
    initial_snapshot = InitialSnapshotField(read_only=True)

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


RETRYABLE_STAGES = [1, 2, 4, 5, 6]  # the stages whose items can fail (and be retried)


class FailedItemSerializer(serializers.Serializer):
    """One failed item (see failed_items.describe)."""

    stage = serializers.ChoiceField(choices=RETRYABLE_STAGES)
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

    stage = serializers.ChoiceField(choices=RETRYABLE_STAGES, required=False)
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
    kind = serializers.ChoiceField(choices=STAGE_KINDS)
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
    type = serializers.ChoiceField(choices=STAGE_KINDS)
    status = serializers.CharField(
        help_text="pending, running, paused, completed, partial, skipped, or the run's final status "
        "(cancelled / failed) for the stage it stopped in."
    )
    input_count = serializers.IntegerField(help_text="Items this stage has to handle in this run (so far).")
    processed_count = serializers.IntegerField(help_text="Items it handled (failed attempts included).")
    remaining_count = serializers.IntegerField(help_text="input_count - processed_count (0 when skipped).")
    planned_count = serializers.IntegerField(help_text="Items planned for it when the run started (its weight).")
    result = StageTallyField(allow_null=True, help_text="The stage's stored tally (stage_N_result).")


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
    initial_snapshot = InitialSnapshotField()


class PipelineStageSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    name = serializers.CharField()
    type = serializers.ChoiceField(choices=STAGE_KINDS)
    pending = serializers.IntegerField(help_text="Items waiting for this stage now.")


class PipelineOverviewSerializer(serializers.Serializer):
    stages = PipelineStageSerializer(many=True)


class ProcessingItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


class ProcessingSerializer(serializers.Serializer):
    stage = serializers.IntegerField()
    stage_name = serializers.CharField()
    batch = serializers.IntegerField(help_text="The batch in flight (1-based).")
    total_batches = serializers.IntegerField()
    items = ProcessingItemSerializer(many=True)


class CurrentProcessingSerializer(serializers.Serializer):
    run_id = serializers.CharField(allow_null=True)
    processing = ProcessingSerializer(allow_null=True, help_text="null unless a batch is in flight.")


class EstimateStageSerializer(serializers.Serializer):
    stage = serializers.IntegerField()
    name = serializers.CharField()
    items = serializers.IntegerField(help_text="Items the stage is expected to handle.")
    credits = serializers.DecimalField(max_digits=14, decimal_places=2)


RATIO_SOURCES = ("site", "default", "local")


class RatioSerializer(serializers.Serializer):
    value = serializers.DecimalField(max_digits=12, decimal_places=2)
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=RATIO_SOURCES, help_text="Learned from the site, the default, or local clustering."
    )


class SiteRatiosSerializer(serializers.Serializer):
    """The ratios the estimate projected downstream items with (ratios.SiteRatios)."""

    projected_clusters = serializers.IntegerField(help_text="New clusters the local grouping makes of the keywords.")
    cluster_factor = RatioSerializer()
    ideas_per_cluster = RatioSerializer()
    words_per_article = RatioSerializer()
    images_per_article = RatioSerializer()


class EstimateSerializer(serializers.Serializer):
    estimated_credits = serializers.DecimalField(max_digits=14, decimal_places=2)
    required = serializers.DecimalField(  # type: ignore[assignment]
        max_digits=14, decimal_places=2, help_text="What a start needs: 1.2 x the estimate, capped by the run budget."
    )
    current_balance = serializers.DecimalField(max_digits=14, decimal_places=2)
    sufficient = serializers.BooleanField()
    breakdown = EstimateStageSerializer(many=True)
    allocation = serializers.DictField(
        child=serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True),
        help_text="Credits each AI operation may spend of the run budget (null: unlimited).",
    )
    max_credits_per_run = serializers.DecimalField(max_digits=12, decimal_places=2)
    images_off = serializers.CharField(help_text="Why the image stages make nothing, or empty.")
    ratios = SiteRatiosSerializer()
