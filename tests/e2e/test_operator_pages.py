"""The operator's pages in a real browser: a run's own page, sites, credits, accessibility.

Every test uses a user of its own (its own account and site), so the tests do not share
state with each other or with test_dashboard.py. Screenshots of the pages land in
tests/e2e/artifacts/, or with UPDATE_DOC_SCREENSHOTS=1 in docs/screenshots/ (the pictures of
docs/dashboard.md), so a test run does not rewrite tracked files.
"""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .conftest import ARTIFACTS, FRONTEND
from .test_dashboard import RUN_TIMEOUT, button, import_csv, login, set_config, setup_tenant, stage

pytestmark = pytest.mark.e2e

DOCS_SHOTS = (
    Path(__file__).resolve().parents[2] / "docs" / "screenshots"
    if os.environ.get("UPDATE_DOC_SCREENSHOTS") == "1"
    else ARTIFACTS / "screenshots"
)
AXE_JS = FRONTEND / "node_modules" / "axe-core" / "axe.min.js"

CSV_SMALL = """keyword,volume,difficulty,intent
cold brew coffee ratio,5400,32,informational
cold brew steeping time,2900,28,informational
"""


def doc_shot(page: Page, name: str) -> None:
    DOCS_SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS_SHOTS / name), full_page=True, animations="disabled")


def tenant(stack, name: str, credits: int = 100_000) -> int:
    site_id = setup_tenant(stack, name, credits, f"{name} blog")
    set_config(stack, site_id, within_stage_delay=0, between_stage_delay=0)
    return site_id


def run_to_the_end(page: Page, status: str = "completed") -> str:
    # The page must show its current run (or that there is none) before the id is read: read
    # while it is still loading, the previous run's "completed" would pass for the new run's.
    expect(page.get_by_test_id("global-progress").or_(page.get_by_text("No run yet", exact=True))).to_be_visible()
    run_id = page.get_by_test_id("run-id")
    previous = run_id.inner_text() if run_id.count() else None
    button(page, "Run Now").click()
    # A run with little to do can end before the next poll: wait for the new run id, not "running".
    expect(page.get_by_test_id("action-message")).to_contain_text("started")
    if previous:
        expect(run_id).not_to_have_text(previous)
    expect(page.get_by_test_id("run-status")).to_have_text(status, timeout=RUN_TIMEOUT)
    return run_id.inner_text()


def test_a_past_run_has_its_own_page_with_its_own_results(stack, context):
    tenant(stack, "pastrun")
    page = context.new_page()
    login(page, "pastrun")
    import_csv(page, "keywords.csv", CSV_SMALL)
    page.get_by_role("link", name="Automation").click()
    first_id = run_to_the_end(page)

    # A second run with nothing to do: the latest run is now another one.
    second_id = run_to_the_end(page)
    assert second_id != first_id

    row = page.locator(f"[data-testid=history-row][data-run-id='{first_id}']")
    row.click()
    expect(page).to_have_url(re.compile(rf"/automation/runs/{first_id}$"))
    expect(page.get_by_role("heading", name=f"Run {first_id}")).to_be_visible()
    expect(page.get_by_test_id("run-id")).to_have_text(first_id)
    expect(page.get_by_test_id("run-status")).to_have_text("completed")
    # Its own stage results (the second run processed nothing), credits and timings.
    expect(stage(page, 1)).to_contain_text("Keywords processed")
    expect(stage(page, 4)).to_contain_text("Words written")
    expect(stage(page, 4)).to_contain_text("Credits used")
    expect(page.get_by_test_id("run-timings")).to_contain_text("Duration")
    # Next to credits: what the AI was asked (the demo counts tokens) and what the provider bills.
    expect(page.get_by_test_id("run-timings")).to_contain_text("Tokens")
    expect(page.get_by_test_id("run-timings")).to_contain_text("Provider cost")
    expect(stage(page, 4)).to_contain_text("Tokens")
    expect(stage(page, 3)).not_to_contain_text("Tokens")  # a local stage makes no AI call
    expect(page.get_by_test_id("stopped-reason")).to_have_attribute("data-severity", "success")
    # Its log, filtered to warnings and errors and searched.
    log = page.get_by_test_id("log-output")
    expect(log).to_contain_text("Run started")
    page.get_by_label("Search the log").fill("Run started")
    expect(log.locator("div")).to_have_count(1)
    page.get_by_label("Search the log").fill("")
    with page.expect_download() as download:
        page.get_by_test_id("log-download").click()
    assert download.value.suggested_filename == f"{first_id}.log"
    doc_shot(page, "run-page.png")

    # The URL is shareable: a fresh load shows the same run.
    page.reload()
    expect(page.get_by_test_id("run-id")).to_have_text(first_id)
    page.goto(f"/automation/runs/{second_id}")
    expect(page.get_by_test_id("run-id")).to_have_text(second_id)
    # Another account's run is not found.
    page.goto("/automation/runs/run_20200101_000000_manual_dead")
    expect(page.get_by_test_id("run-error")).to_contain_text("Not found")


