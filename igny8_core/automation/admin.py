from django.contrib import admin, messages

from .exceptions import AutomationError
from .models import AutomationConfig, AutomationRun
from .service import AutomationService


@admin.register(AutomationConfig)
class AutomationConfigAdmin(admin.ModelAdmin):
    list_display = ("site", "is_enabled", "frequency", "scheduled_time", "last_run_at", "next_run_at")
    list_filter = ("is_enabled", "frequency")
    search_fields = ("site__name", "site__domain")
    readonly_fields = ("last_run_at", "next_run_at", "created_at", "updated_at")
    raw_id_fields = ("site", "account")

    def save_model(self, request, obj, form, change):
        # Same rule as the API: a changed schedule gets a new next_run_at.
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        if change:
            AutomationService.update_config(obj, changes)
        else:
            super().save_model(request, obj, form, change)
            AutomationService.update_config(obj, {})


@admin.register(AutomationRun)
class AutomationRunAdmin(admin.ModelAdmin):
    list_display = (
        "run_id",
        "site",
        "status",
        "trigger_type",
        "current_stage",
        "started_at",
        "completed_at",
        "total_credits_used",
        "recovery_count",
    )
    list_filter = ("status", "trigger_type")
    search_fields = ("run_id", "site__name", "site__domain")
    actions = ("pause_runs", "resume_runs", "cancel_runs")

    # Runs are written by the pipeline; the admin looks and uses the same actions as the API.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def _apply(self, request, queryset, action, verb):
        for run in queryset:
            try:
                action(run)
                self.message_user(request, f"{run.run_id}: {verb}.")
            except AutomationError as exc:
                self.message_user(request, f"{run.run_id}: {exc}", level=messages.WARNING)

    @admin.action(description="Pause selected runs")
    def pause_runs(self, request, queryset):
        self._apply(request, queryset, AutomationService.pause, "paused")

    @admin.action(description="Resume selected runs")
    def resume_runs(self, request, queryset):
        self._apply(request, queryset, AutomationService.resume, "resumed")

    @admin.action(description="Cancel selected runs")
    def cancel_runs(self, request, queryset):
        self._apply(request, queryset, AutomationService.cancel, "cancelled")
