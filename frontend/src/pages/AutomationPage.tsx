import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useOnChange } from "../hooks/useOnChange";
import { Link } from "react-router";
import { automation } from "../api";
import { ActivityLog } from "../components/automation/ActivityLog";
import { ConfigModal } from "../components/automation/ConfigModal";
import { CreditsHeader } from "../components/automation/CreditsHeader";
import { CurrentProcessingCard } from "../components/automation/CurrentProcessingCard";
import { GlobalProgressBar } from "../components/automation/GlobalProgressBar";
import { MetricsCard } from "../components/automation/MetricsCard";
import { RunControls, type RunAction } from "../components/automation/RunControls";
import { RunHistory } from "../components/automation/RunHistory";
import { ScheduleBadge } from "../components/automation/ScheduleBadge";
import { StageCard } from "../components/automation/StageCard";
import { WordPressWarning } from "../components/WordPressWarning";
import { AddCreditsLink, Alert, ConfirmDialog, EmptyState, Loading, PageHeader } from "../components/ui";
import { automationKey, useAutomation } from "../hooks/useAutomation";
import { useSite } from "../hooks/useSite";
import { ApiError, describeError, isCreditsError } from "../lib/errors";
import { useNow } from "../hooks/useNow";
import { useStages } from "../hooks/useStages";
import {
  controlStates,
  isActive,
  liveDuration,
  nothingToProcess,
  stageResult,
  stageStatus,
  workerState,
} from "../lib/run";
import { formatDateTime } from "../lib/format";
import { isWorkerStillFinishing, retryWhile } from "../lib/retry";

// Resume retries for up to ~30 s while the paused worker finishes its current item.
const RESUME_RETRY_MS = 1_500;
const RESUME_ATTEMPTS = 20;

type Message = { tone: "error" | "success" | "info"; text: string; credits?: boolean } | null;

const DONE_TEXT: Record<RunAction, string> = {
  runNow: "Run started.",
  pause: "Pause requested: the run stops after the current item.",
  resume: "Run resumed.",
  cancel: "Cancel requested: the run stops after the current item.",
};