def test_failed_items_retry_then_the_next_run_completes_them(stack, context):
    site_id = tenant(stack, "retrier")
    # The first run stops after the tasks are made (stages 4-7 off) ...
    set_config(stack, site_id, **{f"stage_{n}_enabled": False for n in range(4, 8)})
    page = context.new_page()
    login(page, "retrier")
    import_csv(page, "keywords.csv", CSV_SMALL)
    page.get_by_role("link", name="Automation").click()
    run_id = run_to_the_end(page)
    # ... and its article writing is made to fail the way a provider that times out fails it
    # (every attempt used up, so only the user's retry brings the items back).
    stack.django(f"""
from igny8_core.ai import failures
from igny8_core.automation.models import AutomationRun
from igny8_core.writer.models import Tasks
run = AutomationRun.objects.get(run_id={run_id!r})
ids = list(Tasks.objects.filter(site_id={site_id}).values_list("id", flat=True))
assert ids
Tasks.objects.filter(pk__in=ids).update(status=Tasks.Status.FAILED, error_message="timeout")
for _ in range(failures.max_attempts()):
    failures.record(run.account_id, {site_id}, "generate_content", ids, "timeout", "The provider did not answer in time.", run_id=run.pk)
""")
    page.locator(f"[data-testid=history-row][data-run-id='{run_id}']").click()
    failed = page.get_by_test_id("failed-items")
    expect(failed).to_contain_text("The provider did not answer in time.")
    expect(failed).to_contain_text("waits for you")
    count = page.get_by_test_id("failed-item").count()
    assert count >= 1
    doc_shot(page, "run-page-failed-items.png")
    failed.get_by_role("button", name="Retry failed").click()
    expect(page.get_by_test_id("retry-message")).to_contain_text("pending again")
    expect(page.get_by_test_id("failed-item")).to_have_count(0)

    set_config(stack, site_id, **{f"stage_{n}_enabled": True for n in range(4, 8)})
    page.get_by_test_id("retry-message").get_by_role("link", name="Go to Run Now").click()
    run_to_the_end(page)
    expect(stage(page, 4)).to_contain_text(re.compile(rf"Content created\s*{count}"))


def test_progress_never_decreases_while_a_run_is_polled(stack, context):
    tenant(stack, "poller")
    page = context.new_page()
    login(page, "poller")
    import_csv(page, "keywords.csv", CSV_SMALL + "espresso crema,800,20,informational\n")
    page.get_by_role("link", name="Automation").click()
    button(page, "Run Now").click()
    expect(page.get_by_test_id("run-status")).to_have_text("running")
    # Record every value the page shows (a MutationObserver sees each poll's render).
    page.evaluate(
        """() => {
            window.__progress = [];
            const read = () => {
                const text = document.querySelector('[data-testid=progress-text]');
                const status = document.querySelector('[data-testid=run-status]');
                const m = text && /(\\d+)%/.exec(text.textContent);
                if (m) window.__progress.push([Number(m[1]), status ? status.textContent : '']);
            };
            read();
            new MutationObserver(read).observe(document.body, {subtree: true, childList: true, characterData: true});
        }"""
    )
    expect(page.get_by_test_id("run-status")).to_have_text("completed", timeout=RUN_TIMEOUT)
    # The run and its progress are two queries: the final percentage may render a poll later.
    expect(page.get_by_test_id("progress-text")).to_contain_text("100%")
    seen = page.evaluate("window.__progress")
    values = [pct for pct, _status in seen]
    assert len(set(values)) >= 2, f"too few distinct progress values recorded: {values}"
    drops = [(a, b) for a, b in zip(values, values[1:], strict=False) if b < a]
    assert not drops, f"progress went down: {drops} in {values}"
    assert values[-1] == 100


