"""AutomationService: the one name callers use to control, query and execute a run.

Run control (start / pause / resume / cancel, configuration edits) is in control.py, the
queries in reporting.py, the execution (the stage loop and its batches) in executor.py.
"""

from . import control, reporting
from .control import InsufficientCreditsForRun
from .executor import RunExecutor

__all__ = ["AutomationService", "InsufficientCreditsForRun"]


class AutomationService(RunExecutor):
    # control
    start_automation = staticmethod(control.start_automation)
    pause = staticmethod(control.pause)
    resume = staticmethod(control.resume)
    cancel = staticmethod(control.cancel)
    update_config = staticmethod(control.update_config)

    # queries
    estimate_credits = staticmethod(reporting.estimate_credits)
    pipeline_overview = staticmethod(reporting.pipeline_overview)
    run_progress = staticmethod(reporting.run_progress)
    current_processing = staticmethod(reporting.current_processing)
