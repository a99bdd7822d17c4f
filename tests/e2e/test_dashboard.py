"""The dashboard in a real browser against the real server, Celery worker and demo AI provider.

Screenshots of the automation page mid-run and after completion land in tests/e2e/artifacts/.
"""

import json
import re

import pytest
from playwright.sync_api import Page, expect

from .conftest import ARTIFACTS, PASSWORD, USERNAME

pytestmark = pytest.mark.e2e

RUN_TIMEOUT = 150_000  # ms: a whole demo run of the small CSV takes ~30 s


def setup_tenant(stack, username: str, credits: int, site_name: str) -> int:
    """Create a user with an account, one site and credits; return the site id."""
    out = stack.django(f"""
from decimal import Decimal
from igny8_core.accounts.models import Account, Site, User
from igny8_core.billing.services import CreditService
account = Account.objects.create(name={site_name!r} + " account")
User.objects.create_user({username!r}, email={username!r} + "@example.com", password={PASSWORD!r}, account=account)
site = Site.objects.create(account=account, name={site_name!r}, domain={username!r} + ".example.com", in_article_images=1)
if {credits}:
    CreditService.add(account, Decimal({credits}), description="e2e grant")
print(site.pk)
""")
    return int(out.strip().splitlines()[-1])


def set_config(stack, site_id: int, **fields) -> None:
    stack.django(f"""
from igny8_core.accounts.models import Site
from igny8_core.automation.models import AutomationConfig
config = AutomationConfig.for_site(Site.objects.get(pk={site_id}))
for name, value in {fields!r}.items():
    setattr(config, name, value)
config.save()
""")