def test_sites_page_creates_edits_and_runs_a_site(stack, context):
    tenant(stack, "siteowner")
    page = context.new_page()
    login(page, "siteowner")
    page.get_by_role("link", name="Sites").click()
    expect(page.get_by_test_id("site-row")).to_have_count(1)

    page.get_by_role("button", name="New site").click()
    modal = page.get_by_test_id("site-modal")
    modal.get_by_label("Domain").fill("https://tea.example.com/blog")
    modal.get_by_role("button", name="Create site").click()
    expect(modal.locator("[data-field=name] [data-field-error]")).to_be_visible()
    expect(modal.locator("[data-field=domain] [data-field-error]")).to_contain_text("bare domain")
    modal.get_by_label("Name").fill("Tea Notes")
    # The server's own check: this domain is taken in the account.
    modal.get_by_label("Domain").fill("siteowner.example.com")
    modal.get_by_role("button", name="Create site").click()
    expect(modal.locator("[data-field=domain] [data-field-error]")).to_contain_text("already has a site")
    modal.get_by_label("Domain").fill("tea.example.com")
    modal.get_by_label("Time zone").fill("Europe/Berlin")
    modal.get_by_label("Language").fill("German")
    modal.get_by_label("Topic").fill("Loose-leaf tea")
    modal.get_by_label("Images per article").fill("1")
    doc_shot(page, "sites-form.png")
    modal.get_by_role("button", name="Create site").click()
    expect(modal).to_be_hidden()
    expect(page.get_by_test_id("sites-notice")).to_contain_text('"Tea Notes" created')
    expect(page.get_by_test_id("site-row")).to_have_count(2)
    tea = page.locator("[data-testid=site-row]", has_text="Tea Notes")
    expect(tea).to_contain_text("Europe/Berlin")
    expect(page.get_by_test_id("site-select").locator("option:checked")).to_have_text("Tea Notes")

    tea.get_by_role("button", name="Edit Tea Notes").click()
    modal.get_by_label("Tone").fill("calm, precise")
    modal.get_by_role("button", name="Save site").click()
    expect(modal).to_be_hidden()
    expect(tea).to_contain_text("calm, precise")
    doc_shot(page, "sites.png")

    # Run the new site: its keywords go through the pipeline.
    import_csv(page, "tea.csv", "keyword\ngreen tea temperature\n")
    page.get_by_role("link", name="Automation").click()
    expect(page.get_by_text("for Tea Notes")).to_be_visible()
    stack.django("""
from igny8_core.accounts.models import Site
from igny8_core.automation.models import AutomationConfig
config = AutomationConfig.for_site(Site.objects.get(name="Tea Notes", domain="tea.example.com"))
config.within_stage_delay = config.between_stage_delay = 0
config.save()
""")
    run_to_the_end(page)
    expect(stage(page, 4)).to_contain_text("Content created")

    # Deleting it: refused while a run of the site is paused, then done after a typed confirmation.
    paused_run = (
        stack.django("""
from igny8_core.accounts.models import Site
from igny8_core.automation.models import AutomationRun, new_run_id
site = Site.objects.get(name="Tea Notes", domain="tea.example.com")
run = AutomationRun.objects.create(account=site.account, site=site, run_id=new_run_id("manual"), status="paused")
print(run.run_id)
""")
        .strip()
        .splitlines()[-1]
    )
    page.get_by_role("link", name="Sites").click()
    expect(page.get_by_test_id("site-row")).to_have_count(2)
    tea.get_by_role("button", name="Delete Tea Notes").click()
    dialog = page.get_by_test_id("site-delete-dialog")
    expect(dialog).to_contain_text("This deletes Tea Notes (tea.example.com)")
    expect(dialog).to_contain_text("keywords")
    delete = dialog.get_by_role("button", name="Delete site")
    expect(delete).to_be_disabled()
    dialog.get_by_label("Type the site's name (Tea Notes) to confirm").fill("Tea Notes")
    doc_shot(page, "sites-delete.png")
    delete.click()
    expect(dialog.get_by_test_id("site-delete-error")).to_contain_text(f"has a paused automation run ({paused_run})")
    expect(page.get_by_test_id("site-row")).to_have_count(2)

    stack.django(f"""
from igny8_core.automation.models import AutomationRun
AutomationRun.objects.filter(run_id={paused_run!r}).update(status="cancelled")
""")
    delete.click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_test_id("sites-notice")).to_contain_text('"Tea Notes" and everything it owned were deleted')
    expect(page.get_by_test_id("site-row")).to_have_count(1)
    # The selector falls back to the remaining site, and the keywords went with the site.
    expect(page.get_by_test_id("site-select").locator("option")).to_have_count(1)
    expect(page.get_by_test_id("site-select").locator("option:checked")).to_have_text("siteowner blog")
    left = stack.django("""
from igny8_core.accounts.models import Site
from igny8_core.planner.models import Keywords
print(Site.objects.filter(name="Tea Notes").count(), Keywords.objects.filter(keyword="green tea temperature").count())
""")
    assert left.strip().splitlines()[-1] == "0 0"


