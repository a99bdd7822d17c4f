// One run's own page (/automation/runs/<run_id>): its progress, stage results with credits,
// tokens, provider cost and timings, what each stage left, its failed items with Retry failed, and its log.
import { useQuery } from "@tanstack/react-query";
import { Link, useParams } from "react-router";
import { automation } from "../api";
import type { AutomationRun } from "../api/models";
import { ActivityLog } from "../components/automation/ActivityLog";
import { FailedItems } from "../components/automation/FailedItems";
import { GlobalProgressBar } from "../components/automation/GlobalProgressBar";
import { StageCard } from "../components/automation/StageCard";
import { Alert, Card, Loading, PageHeader } from "../components/ui";
import { useNow } from "../hooks/useNow";
import { usePageVisible } from "../hooks/usePageVisible";
import { useSite } from "../hooks/useSite";
import { useStages } from "../hooks/useStages";
import { describeError } from "../lib/errors";
import {
  durationBetween,
  formatCredits,
  formatDateTime,
  formatTokens,
  formatUsd,
  tokenSplit,
} from "../lib/format";
import { isActive, liveDuration, pollInterval, stageStatus } from "../lib/run";

export function RunPage() {
  const { runId = "" } = useParams();
  const { isLoading: sitesLoading } = useSite();
  const visible = usePageVisible();
  const stages = useStages();

  const progress = useQuery({
    queryKey: ["run", runId, "progress"],
    queryFn: () => automation.runProgress(null, runId),
    enabled: !!runId,
    refetchInterval: (q) => pollInterval(q.state.data?.run?.status, visible),
  });
  const status = progress.data?.run?.status;
  // Every field of the run, its failed items and what is pending now.
  const detail = useQuery({
    queryKey: ["run", runId, "detail"],
    queryFn: () => automation.runDetail(runId),
    enabled: !!runId,
    refetchInterval: pollInterval(status, visible),
  });
  const now = useNow(status === "running");

  if (sitesLoading || progress.isLoading) return <Loading label="Loading the run…" />;
  if (progress.isError || !progress.data?.run) {
    return (
      <div className="space-y-3">
        <BackLink />
        <Alert testId="run-error">
          {progress.error ? describeError(progress.error) : "This run has no data."}
        </Alert>
      </div>
    );
  }
  // run_progress carries the run's live state; run_detail adds its timestamps and credits.
  const run = { ...(detail.data?.run ?? {}), ...progress.data.run } as AutomationRun;
  const data = progress.data;
  const ended = run.completed_at ?? run.cancelled_at ?? null;
  const credits = data.metrics?.credits_used ?? run.total_credits_used;
  // The run's tokens and provider bill: the sum of its stages' (live in run_progress's metrics).
  const promptTokens = data.metrics?.prompt_tokens ?? run.prompt_tokens;
  const completionTokens = data.metrics?.completion_tokens ?? run.completion_tokens;
  const providerCost = data.metrics?.provider_cost ?? run.provider_cost;

  return (
    <div className="space-y-4" data-testid="run-page">
      <BackLink />
      <PageHeader title={`Run ${run.run_id}`}>
        A {run.trigger_type} run, started {formatDateTime(run.started_at)}.
      </PageHeader>
      <GlobalProgressBar
        run={run}
        progress={data.global_progress}
        durationSeconds={liveDuration(
          data.metrics?.duration_seconds,
          progress.dataUpdatedAt,
          run.status === "running",
          now,
        )}
        title="Progress"
      />
      <Card title="Timings and usage" testId="run-timings">
        <dl className="grid grid-cols-2 gap-x-4 gap-y-1 text-sm sm:grid-cols-3 lg:grid-cols-6">
          <Fact label="Started" value={formatDateTime(run.started_at)} />
          <Fact label={run.status === "cancelled" ? "Cancelled" : "Ended"} value={formatDateTime(ended)} />
          <Fact
            label="Duration"
            value={ended ? durationBetween(run.started_at, ended) : isActive(run) ? "still running" : "—"}
          />
          <Fact
            label="Credits used"
            value={credits === undefined || credits === null ? "—" : formatCredits(credits)}
          />
          <Fact
            label="Tokens"
            value={formatTokens(promptTokens, completionTokens)}
            title={tokenSplit(promptTokens, completionTokens)}
            testId="run-tokens"
          />
          <Fact
            label="Provider cost"
            value={formatUsd(providerCost)}
            title="What the AI provider bills, USD"
            testId="run-provider-cost"
          />
        </dl>
      </Card>
      <section aria-label="Stages of this run">
        <h2 className="mb-2 text-sm font-semibold text-slate-800">Stages</h2>
        <div className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-4 xl:grid-cols-7">
          {(stages.data ?? []).map((info) => {
            const server = data.stages.find((s) => s.number === info.number);
            const left =
              server?.remaining_count ??
              (server?.input_count !== undefined
                ? Math.max(0, server.input_count - (server.processed_count ?? 0))
                : null);
            return (
              <StageCard
                key={info.number}
                info={info}
                status={stageStatus(run, info.number, server?.status)}
                pending={left}
                pendingLabel="left"
                result={server?.result ?? null}
                inputCount={server?.input_count}
                processedCount={server?.processed_count}
              />
            );
          })}
        </div>
      </section>
      {detail.data && (
        <FailedItems
          siteId={detail.data.run.site_id}
          runId={run.run_id}
          items={detail.data.failed_items}
          total={detail.data.failed_items_count}
          runActive={isActive(run)}
        />
      )}
      <ActivityLog
        siteId={null}
        runId={run.run_id}
        live={isActive(run)}
        interval={pollInterval(run.status, visible)}
        title="Log"
      />
    </div>
  );
}

function BackLink() {
  return (
    <Link to="/automation" className="text-sm font-medium text-indigo-700 hover:underline">
      ← Automation
    </Link>
  );
}

function Fact({
  label,
  value,
  title,
  testId,
}: {
  label: string;
  value: string;
  title?: string;
  testId?: string;
}) {
  return (
    <div>
      <dt className="text-xs text-slate-600">{label}</dt>
      <dd className="font-medium tabular-nums text-slate-900" title={title} data-testid={testId}>
        {value}
      </dd>
    </div>
  );
}
