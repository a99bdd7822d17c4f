"""The automation endpoints under /api/v1/automation/: config, run control, progress, history, logs,
the estimate and the stage table.

Each view parses its parameters, checks tenancy (another account's site or run is a 404),
calls AutomationService and shapes the answer. `site_id` / `run_id` are query parameters
(POST endpoints also accept them in the JSON body).
"""

from typing import Any, cast

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import ViewSet

from igny8_core.accounts.models import Site, User
from igny8_core.ai.models import ItemFailure
from igny8_core.api.errors import Conflict
from igny8_core.api.pagination import StandardPagination
from igny8_core.api.tenancy import get_site_or_404
from igny8_core.api.throttles import RunNowThrottle

from . import failed_items as failed
from .exceptions import AlreadyRunning, InvalidRunState, LockHeld, SiteGone
from .logger import RunLogger, UnsafeLogPath
from .metrics import run_metrics
from .models import ACTIVE_STATUSES, AutomationConfig, AutomationRun, RunStatus
from .serializers import (
    AutomationConfigSerializer,
    AutomationRunSerializer,
    CurrentProcessingSerializer,
    EstimateSerializer,
    FailedItemSerializer,
    HistoryQuerySerializer,
    PipelineOverviewSerializer,
    RetryFailedSerializer,
    RunHistorySerializer,
    RunMetricsSerializer,
    RunProgressSerializer,
    StageDescriptionSerializer,
)
from .service import AutomationService, InsufficientCreditsForRun
from .stages import STAGES

RUN_FAILED_ITEMS = 100  # run_detail's list; failed_items pages through all of them
METRICS_WEEKS_DEFAULT, METRICS_WEEKS_MAX = 8, 52
LOG_LINES_DEFAULT, LOG_LINES_MAX = 100, 2000

SITE = OpenApiParameter("site_id", OpenApiTypes.INT, description="Site of the requesting account.")
SITE_REQUIRED = OpenApiParameter(
    "site_id", OpenApiTypes.INT, required=True, description="Site of the requesting account."
)
RUN = OpenApiParameter("run_id", OpenApiTypes.STR, description="A run id, e.g. run_20260105_140523_manual_3f9a0c.")
ERRORS = {
    400: OpenApiResponse(description="Invalid input (field errors)."),
    404: OpenApiResponse(description="Unknown site / run, or one of another account."),
}
RUN_TRANSITION = inline_serializer(
    "RunTransition",
    {
        "run_id": serializers.CharField(),
        "status": serializers.ChoiceField(choices=RunStatus.choices),
        "run": AutomationRunSerializer(),
    },
)
CONFLICT = OpenApiResponse(description="The run's state does not allow this (code: invalid_run_state, lock_held).")


def _run_of_request(request, required_site: bool = False) -> AutomationRun | None:
    """The run named by `run_id` (of the user's account; 404 otherwise), else the site's active
    run, else its latest run, else None."""
    run_id = request.query_params.get("run_id") or (
        request.data.get("run_id") if isinstance(request.data, dict) else None
    )
    has_site = "site_id" in request.query_params or (isinstance(request.data, dict) and "site_id" in request.data)
    site = get_site_or_404(request) if (has_site or required_site or not run_id) else None
    if run_id:
        runs = AutomationRun.objects.filter(run_id=str(run_id), account_id=request.user.account_id)
        if site is not None:
            runs = runs.filter(site=site)
        run = runs.select_related("site").first()
        if run is None:
            raise exceptions.NotFound("No such run.")
        return run
    runs = AutomationRun.objects.filter(site=site).select_related("site")
    return runs.filter(status__in=ACTIVE_STATUSES).first() or runs.first()


def _require_run(request) -> AutomationRun:
    run = _run_of_request(request)
    if run is None:
        raise exceptions.NotFound("This site has no automation run yet.")
    return run


def _conflict(exc) -> Conflict:
    return Conflict(detail=str(exc), code=exc.code)


