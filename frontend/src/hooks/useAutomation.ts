// Every query of the automation page, polled together: ~5 s while a run is running or
// paused, ~30 s idle, not at all while the tab is hidden (pollInterval).
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { automation, auth } from "../api";
import { isActive, pollInterval } from "../lib/run";
import { usePageVisible } from "./usePageVisible";
import { ME_KEY } from "./useSession";

export const automationKey = (siteId: number | null) => ["automation", siteId] as const;

export function useAutomation(siteId: number | null) {
  const visible = usePageVisible();
  const client = useQueryClient();
  const enabled = siteId !== null;
  const key = automationKey(siteId);
  const id = siteId ?? 0;

  const current = useQuery({
    queryKey: [...key, "current"],
    queryFn: () => automation.currentRun(id),
    enabled,
    refetchInterval: (q) => pollInterval(q.state.data?.run?.status, visible),
  });
  const run = current.data?.run ?? null;
  const interval = pollInterval(run?.status, visible);
  const active = isActive(run);

  const progress = useQuery({
    queryKey: [...key, "progress", run?.run_id],
    queryFn: () => automation.runProgress(id, run!.run_id),
    enabled: enabled && !!run,
    refetchInterval: interval,
  });
  const processing = useQuery({
    queryKey: [...key, "processing", run?.run_id],
    queryFn: () => automation.currentProcessing(id, run!.run_id),
    enabled: enabled && active,
    refetchInterval: interval,
  });
  const pipeline = useQuery({
    queryKey: [...key, "pipeline"],
    queryFn: () => automation.pipelineOverview(id),
    enabled,
    refetchInterval: interval,
  });
  const estimate = useQuery({
    queryKey: [...key, "estimate"],
    queryFn: () => automation.estimate(id),
    enabled,
    refetchInterval: active ? interval : false,
  });
  const config = useQuery({ queryKey: [...key, "config"], queryFn: () => automation.config(id), enabled });
  const history = useQuery({
    queryKey: [...key, "history"],
    queryFn: () => automation.history(id),
    enabled,
    refetchInterval: interval,
  });
  const me = useQuery({ queryKey: ME_KEY, queryFn: auth.me, refetchInterval: interval, retry: false });

  // When a run changes state (starts, pauses, ends), everything else is stale at once.
  const lastStatus = useRef<string | undefined>(undefined);
  useEffect(() => {
    const status = run ? `${run.run_id}:${run.status}` : "none";
    if (lastStatus.current !== undefined && lastStatus.current !== status) {
      client.invalidateQueries({ queryKey: key });
      client.invalidateQueries({ queryKey: ME_KEY });
    }
    lastStatus.current = status;
  }, [run, client, key]);

  return { visible, interval, run, current, progress, processing, pipeline, estimate, config, history, me };
}
