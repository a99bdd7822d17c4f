"""Errors of the automation service; the API maps them to HTTP 409."""


class AutomationError(Exception):
    code = "automation_error"


class AlreadyRunning(AutomationError):
    """The site already has a running or paused run."""

    code = "already_running"

    def __init__(self, run_id: str | None = None):
        self.run_id = run_id
        detail = f" ({run_id})" if run_id else ""
        super().__init__(f"An automation run is already running or paused for this site{detail}.")


class SiteGone(AutomationError):
    """The site was deleted while a run was being started for it."""

    code = "site_deleted"

    def __init__(self) -> None:
        super().__init__("The site was deleted: there is nothing to run.")


class InvalidRunState(AutomationError):
    """The run's status does not allow the requested action (e.g. resume a running run)."""

    code = "invalid_run_state"


class LockHeld(AutomationError):
    """Another holder owns the site's automation lock, so this run may not execute now."""

    code = "lock_held"


class ClaimLost(AutomationError):
    """This worker's claim on the run was superseded (stale epoch) or its lock was lost:
    it must stop without writing anything more."""

    code = "claim_lost"