def test_metrics_and_history_filters_show_the_sites_runs(stack, context):
    site_id = tenant(stack, "metrician")
    page = context.new_page()
    login(page, "metrician")
    import_csv(page, "keywords.csv", CSV_SMALL)
    page.get_by_role("link", name="Automation").click()
    first_id = run_to_the_end(page)
    import_csv(page, "more.csv", "keyword\nnitro cold brew at home\n")
    page.get_by_role("link", name="Automation").click()
    second_id = run_to_the_end(page)
    # A scheduled run that failed, as the scheduler would have left it.
    failed_id = (
        stack.django(f"""
from datetime import timedelta
from django.utils import timezone
from igny8_core.automation.models import AutomationRun, new_run_id
from igny8_core.accounts.models import Site
site = Site.objects.get(pk={site_id})
now = timezone.now()
run = AutomationRun.objects.create(
    account=site.account, site=site, run_id=new_run_id("scheduled"), trigger_type="scheduled", status="failed",
    started_at=now - timedelta(minutes=1), completed_at=now, stopped_reason="Provider unreachable.",
)
print(run.run_id)
""")
        .strip()
        .splitlines()[-1]
    )
    expected = (
        stack.django(f"""
from igny8_core.accounts.models import Site
from igny8_core.automation.metrics import run_metrics
m = run_metrics(Site.objects.get(pk={site_id}), 8)
print(m["runs_total"], round(m["success_rate"] * 100), m["average_credits_per_run"])
""")
        .strip()
        .splitlines()[-1]
    )
    runs_total, success, credits = expected.split()
    assert (runs_total, success) == ("3", "67")
    # The dashboard's one credits format: grouped, at most two decimals, no trailing zeros.
    shown_credits = f"{float(credits):,.2f}".rstrip("0").rstrip(".")

    page.reload()
    expect(page.get_by_test_id("global-progress")).to_be_visible()
    metrics = page.get_by_test_id("metrics")
    expect(metrics.get_by_test_id("metric-runs")).to_have_text("3")
    expect(metrics.get_by_test_id("metric-success")).to_have_text("67%")
    expect(metrics.get_by_test_id("metric-credits")).to_have_text(shown_credits)
    assert float(credits) > 0
    expect(metrics.get_by_role("img", name=re.compile(r"Runs per week: .*: 3 runs"))).to_be_attached()
    # Both real runs went through stage 1, so it has an average time; the chart counts them all.
    expect(metrics.get_by_role("row", name=re.compile(r"^1\. "))).not_to_contain_text("—")
    doc_shot(page, "metrics-history.png")

    rows = page.get_by_test_id("history-row")
    expect(rows).to_have_count(3)
    page.get_by_label("Filter by status").select_option("completed")
    expect(rows).to_have_count(2)
    for run_id in (first_id, second_id):
        expect(page.locator(f"[data-testid=history-row][data-run-id='{run_id}']")).to_be_visible()
    page.get_by_label("Filter by status").select_option("failed")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-run-id", failed_id)
    page.get_by_label("Filter by status").select_option("")
    page.get_by_label("Filter by trigger").select_option("scheduled")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-run-id", failed_id)
    page.get_by_label("Filter by trigger").select_option("manual")
    expect(rows).to_have_count(2)
    page.get_by_label("Filter by status").select_option("failed")
    expect(rows).to_have_count(0)
    expect(page.get_by_test_id("run-history")).to_contain_text("No run matches these filters")
    page.get_by_label("Filter by status").select_option("")
    page.get_by_label("Filter by trigger").select_option("")
    # Started since tomorrow: none; since today: all three again.
    today = page.evaluate("() => new Date().toLocaleDateString('en-CA')")
    tomorrow = page.evaluate("() => new Date(Date.now() + 86400000).toLocaleDateString('en-CA')")
    page.get_by_label("Started since").fill(tomorrow)
    expect(rows).to_have_count(0)
    page.get_by_label("Started since").fill(today)
    expect(rows).to_have_count(3)