def run_state(stack, site_id: int) -> dict:
    out = stack.django(f"""
import json
from igny8_core.automation.models import AutomationRun
print(json.dumps([{{"run_id": r.run_id, "status": r.status}} for r in AutomationRun.objects.filter(site_id={site_id}).order_by("started_at")]))
""")
    return json.loads(out.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def main_site(stack):
    return setup_tenant(stack, USERNAME, 100_000, "E2E Coffee Blog")


def login(page: Page, username: str = USERNAME, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/automation$"))
    expect(page.get_by_role("heading", name="Automation")).to_be_visible()


def import_csv(page: Page, name: str, text: str) -> None:
    page.get_by_role("link", name="Keywords").click()
    page.get_by_test_id("csv-input").set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": text.encode()}]
    )
    page.get_by_role("button", name="Import keywords").click()
    expect(page.get_by_test_id("import-summary")).to_be_visible()


def stage(page: Page, n: int):
    return page.get_by_test_id(f"stage-card-{n}")


def button(page: Page, name: str):
    return page.get_by_test_id("run-controls").get_by_role("button", name=name)


def shot(page: Page, name: str) -> None:
    # "disabled" ends CSS transitions first: a picture taken mid-animation showed the
    # progress fill far narrower than its "30%" label.
    page.screenshot(path=str(ARTIFACTS / name), full_page=True, animations="disabled")


def expect_fill_matches_label(page: Page) -> None:
    """Once its short width transition is over, the progress fill spans the labelled share of the bar."""
    page.wait_for_function(
        """() => {
            const bar = document.querySelector('[role=progressbar]');
            const fill = document.querySelector('[data-testid=progress-fill]');
            const text = document.querySelector('[data-testid=progress-text]');
            if (!bar || !fill || !text) return false;
            const label = Number(/(\\d+)%/.exec(text.textContent)[1]);
            const drawn = fill.getBoundingClientRect().width / bar.getBoundingClientRect().width * 100;
            return Number(bar.getAttribute('aria-valuenow')) === label && Math.abs(drawn - label) <= 1.5;
        }""",
        timeout=3_000,
    )


# Two topics with no word in common: the demo provider's clustering makes at least two
# clusters of them, so at least two drafts reach review.
CSV_MAIN = """keyword,volume,difficulty,intent
pour over coffee ratio,5400,32,informational
pour over coffee grind size,2900,28,informational
best pour over kettle,3600,38,commercial
tomato plant yellow leaves,8100,22,informational
when to plant tomato seedlings,18100,31,informational
fertilizer for tomato plant,6600,41,commercial
Pour Over Coffee Ratio,100,10,informational
broken row,abc,500,informational
"""


def test_login_import_run_pause_resume_review_approve(stack, main_site, context):
    page = context.new_page()
    # Signed out: the app sends us to the login page, and back after signing in.
    page.goto("/automation")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.get_by_label("Username").fill(USERNAME)
    page.get_by_label("Password").fill("wrong-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("login-error")).to_contain_text("Wrong username or password")
    shot(page, "login-error.png")
    login(page)
    expect(page.get_by_test_id("credit-balance")).to_have_text("100,000")

    # --- keywords: CSV import with a summary, list, search, filter
    import_csv(page, "keywords.csv", CSV_MAIN)
    expect(page.get_by_test_id("import-created")).to_have_text("6")
    expect(page.get_by_test_id("import-duplicates")).to_have_text("1")
    expect(page.get_by_test_id("import-errors")).to_have_text("1")
    expect(page.get_by_text(re.compile(r"Row \d+:"))).to_be_visible()
    shot(page, "keywords-import.png")
    expect(page.get_by_test_id("keyword-row")).to_have_count(6)
    page.get_by_label("Search keywords").fill("tomato")
    expect(page.get_by_test_id("keyword-row")).to_have_count(3)
    page.get_by_label("Search keywords").fill("")
    page.get_by_label("Status filter").select_option("mapped")
    expect(page.get_by_text("No keyword matches")).to_be_visible()
    page.get_by_label("Status filter").select_option("")

    # --- configuration modal: client validation, then a server field error, then save
    page.get_by_role("link", name="Automation").click()
    expect(stage(page, 1).get_by_test_id("stage-pending-1")).to_have_text("6 pending")
    expect(page.get_by_test_id("credits-sufficient")).to_contain_text("Sufficient")
    # A new site has no history: the estimate says it projected with the defaults.
    ratios = page.get_by_test_id("estimate-ratios")
    ratios.get_by_text("How this estimate is made").click()
    expect(ratios).to_contain_text("words per article")
    expect(ratios).to_contain_text("default until this site has articles")
    shot(page, "automation-estimate-ratios.png")
    ratios.get_by_text("How this estimate is made").click()
    button(page, "Configure").click()
    modal = page.get_by_test_id("config-modal")
    modal.locator("#f-stage_2_batch_size").fill("0")
    modal.locator("#f-scheduled_time").fill("25:00")
    modal.get_by_role("button", name="Save configuration").click()
    expect(modal.locator("[data-field=stage_2_batch_size] [data-field-error]")).to_contain_text("1 to 100")
    expect(modal.locator("[data-field=scheduled_time] [data-field-error]")).to_contain_text("24-hour")
    modal.locator("#f-stage_2_batch_size").fill("1")
    modal.locator("#f-scheduled_time").fill("03:30")
    modal.locator("#f-max_credits_per_run").fill("99999999")  # passes the client, refused by the server
    modal.get_by_role("button", name="Save configuration").click()
    expect(modal.locator("[data-field=max_credits_per_run] [data-field-error]")).to_be_visible()
    expect(modal.get_by_test_id("config-error")).to_contain_text("max credits per run")
    modal.locator("#f-max_credits_per_run").fill("0")
    modal.locator("#f-within_stage_delay").fill("2")
    modal.locator("#f-between_stage_delay").fill("2")
    modal.get_by_label("Run on a schedule").check()
    modal.get_by_role("button", name="Save configuration").click()
    expect(modal).to_be_hidden()
    expect(page.get_by_test_id("schedule-badge")).to_contain_text("daily at 03:30")

    # --- Run Now: stages complete one after the other
    expect(button(page, "Pause")).to_be_disabled()
    button(page, "Run Now").click()
    expect(page.get_by_test_id("action-message")).to_contain_text("started")
    expect(page.get_by_test_id("run-status")).to_have_text("running")
    expect(button(page, "Run Now")).to_be_disabled()
    expect(button(page, "Pause")).to_be_enabled()
    expect(stage(page, 1)).to_have_attribute("data-status", "completed", timeout=30_000)
    expect(stage(page, 1)).to_contain_text("Keywords processed")
    expect(stage(page, 2)).to_have_attribute("data-status", re.compile("running|completed"), timeout=30_000)
    expect(page.get_by_test_id("current-processing")).to_be_visible()
    expect(page.get_by_test_id("log-output")).to_contain_text("Run started", timeout=10_000)
    expect_fill_matches_label(page)
    shot(page, "automation-mid-run.png")

    # --- Pause, then Resume
    button(page, "Pause").click()
    expect(page.get_by_test_id("run-status")).to_have_text("paused")
    expect(button(page, "Resume")).to_be_enabled()
    expect(button(page, "Pause")).to_be_disabled()
    expect(button(page, "Cancel")).to_be_enabled()
    expect(page.get_by_test_id("current-processing")).to_contain_text("Paused")
    expect(page.locator("[data-status=paused]")).to_have_count(1)
    shot(page, "automation-paused.png")
    button(page, "Resume").click()
    # Right after Pause the worker may still finish its item (409 lock_held): the page waits
    # for it and resumes without a second click.
    expect(page.get_by_test_id("action-message")).to_contain_text("resumed", timeout=35_000)
    expect(page.get_by_test_id("run-status")).to_have_text("running")

    # --- the run completes
    expect(page.get_by_test_id("run-status")).to_have_text("completed", timeout=RUN_TIMEOUT)
    for n in range(1, 8):
        expect(stage(page, n)).to_have_attribute("data-status", re.compile("completed|skipped"))
    expect(stage(page, 4)).to_contain_text("Words written")
    expect(stage(page, 7)).to_contain_text("Ready for review")
    expect(page.get_by_test_id("progress-text")).to_contain_text("100%")
    expect_fill_matches_label(page)
    # The progress notice of an action ("Run resumed.") does not outlive the run.
    expect(page.get_by_test_id("action-message")).to_be_hidden()
    expect(page.get_by_test_id("log-output")).to_contain_text("Paused by user")
    expect(page.get_by_test_id("log-output")).to_contain_text("Resumed by user")
    expect(button(page, "Run Now")).to_be_enabled()
    page.wait_for_timeout(500)  # let the image thumbnails and counters settle for the picture
    shot(page, "automation-completed.png")

    # history row -> that run's log
    run_id = page.get_by_test_id("run-id").inner_text()
    row = page.locator(f"[data-testid=history-row][data-run-id='{run_id}']")
    expect(row).to_contain_text("completed")
    row.click()
    expect(page.get_by_test_id("log-run-id")).to_have_text(run_id)
    page.get_by_label("Log lines").select_option("500")
    expect(page.get_by_test_id("log-output")).to_contain_text("Run started")

    # --- review: content with thumbnails and a preview with images; approve one, then the rest
    page.get_by_role("link", name="Review").click()
    items = page.get_by_test_id("review-item")
    expect(items.first).to_be_visible()
    count = items.count()
    assert count >= 2, f"expected at least 2 drafts in review, got {count}"
    expect(items.first.get_by_test_id("review-thumb")).to_be_visible()
    expect(items.first.get_by_test_id("word-count")).to_contain_text("words")
    items.first.get_by_role("button", name="Preview").click()
    frame = page.frame_locator("[data-testid=preview-frame]")
    expect(frame.locator("img").first).to_be_visible()
    expect(frame.locator("h2").first).to_be_visible()
    shot(page, "review-preview.png")
    page.get_by_test_id("preview-modal").get_by_role("button", name="Close").first.click()
    first_title = items.first.get_by_role("button").first.inner_text()
    items.first.get_by_role("button", name="Approve").click()
    expect(page.get_by_test_id("review-message")).to_contain_text("Approved")
    expect(page.get_by_test_id("review-message")).to_contain_text(first_title)
    expect(items).to_have_count(count - 1)
    page.get_by_label("Select all").check()
    page.get_by_role("button", name=re.compile(r"Approve selected \(\d+\)")).click()
    expect(page.get_by_test_id("review-message")).to_contain_text(re.compile(rf"Approved {count - 1} items?\b"))
    expect(page.get_by_text("Nothing waits for review")).to_be_visible()
    shot(page, "review-approved.png")

    # the pipeline's items can be browsed: keywords mapped, clusters, ideas, tasks
    page.get_by_role("link", name="Keywords").click()
    page.get_by_label("Status filter").select_option("mapped")
    expect(page.get_by_test_id("keyword-row")).to_have_count(6)
    page.get_by_role("tab", name="Clusters").click()
    expect(page).to_have_url(re.compile(r"tab=clusters"))
    expect(page.get_by_test_id("cluster-row").first).to_be_visible()
    page.get_by_role("tab", name="Tasks").click()
    expect(page.get_by_test_id("task-row")).to_have_count(count)
    page.get_by_label("Status filter").select_option("completed")
    expect(page.get_by_test_id("task-row")).to_have_count(count)


CSV_SECOND = """keyword
indoor herb garden kit
growing basil indoors
herb garden indoor lighting
"""


def test_run_now_twice_shows_already_running_and_cancel_allows_a_new_run(stack, main_site, context):
    first = context.new_page()
    login(first)
    import_csv(first, "herbs.csv", CSV_SECOND)
    expect(first.get_by_test_id("import-created")).to_have_text("3")
    # Slow batches, so the run is still going while we click around.
    set_config(stack, main_site, within_stage_delay=4, between_stage_delay=4)
    first.get_by_role("link", name="Automation").click()
    expect(button(first, "Run Now")).to_be_enabled()

    second = context.new_page()  # another tab, loaded before the run starts
    second.goto("/automation")
    expect(button(second, "Run Now")).to_be_enabled()

    # Keep the second tab's view stale (its refreshes don't arrive, like a tab whose next poll is
    # still seconds away) so its Run Now is still clickable after the first tab started the run.
    def stale_reads(route):
        if route.request.method == "GET":
            route.abort()
        else:
            route.continue_()

    second.route("**/api/v1/automation/**", stale_reads)
    button(first, "Run Now").click()
    expect(first.get_by_test_id("action-message")).to_contain_text("started")
    button(second, "Run Now").click()
    expect(second.get_by_test_id("action-message")).to_contain_text("already running")
    second.unroute("**/api/v1/automation/**", stale_reads)
    # the refused tab catches up with the real state
    expect(second.get_by_test_id("run-status")).to_have_text("running")
    expect(button(second, "Run Now")).to_be_disabled()
    second.close()

    runs = run_state(stack, main_site)
    assert [r["status"] for r in runs].count("running") == 1

    # Cancel asks first; "Keep running" keeps it running.
    button(first, "Cancel").click()
    dialog = first.get_by_test_id("confirm-dialog")
    expect(dialog).to_contain_text("Cancel is final")
    dialog.get_by_role("button", name="Keep running").click()
    expect(dialog).to_be_hidden()
    expect(first.get_by_test_id("run-status")).to_have_text("running")
    # Typing in the config modal survives the 5 s polls of a running run (focus stays put).
    button(first, "Configure").click()
    field = first.get_by_test_id("config-modal").locator("#f-max_keywords_per_run")
    field.fill("")
    field.press_sequentially("123", delay=2_500)
    expect(field).to_have_value("123")
    first.keyboard.press("Escape")
    expect(first.get_by_test_id("config-modal")).to_be_hidden()

    button(first, "Cancel").click()
    first.get_by_test_id("confirm-dialog").get_by_role("button", name="Cancel run").click()
    expect(first.get_by_test_id("run-status")).to_have_text("cancelled")
    expect(first.get_by_test_id("stopped-reason")).to_contain_text("Cancelled by user")
    expect(button(first, "Resume")).to_be_disabled()
    expect(button(first, "Run Now")).to_be_enabled()
    cancelled_id = first.get_by_test_id("run-id").inner_text()

    button(first, "Run Now").click()
    expect(first.get_by_test_id("action-message")).to_contain_text("started")
    expect(first.get_by_test_id("run-id")).not_to_have_text(cancelled_id)
    expect(first.get_by_test_id("run-status")).to_have_text("running")
    statuses = {r["run_id"]: r["status"] for r in run_state(stack, main_site)}
    assert statuses[cancelled_id] == "cancelled"
    assert list(statuses.values()).count("running") == 1
    # A third tab has its Cancel confirmation open (its view stale) when the run ends elsewhere:
    # confirming says the run was already over, not a red error.
    third = context.new_page()
    third.goto("/automation")
    expect(third.get_by_test_id("run-status")).to_have_text("running")
    third.route("**/api/v1/automation/**", stale_reads)
    button(third, "Cancel").click()

    # leave no run behind for the other tests
    button(first, "Cancel").click()
    first.get_by_test_id("confirm-dialog").get_by_role("button", name="Cancel run").click()
    expect(first.get_by_test_id("run-status")).to_have_text("cancelled")

    third.get_by_test_id("confirm-dialog").get_by_role("button", name="Cancel run").click()
    expect(third.get_by_test_id("action-message")).to_contain_text("already ended")
    third.unroute("**/api/v1/automation/**", stale_reads)
    expect(third.get_by_test_id("run-status")).to_have_text("cancelled")
    third.close()


def test_insufficient_credits_and_network_errors_are_readable(stack, context):
    site_id = setup_tenant(stack, "e2e-poor", 0, "E2E Poor Blog")
    page = context.new_page()
    login(page, "e2e-poor")
    import_csv(page, "one.csv", "keyword\nsingle lonely keyword\n")
    page.get_by_role("link", name="Automation").click()
    expect(page.get_by_test_id("credits-sufficient")).to_contain_text("Insufficient")
    button(page, "Run Now").click()
    expect(page.get_by_test_id("action-message")).to_contain_text("Not enough credits")
    expect(page.get_by_test_id("action-message")).to_contain_text("the balance is 0")
    assert run_state(stack, site_id) == []

    # the server goes away: a readable message, never a blank page
    page.route("**/api/v1/**", lambda route: route.abort())
    button(page, "Run Now").click()
    expect(page.get_by_test_id("action-message")).to_contain_text("Cannot reach the server")
    expect(page.get_by_role("heading", name="Automation")).to_be_visible()
    page.unroute("**/api/v1/**")


def test_phone_width_has_no_horizontal_scroll(stack, main_site, browser):
    ctx = browser.new_context(base_url=stack.base_url, viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        page = ctx.new_page()
        login(page)
        expect(page.get_by_test_id("stage-card-7")).to_be_visible()
        for path in ("/automation", "/keywords", "/review", "/settings"):
            page.goto(path)
            page.wait_for_load_state("networkidle")
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a phone"
        page.goto("/automation")
        page.wait_for_load_state("networkidle")
        shot(page, "automation-phone.png")
    finally:
        ctx.close()


def test_settings_publishing_and_budget(stack, main_site, context):
    page = context.new_page()
    login(page)
    page.get_by_role("link", name="Settings").click()
    budget = page.get_by_test_id("ai-budget")
    expect(budget.get_by_test_id("budget-sum")).to_contain_text("100%")
    budget.get_by_label("Use the global default shares").uncheck()
    budget.locator("#f-clustering").fill("20")
    expect(budget.get_by_test_id("budget-sum")).to_contain_text("105% — must be 100%")
    budget.get_by_role("button", name="Save budget").click()
    expect(budget.get_by_role("alert")).to_contain_text("must add up to 100")
    budget.locator("#f-content_generation").fill("35")
    expect(budget.get_by_test_id("budget-sum")).to_contain_text("100% ✓")
    budget.get_by_role("button", name="Save budget").click()
    expect(budget.get_by_text("Budget allocation saved.")).to_be_visible()

    publishing = page.get_by_test_id("publishing-settings")
    # A time typed in the slot box but never "added" is saved with the form, not dropped.
    publishing.get_by_label("New time slot").fill("7:45")
    publishing.get_by_role("button", name="Save publishing settings").click()
    expect(publishing.get_by_text("Publishing settings saved.")).to_be_visible()
    page.reload()
    expect(publishing.get_by_role("button", name="Remove 07:45")).to_be_visible()
    publishing.get_by_label("Stagger within a window").check()
    publishing.locator("#f-stagger_start_time").fill("18:00")
    publishing.locator("#f-stagger_end_time").fill("09:00")
    publishing.get_by_role("button", name="Save publishing settings").click()
    expect(publishing.locator("[data-field=stagger_end_time] [data-field-error]")).to_contain_text("after the start")
    publishing.locator("#f-stagger_start_time").fill("09:00")
    publishing.locator("#f-stagger_end_time").fill("17:00")
    publishing.get_by_role("button", name="Save publishing settings").click()
    expect(publishing.get_by_text("Publishing settings saved.")).to_be_visible()
    shot(page, "settings.png")

    saved = (
        stack.django(f"""
from igny8_core.publishing.models import PublishingSettings
from igny8_core.billing.budget import BudgetAllocationService
from igny8_core.accounts.models import Site
site = Site.objects.get(pk={main_site})
s = PublishingSettings.for_site(site)
p = BudgetAllocationService.percentages(site)
print(s.scheduling_mode, s.stagger_start_time.strftime("%H:%M"), s.stagger_end_time.strftime("%H:%M"), float(p["clustering"]), float(p["content_generation"]))
""")
        .strip()
        .splitlines()[-1]
    )
    assert saved == "stagger 09:00 17:00 20.0 35.0"