export function AutomationPage() {
  const { siteId, site, isLoading: sitesLoading } = useSite();
  const data = useAutomation(siteId);
  const stages = useStages();
  const client = useQueryClient();
  const [confirmCancel, setConfirmCancel] = useState(false);
  const [configOpen, setConfigOpen] = useState(false);
  const [message, setMessage] = useState<Message>(null);

  const run = data.run;
  // The duration ticks every second while the run runs (between the ~5 s polls).
  const now = useNow(run?.status === "running");
  // "Run started." / "Run resumed." go stale once that run has finished (the progress card
  // then says how it ended): drop a success notice when the run leaves running/paused.
  useOnChange(run?.status, (_status, was) => {
    if (was && isActive({ status: was }) && !isActive(run)) {
      setMessage((m) => (m?.tone === "success" ? null : m));
    }
    // A Cancel confirmation left open while the run ended must not pop up for the next run.
    if (!isActive(run)) setConfirmCancel(false);
  });
  const action = useMutation({
    mutationFn: async (kind: RunAction) => {
      const id = siteId!;
      if (kind === "runNow") return automation.runNow(id);
      if (!run) throw new Error("There is no run to act on.");
      if (kind === "pause") return automation.pause(id, run.run_id);
      if (kind === "resume") {
        // Right after Pause the worker may still be finishing its item: wait for it (the
        // button keeps spinning) instead of answering "try again" to a single click.
        const runId = run.run_id;
        return retryWhile(() => automation.resume(id, runId), isWorkerStillFinishing, {
          attempts: RESUME_ATTEMPTS,
          delayMs: RESUME_RETRY_MS,
          onRetry: () =>
            setMessage({ tone: "info", text: "Waiting for the paused worker to finish its current item…" }),
        });
      }
      return automation.cancel(id, run.run_id);
    },
    onSuccess: (result, kind) => {
      const runId = (result as { run_id?: string }).run_id;
      setMessage({
        tone: "success",
        text: kind === "runNow" && runId ? `Run ${runId} started.` : DONE_TEXT[kind],
      });
      setConfirmCancel(false);
    },
    onError: (error, kind) => {
      // The run can end on its own while the confirmation is open: nothing went wrong.
      const alreadyOver =
        kind === "cancel" && error instanceof ApiError && error.code === "invalid_run_state";
      setMessage(
        alreadyOver
          ? { tone: "info", text: "The run had already ended: there was nothing left to cancel." }
          : { tone: "error", text: describeError(error), credits: isCreditsError(error) },
      );
      setConfirmCancel(false);
    },
    onSettled: (_r, error) => {
      // A 409 means our picture of the run is stale: fetch the real state.
      client.invalidateQueries({ queryKey: automationKey(siteId) });
      if (error instanceof ApiError && error.status === 402) client.invalidateQueries({ queryKey: ["me"] });
    },
  });

  if (sitesLoading) return <Loading label="Loading sites…" />;
  if (!siteId) {
    return (
      <EmptyState title="No site yet">
        <Link to="/sites" className="font-medium text-indigo-700 underline">
          Create a site
        </Link>{" "}
        to run the automation.
      </EmptyState>
    );
  }

  const states = controlStates(run, action.isPending);
  const progressData = data.progress.data;
  const pending = new Map((data.pipeline.data?.stages ?? []).map((s) => [s.number, s.pending]));
  const logRunId = run?.run_id ?? data.history.data?.[0]?.run_id ?? null;
  const balance = data.estimate.data?.current_balance ?? data.me.data?.account.credits_balance ?? null;
  const loadError = data.current.error ?? data.pipeline.error;

  const onAction = (kind: RunAction) => {
    setMessage(null);
    if (kind === "cancel") setConfirmCancel(true);
    else action.mutate(kind);
  };

  return (
    <div className="space-y-4">
      <div className="flex flex-col gap-3 lg:flex-row lg:items-start lg:justify-between">
        <div>
          <PageHeader title="Automation">
            Keywords to illustrated drafts for <strong>{site?.name}</strong>, in 7 stages.
          </PageHeader>
          <div className="mt-2">
            <ScheduleBadge config={data.config.data} />
          </div>
        </div>
        <CreditsHeader balance={balance} estimate={data.estimate.data} />
      </div>

      <RunControls
        states={states}
        pending={action.isPending ? (action.variables ?? null) : null}
        onAction={onAction}
        onConfigure={() => setConfigOpen(true)}
      />

      {!isActive(run) && nothingToProcess(data.pipeline.data?.stages) && (
        <p className="text-sm text-slate-600" data-testid="nothing-to-process">
          Nothing waiting in stages 1–6: a run now would skip them.{" "}
          <Link to="/keywords" className="font-medium text-indigo-700 underline">
            Import a CSV
          </Link>{" "}
          to give it work.
        </p>
      )}

      {message && (
        <Alert tone={message.tone} onClose={() => setMessage(null)} testId="action-message">
          {message.text}
          {message.credits && (
            <>
              {" "}
              <AddCreditsLink />.
            </>
          )}
        </Alert>
      )}
      {loadError && <Alert testId="load-error">{describeError(loadError)}</Alert>}
      <WordPressWarning siteId={siteId} />

      {data.current.isLoading ? (
        <Loading label="Loading the current run…" />
      ) : run ? (
        <GlobalProgressBar
          key={run.run_id}
          run={run}
          progress={progressData?.global_progress}
          durationSeconds={liveDuration(
            progressData?.metrics?.duration_seconds,
            data.progress.dataUpdatedAt,
            run.status === "running",
            now,
          )}
        />
      ) : (
        <EmptyState title="No run yet">
          {nothingToProcess(data.pipeline.data?.stages) ? (
            <>
              <Link to="/keywords" className="font-medium text-indigo-700 underline">
                Import a CSV
              </Link>{" "}
              of keywords, then press Run Now.
            </>
          ) : (
            "Keywords are waiting: press Run Now to process them."
          )}
        </EmptyState>
      )}

      {isActive(run) && (
        <CurrentProcessingCard
          processing={data.processing.data ?? null}
          paused={run?.status === "paused"}
          worker={workerState(run, data.processing.data, now)}
        />
      )}

      <section aria-label="Pipeline overview">
        <h2 className="mb-2 text-sm font-semibold text-slate-800">Pipeline</h2>
        <div className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-4 xl:grid-cols-7">
          {(stages.data ?? []).map((info) => {
            const server = progressData?.stages?.find((s) => s.number === info.number);
            return (
              <StageCard
                key={info.number}
                info={info}
                status={stageStatus(run, info.number, server?.status)}
                pending={pending.has(info.number) ? pending.get(info.number)! : null}
                result={server?.result ?? stageResult(run, info.number)}
                inputCount={server?.input_count}
                processedCount={server?.processed_count}
              />
            );
          })}
        </div>
      </section>

      <div className="grid grid-cols-1 gap-4 2xl:grid-cols-2">
        <ActivityLog
          siteId={siteId}
          runId={logRunId}
          live={isActive(run) && logRunId === run?.run_id}
          interval={data.interval}
        />
        <RunHistory
          runs={data.history.data ?? []}
          loading={data.history.isLoading}
          siteId={siteId}
          interval={data.interval}
        />
      </div>

      <MetricsCard siteId={siteId} />

      <p className="text-xs text-slate-600">
        Refreshing every {data.interval ? Math.round(data.interval / 1000) : "—"} s
        {data.visible ? "" : " (paused while the tab is hidden)"}.
      </p>

      {confirmCancel && run && isActive(run) && (
        <ConfirmDialog
          title="Cancel this run?"
          message={
            <>
              Run <code>{run.run_id}</code> stops after the current item. Cancel is final: a cancelled run
              cannot be resumed (its remaining items are picked up by the next run).
            </>
          }
          confirmLabel="Cancel run"
          cancelLabel="Keep running"
          busy={action.isPending}
          onConfirm={() => action.mutate("cancel")}
          onCancel={() => setConfirmCancel(false)}
        />
      )}
      {configOpen && data.config.data && (
        <ConfigModal
          siteId={siteId}
          config={data.config.data}
          onClose={() => setConfigOpen(false)}
          onSaved={(saved) =>
            setMessage({
              tone: "success",
              text: saved.is_enabled
                ? `Configuration saved. Next scheduled run: ${formatDateTime(saved.next_run_at)}.`
                : "Configuration saved. The schedule is off: runs start only with Run Now.",
            })
          }
        />
      )}
      {configOpen && !data.config.data && (
        <ConfirmDialog
          title="Configuration unavailable"
          message={data.config.error ? describeError(data.config.error) : "Still loading the configuration…"}
          confirmLabel="Close"
          onConfirm={() => setConfigOpen(false)}
          onCancel={() => setConfigOpen(false)}
        />
      )}
    </div>
  );
}