def test_credits_page_lists_the_ledger_with_filters_and_runs(stack, context):
    tenant(stack, "payer")
    page = context.new_page()
    login(page, "payer")
    import_csv(page, "keywords.csv", CSV_SMALL)
    page.get_by_role("link", name="Automation").click()
    run_id = run_to_the_end(page)

    page.get_by_role("link", name="Credits").click()
    expect(page.get_by_test_id("credits-balance")).not_to_have_text("…")
    rows = page.get_by_test_id("ledger-row")
    expect(rows.first).to_be_visible()
    expect(page.get_by_test_id("ledger")).to_contain_text("e2e grant")
    page.get_by_label("Filter by operation").select_option("content_generation")
    expect(rows.first).to_contain_text("content generation")
    expect(page.get_by_test_id("ledger")).not_to_contain_text("e2e grant")
    expect(page.get_by_test_id("credits-per-run")).to_contain_text(run_id)
    # This month's usage: the run's credits and the tokens its AI calls used.
    expect(page.get_by_test_id("usage-requests")).not_to_have_text("0 requests")
    expect(page.get_by_test_id("usage-tokens")).not_to_have_text("0")
    doc_shot(page, "credits.png")
    page.get_by_test_id("credits-per-run").get_by_role("link", name=run_id).click()
    expect(page.get_by_test_id("run-id")).to_have_text(run_id)


def test_insufficient_credits_hint_links_to_the_credits_page(stack, context):
    tenant(stack, "broke", credits=0)
    page = context.new_page()
    login(page, "broke")
    import_csv(page, "keywords.csv", CSV_SMALL)
    page.get_by_role("link", name="Automation").click()
    expect(page.get_by_test_id("credits-sufficient")).to_contain_text("Insufficient")
    button(page, "Run Now").click()
    message = page.get_by_test_id("action-message")
    expect(message).to_contain_text("Not enough credits")
    message.get_by_test_id("add-credits-link").click()
    expect(page).to_have_url(re.compile(r"/credits$"))
    expect(page.get_by_test_id("credits-balance")).to_have_text("0")


def axe_serious(page: Page) -> list[dict]:
    """Serious and critical axe-core violations of the page as it is now."""
    assert AXE_JS.exists(), f"axe-core is not installed: run npm ci in {FRONTEND}"
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("width", [1440, 390])
def test_every_page_has_no_serious_axe_violations(stack, browser, width):
    tenant(stack, f"axe{width}")
    ctx = browser.new_context(base_url=stack.base_url, viewport={"width": width, "height": 900})
    try:
        page = ctx.new_page()
        page.goto("/login")
        failures = {}
        if found := axe_serious(page):
            failures["/login"] = found
        login(page, f"axe{width}")
        import_csv(page, "keywords.csv", CSV_SMALL)
        page.get_by_role("link", name="Automation").click()
        run_id = run_to_the_end(page)
        for path, ready in [
            ("/automation", "global-progress"),
            (f"/automation/runs/{run_id}", "run-page"),
            ("/keywords", "csv-input"),
            ("/review", None),
            ("/sites", "site-row"),
            ("/credits", "ledger"),
            ("/settings", None),
        ]:
            page.goto(path)
            if ready:
                expect(page.get_by_test_id(ready).first).to_be_attached()
            page.wait_for_load_state("networkidle")
            if found := axe_serious(page):
                failures[path] = found
        assert not failures, f"serious axe-core violations at {width}px: {failures}"
    finally:
        ctx.close()


