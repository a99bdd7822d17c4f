"""Helpers shared by the automation tests."""

from decimal import Decimal

from igny8_core.accounts.demo_data import DEMO_KEYWORDS
from igny8_core.automation.models import AutomationConfig, AutomationRun
from igny8_core.automation.service import AutomationService
from igny8_core.billing.services import CreditService
from igny8_core.planner.models import Keywords


def add_keywords(site, count: int) -> list[Keywords]:
    rows = [
        Keywords(account_id=site.account_id, site=site, keyword=kw, volume=vol, difficulty=diff, intent=intent)
        for kw, vol, diff, intent in DEMO_KEYWORDS[:count]
    ]
    assert len(rows) == count, "the demo keyword set is too small"
    return Keywords.objects.bulk_create(rows)


def fast_config(site, **overrides) -> AutomationConfig:
    config = AutomationConfig.for_site(site)
    config.within_stage_delay = 0
    config.between_stage_delay = 0
    # An in-process pipeline inside the test's open transaction runs its batches inline, one
    # at a time (pool threads could not see the transaction's rows); 1 says so plainly.
    config.max_concurrency = 1
    for name, value in overrides.items():
        setattr(config, name, value)
    config.save()
    return config


def grant(account, amount) -> None:
    CreditService.add(account, Decimal(str(amount)), description="test top-up")
    account.refresh_from_db()


def execute(run: AutomationRun, engine=None) -> str:
    """Run the pipeline of `run` in this process, exactly as the Celery task does."""
    service = AutomationService.claim_run(run.run_id, run.epoch, engine=engine)
    assert service is not None, "the ticket should be redeemable"
    return service.execute()


def start_and_execute(site, engine=None) -> AutomationRun:
    run = AutomationService.start_automation(site)
    execute(run, engine)
    run.refresh_from_db()
    return run


def demo_engine(site, image_size: str = "240x135", provider=None):
    """The real AI engine on the demo provider, drawing small images so tests stay quick."""
    from igny8_core.ai.engine import AIEngine
    from igny8_core.ai.providers.demo import DemoProvider

    return AIEngine(site.account, site, provider=provider or DemoProvider(image_size=image_size))


class EngineSpy:
    """The real engine, with a hook called before each run(name, ids): lets a test act
    "while the worker is between items" (pause, cancel, drain credits) deterministically."""

    def __init__(self, engine, before_run=None):
        self.engine = engine
        self.before_run = before_run
        self.calls: list[tuple[str, list[int]]] = []

    def estimate(self, name, ids):
        return self.engine.estimate(name, ids)

    def selection(self, name, queryset):
        return self.engine.selection(name, queryset)

    def for_run(self, run_pk):
        self.engine.for_run(run_pk)
        return self

    def run(self, name, ids, should_stop=None, rows=None, signals=None):
        self.calls.append((name, list(ids)))
        if self.before_run:
            self.before_run(name, ids, self.calls)
        # The hook may have changed the items since they were selected: the engine reads them
        # again, as it would have if the change had come before the select.
        return self.engine.run(name, ids, should_stop=should_stop, signals=signals)


def use_fake_openai(settings, fake) -> None:
    """Both AI roles through the real openai SDK to a local fake server, with the short
    heartbeat the worker tests use."""
    settings.IGNY8_AI_PROVIDER, settings.IGNY8_IMAGE_PROVIDER = "openai", ""
    settings.OPENAI_BASE_URL, settings.OPENAI_API_KEY = fake.base_url, "sk-test"
    settings.AUTOMATION_HEARTBEAT_INTERVAL = 0.5