class AutomationViewSet(ViewSet):
    def get_throttles(self):
        if getattr(self, "action", None) == "run_now":
            return [RunNowThrottle()]
        return super().get_throttles()

    @extend_schema(parameters=[SITE_REQUIRED], responses={200: AutomationConfigSerializer, **ERRORS})
    def config(self, request):
        """The site's automation config (created with defaults on first read)."""
        config = AutomationConfig.for_site(get_site_or_404(request))
        return Response(AutomationConfigSerializer(config).data)

    @extend_schema(
        parameters=[SITE_REQUIRED],
        request=AutomationConfigSerializer,
        responses={200: AutomationConfigSerializer, **ERRORS},
    )
    def update_config(self, request):
        """Validate and update (partial updates allowed). Unknown fields -> 400."""
        config = AutomationConfig.for_site(get_site_or_404(request))
        data = (
            {k: v for k, v in request.data.items() if k != "site_id"}
            if isinstance(request.data, dict)
            else request.data
        )
        serializer = AutomationConfigSerializer(config, data=data, partial=True)
        serializer.is_valid(raise_exception=True)
        config = AutomationService.update_config(config, serializer.validated_data)
        return Response(AutomationConfigSerializer(config).data)

    @extend_schema(
        parameters=[SITE_REQUIRED],
        request=None,
        responses={
            202: inline_serializer("RunStarted", {"run_id": serializers.CharField(), "run": AutomationRunSerializer()}),
            402: OpenApiResponse(
                description="Insufficient credits (code insufficient_credits, estimate, required, balance)."
            ),
            409: OpenApiResponse(description="A run is already running or paused (code already_running)."),
            **ERRORS,
        },
    )
    def run_now(self, request):
        """Start a manual run; the pipeline runs in a Celery worker."""
        site = get_site_or_404(request)
        try:
            run = AutomationService.start_automation(site, "manual")
        except AlreadyRunning as exc:
            return Response(
                {"detail": str(exc), "code": exc.code, "run_id": exc.run_id}, status=status.HTTP_409_CONFLICT
            )
        except SiteGone as exc:
            return Response({"detail": str(exc), "code": exc.code}, status=status.HTTP_404_NOT_FOUND)
        except InsufficientCreditsForRun as exc:
            return Response(
                {
                    "detail": str(exc),
                    "code": "insufficient_credits",
                    "estimate": str(exc.estimate),
                    "required": str(exc.required),
                    "balance": str(exc.available),
                },
                status=status.HTTP_402_PAYMENT_REQUIRED,
            )
        return Response(
            {"run_id": run.run_id, "run": AutomationRunSerializer(run).data}, status=status.HTTP_202_ACCEPTED
        )

    @extend_schema(
        parameters=[SITE_REQUIRED],
        responses={200: inline_serializer("CurrentRun", {"run": AutomationRunSerializer(allow_null=True)}), **ERRORS},
    )
    def current_run(self, request):
        """The active run, else the latest one, else null."""
        run = _run_of_request(request, required_site=True)
        return Response({"run": AutomationRunSerializer(run).data if run else None})

    @extend_schema(parameters=[SITE_REQUIRED], responses={200: PipelineOverviewSerializer, **ERRORS})
    def pipeline_overview(self, request):
        """Pending items of every stage."""
        stages = AutomationService.pipeline_overview(get_site_or_404(request))
        return Response(PipelineOverviewSerializer({"stages": stages}).data)

    @extend_schema(parameters=[SITE, RUN], responses={200: CurrentProcessingSerializer, **ERRORS})
    def current_processing(self, request):
        """What the run works on now: the batch in flight and its items (null between batches)."""
        run = _run_of_request(request)
        processing = AutomationService.current_processing(run) if run else None
        return Response(
            CurrentProcessingSerializer({"run_id": run.run_id if run else None, "processing": processing}).data
        )

    @extend_schema(parameters=[SITE, RUN], responses={200: RunProgressSerializer, **ERRORS})
    def run_progress(self, request):
        """The one progress truth of a run (the dashboard and the CLI show it unchanged): run,
        global_progress {total_items, completed_items, remaining_items, percentage, eta_seconds,
        waiting_for_worker, finished}, stages, metrics, initial_snapshot. Without run_id: the
        site's active (or latest) run; run null if none."""
        run = _run_of_request(request)
        progress: dict[str, Any]
        if run is None:
            overview = AutomationService.pipeline_overview(get_site_or_404(request))
            progress = {
                "run": None,
                "global_progress": {
                    "total_items": 0,
                    "completed_items": 0,
                    "remaining_items": 0,
                    "percentage": 0,
                    "eta_seconds": None,
                    "waiting_for_worker": False,
                    "finished": False,
                },
                "stages": [
                    {
                        **stage,
                        "status": "pending",
                        "input_count": stage["pending"],
                        "processed_count": 0,
                        "remaining_count": stage["pending"],
                        "planned_count": 0,
                        "result": None,
                    }
                    for stage in overview
                ],
                "metrics": {
                    "credits_used": "0.00",
                    "duration_seconds": 0,
                    "prompt_tokens": 0,
                    "completion_tokens": 0,
                    "provider_cost": "0",
                },
                "initial_snapshot": {},
            }
        else:
            progress = AutomationService.run_progress(run)
            progress["run"] = run  # every run field, like current_run
        return Response(RunProgressSerializer(progress).data)

    def _transition(self, request, action):
        run = _require_run(request)
        try:
            run = action(run)
        except (InvalidRunState, LockHeld) as exc:
            raise _conflict(exc) from None
        return Response({"run_id": run.run_id, "status": run.status, "run": AutomationRunSerializer(run).data})

    @extend_schema(parameters=[SITE, RUN], request=None, responses={200: RUN_TRANSITION, 409: CONFLICT, **ERRORS})
    def pause(self, request):
        """Pause after the current item (409 unless running)."""
        return self._transition(request, AutomationService.pause)

    @extend_schema(parameters=[SITE, RUN], request=None, responses={200: RUN_TRANSITION, 409: CONFLICT, **ERRORS})
    def resume(self, request):
        """Resume a paused run from its current stage (409 unless paused, or if the lock is held)."""
        return self._transition(request, AutomationService.resume)

    @extend_schema(parameters=[SITE, RUN], request=None, responses={200: RUN_TRANSITION, 409: CONFLICT, **ERRORS})
    def cancel(self, request):
        """Cancel after the current item; the site lock is released (409 unless running or paused)."""
        return self._transition(request, AutomationService.cancel)

    @extend_schema(
        parameters=[SITE_REQUIRED, HistoryQuerySerializer],
        responses={200: inline_serializer("RunHistoryList", {"runs": RunHistorySerializer(many=True)}), **ERRORS},
    )
    def history(self, request):
        """The site's latest runs (20 by default), newest first; filters status, trigger, date_from, date_to."""
        site = get_site_or_404(request)
        query = HistoryQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        wanted = query.validated_data
        runs = AutomationRun.objects.filter(site=site)
        if "status" in wanted:
            runs = runs.filter(status=wanted["status"])
        if "trigger" in wanted:
            runs = runs.filter(trigger_type=wanted["trigger"])
        if "date_from" in wanted:
            runs = runs.filter(started_at__date__gte=wanted["date_from"])
        if "date_to" in wanted:
            runs = runs.filter(started_at__date__lte=wanted["date_to"])
        return Response({"runs": RunHistorySerializer(runs[: wanted["limit"]], many=True).data})

    @extend_schema(
        parameters=[
            SITE_REQUIRED,
            OpenApiParameter(
                "weeks", OpenApiTypes.INT, description="Weeks to cover, this one included (1-52, default 8)."
            ),
        ],
        responses={200: RunMetricsSerializer, **ERRORS},
    )
    def metrics(self, request):
        """Runs per week, success rate, average credits per run and average time per stage."""
        site = get_site_or_404(request)
        weeks = _int_param(request, "weeks", METRICS_WEEKS_DEFAULT)
        if not 1 <= weeks <= METRICS_WEEKS_MAX:
            raise exceptions.ValidationError({"weeks": [f"From 1 to {METRICS_WEEKS_MAX}."]})
        return Response(RunMetricsSerializer(run_metrics(site, weeks)).data)

    @extend_schema(
        parameters=[
            SITE,
            RUN,
            OpenApiParameter("lines", OpenApiTypes.INT, description="Last N lines (default 100, 1-2000)."),
            OpenApiParameter("stage", OpenApiTypes.INT, description="1-7: that stage's log instead of the run log."),
        ],
        responses={
            200: inline_serializer(
                "RunLog",
                {
                    "run_id": serializers.CharField(),
                    "lines": serializers.IntegerField(),
                    "log": serializers.CharField(),
                },
            ),
            **ERRORS,
        },
    )
    def logs(self, request):
        """The last `lines` lines of a run's log (its own folder only)."""
        lines = _int_param(request, "lines", LOG_LINES_DEFAULT)
        lines = max(1, min(lines, LOG_LINES_MAX))
        stage = _int_param(request, "stage", None)
        if stage is not None and not 1 <= stage <= 7:
            raise exceptions.ValidationError({"stage": ["A stage number from 1 to 7."]})
        run = _require_run(request)
        try:
            text = RunLogger(run).tail(lines, stage=stage)
        except UnsafeLogPath:
            raise exceptions.NotFound("No log for this run.") from None
        return Response({"run_id": run.run_id, "lines": lines, "log": text})

    @extend_schema(parameters=[SITE_REQUIRED], responses={200: EstimateSerializer, **ERRORS})
    def estimate(self, request):
        """estimated_credits, required (1.2x, capped by max_credits_per_run), current_balance,
        sufficient, breakdown per stage, allocation per AI operation, images_off, and the site's
        ratios the projection used (each with its source: site, default or local)."""
        return Response(EstimateSerializer(AutomationService.estimate_credits(get_site_or_404(request))).data)

    @extend_schema(responses={200: StageDescriptionSerializer(many=True)})
    def stages(self, request):
        """The seven stages as the pipeline runs them: name, kind, what each consumes and
        produces, and its result counts with their labels (the dashboard renders from this)."""
        return Response(StageDescriptionSerializer(STAGES, many=True).data)

    @extend_schema(
        parameters=[SITE, RUN],
        responses={
            200: inline_serializer(
                "RunDetail",
                {
                    "run": AutomationRunSerializer(),
                    "failed_items": FailedItemSerializer(many=True),
                    "failed_items_count": serializers.IntegerField(),
                    "remaining": serializers.DictField(child=serializers.IntegerField()),
                },
            ),
            **ERRORS,
        },
    )
    def run_detail(self, request):
        """One run: every field (stage results, initial_snapshot, stopped_reason, error_message,
        timestamps, total_credits_used), the items it failed (the first 100, newest first;
        failed_items_count has them all) and `remaining`: per stage, the items still pending."""
        run = _require_run(request)
        rows = failed.failures(run.site, run=run)
        return Response(
            {
                "run": AutomationRunSerializer(run).data,
                "failed_items": FailedItemSerializer(failed.describe(rows[:RUN_FAILED_ITEMS]), many=True).data,
                "failed_items_count": rows.count(),
                "remaining": failed.remaining(run.site),
            }
        )

    @extend_schema(
        parameters=[
            SITE,
            OpenApiParameter("stage", OpenApiTypes.INT, description="Only this stage's items (1, 2, 4, 5 or 6)."),
            RUN,
            OpenApiParameter("page", OpenApiTypes.INT),
            OpenApiParameter("page_size", OpenApiTypes.INT),
        ],
        responses={
            200: inline_serializer(
                "PaginatedFailedItems",
                {
                    "count": serializers.IntegerField(),
                    "next": serializers.URLField(allow_null=True),
                    "previous": serializers.URLField(allow_null=True),
                    "results": FailedItemSerializer(many=True),
                },
            ),
            **ERRORS,
        },
    )
    def failed_items(self, request):
        """The site's failed items, newest first, paginated ({count, next, previous, results}).
        An item with retries_left > 0 is retried by the next run on its own. With run_id: the
        items that run failed (site_id may then be left out)."""
        stage = _int_param(request, "stage", None)
        if stage is not None and not 1 <= stage <= 7:
            raise exceptions.ValidationError({"stage": ["A stage number from 1 to 7."]})
        run = _require_run(request) if request.query_params.get("run_id") else None
        site = run.site if run is not None else get_site_or_404(request)
        paginator = StandardPagination()
        page: list[ItemFailure] | None = paginator.paginate_queryset(
            failed.failures(site, stage=stage, run=run), request, view=self
        )
        return paginator.get_paginated_response(FailedItemSerializer(failed.describe(page or []), many=True).data)

    @extend_schema(
        parameters=[SITE_REQUIRED],
        request=RetryFailedSerializer,
        responses={
            200: inline_serializer(
                "RetryFailed",
                {
                    "requeued": serializers.DictField(child=serializers.IntegerField()),
                    "total": serializers.IntegerField(),
                },
            ),
            409: OpenApiResponse(description="A run of the site is running or paused (code already_running)."),
            **ERRORS,
        },
    )
    def retry_failed(self, request):
        """Make failed items pending again with attempts reset: all, one stage's, or the given
        ids of one stage. The next run (or Run Now) processes them."""
        data = request.data if isinstance(request.data, dict) else {}
        site = _site_of_retry(request, data)
        serializer = RetryFailedSerializer(data={k: v for k, v in data.items() if k != "site_id"})
        serializer.is_valid(raise_exception=True)
        try:
            outcome = failed.retry_failed(site, **serializer.validated_data)
        except AlreadyRunning as exc:
            return Response(
                {
                    "detail": f"Run {exc.run_id} is active: retry failed items once it has ended.",
                    "code": exc.code,
                    "run_id": exc.run_id,
                },
                status=status.HTTP_409_CONFLICT,
            )
        return Response(outcome)


def _site_of_retry(request: Request, data: dict[str, Any]) -> Site:
    """The site named by site_id; without one, the site of the failed items named by `ids`
    (looked up in the user's account only: another account's ids are a 404)."""
    if "site_id" in request.query_params or "site_id" in data or not isinstance(data.get("ids"), list):
        return get_site_or_404(request)
    user = cast(User, request.user)  # the view requires authentication
    sites = failed.sites_of_items(user.account_id, data["ids"])
    if not sites:
        raise exceptions.NotFound("No failed items with these ids in your account.")
    if len(sites) > 1:
        raise exceptions.ValidationError({"site_id": ["These items belong to several sites: give site_id."]})
    return sites[0]


def _int_param(request, name: str, default):
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError:
        raise exceptions.ValidationError({name: ["A whole number is required."]}) from None