def test_review_edit_then_reject_and_regenerate_gives_a_new_draft(stack, context):
    site_id = tenant(stack, "reviewer")
    page = context.new_page()
    login(page, "reviewer")
    import_csv(page, "keywords.csv", "keyword\nmatcha whisk care\n")
    page.get_by_role("link", name="Automation").click()
    run_to_the_end(page)

    page.get_by_role("link", name="Review").click()
    item = page.get_by_test_id("review-item").first
    expect(item).to_be_visible()
    item.get_by_role("button", name="Edit").click()
    editor = page.get_by_test_id("edit-modal")
    editor.get_by_label("Title", exact=True).fill("Matcha whisk care, edited")
    editor.get_by_label("Slug").fill("matcha-whisk-care")
    editor.get_by_label("Meta description").fill("How to keep a bamboo whisk in shape.")
    body = editor.get_by_label("Body (HTML)")
    body.fill(body.input_value() + "<p>Edited paragraph.</p><script>alert(1)</script>")
    editor.get_by_role("button", name="Save draft").click()
    expect(page.get_by_test_id("review-message")).to_contain_text("Saved “Matcha whisk care, edited”")
    saved = stack.django(f"""
from igny8_core.writer.models import Content
c = Content.objects.get(site_id={site_id}, title="Matcha whisk care, edited")
print(c.slug, "<script" in c.html_content, "Edited paragraph" in c.html_content)
""")
    assert saved.strip().splitlines()[-1] == "matcha-whisk-care False True"

    item = page.get_by_test_id("review-item").first
    item.get_by_role("button", name="Reject").click()
    dialog = page.get_by_test_id("reject-modal")
    dialog.get_by_role("button", name="Reject").click()
    expect(dialog.locator("[data-field=reason] [data-field-error]")).to_be_visible()
    dialog.get_by_label("Reason").fill("Too generic for this site")
    expect(dialog.get_by_label("Write a new draft from the same idea at the next run")).to_be_checked()
    dialog.get_by_role("button", name="Reject").click()
    expect(page.get_by_test_id("review-message")).to_contain_text("The next run writes a new draft")
    page.get_by_label("Show").select_option("rejected")
    expect(page.get_by_test_id("rejection-reason")).to_contain_text("Too generic for this site")
    doc_shot(page, "review-rejected.png")

    # The next run writes a new draft from the same idea.
    page.get_by_role("link", name="Automation").click()
    run_to_the_end(page)
    expect(stage(page, 4)).to_contain_text(re.compile(r"Content created\s*1"))
    page.get_by_role("link", name="Review").click()
    expect(page.get_by_test_id("review-item")).to_have_count(1)
    expect(page.get_by_test_id("review-item")).not_to_contain_text("edited")


def test_staff_grant_on_the_credits_page(stack, context):
    tenant(stack, "staffer", credits=10)
    stack.django(
        'from igny8_core.accounts.models import User; User.objects.filter(username="staffer").update(is_staff=True)'
    )
    page = context.new_page()
    login(page, "staffer")
    page.get_by_role("link", name="Credits").click()
    expect(page.get_by_test_id("credits-balance")).to_have_text("10")
    form = page.get_by_test_id("grant-form")
    form.get_by_role("button", name="Add credits").click()
    expect(form.locator("[data-field=amount] [data-field-error]")).to_be_visible()
    form.get_by_label("Amount").fill("250")
    form.get_by_label("Note").fill("Monthly top-up")
    form.get_by_role("button", name="Add credits").click()
    expect(page.get_by_test_id("grant-message")).to_contain_text("The balance is 260")
    expect(page.get_by_test_id("credits-balance")).to_have_text("260")
    expect(page.get_by_test_id("ledger")).to_contain_text("Monthly top-up")
    doc_shot(page, "credits-grant.png")


def test_a_non_staff_user_has_no_grant_form(stack, context):
    tenant(stack, "plainuser")
    page = context.new_page()
    login(page, "plainuser")
    page.get_by_role("link", name="Credits").click()
    expect(page.get_by_test_id("ledger")).to_be_visible()
    expect(page.get_by_test_id("grant-form")).to_have_count(0)


def test_notification_test_reaches_a_local_webhook_receiver(stack, context):
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    received = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        tenant(stack, "notified")
        page = context.new_page()
        login(page, "notified")
        page.get_by_role("link", name="Settings").click()
        section = page.get_by_test_id("notifications")
        section.get_by_label("Replace the targets (one apprise URL a line)").fill(
            f"json://127.0.0.1:{server.server_port}/hook"
        )
        section.get_by_role("button", name="Save notifications").click()
        expect(page.get_by_test_id("notifications-message")).to_contain_text("saved")
        expect(page.get_by_test_id("notification-targets")).to_contain_text(f"127.0.0.1:{server.server_port}")
        section.get_by_role("button", name="Test").click()
        expect(page.get_by_test_id("notifications-message")).to_contain_text("Test message sent to 1 target")
        assert received and "Test" in json.dumps(received[0])
        doc_shot(page, "notifications.png")
    finally:
        server.shutdown()
