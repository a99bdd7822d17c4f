// The items a run failed on, with their errors, and Retry failed: every one of the run's failed
// items (not only the first page listed) becomes pending again (attempts reset) and the next
// run processes them.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";
import { automation } from "../../api";
import { call } from "../../api/client";
import type { FailedItem, Paginated } from "../../api/models";
import { useStages } from "../../hooks/useStages";
import { describeError } from "../../lib/errors";
import { plural } from "../../lib/format";
import { Alert, Button, Card, ScrollTable, TableHead } from "../ui";

/** The API's bound on `ids` per retry request. */
export const RETRY_IDS_MAX = 1000;
const PAGE_SIZE = 1000;

/** Requests of one stage each (the API retries ids of one stage at a time), at most `max` ids
 * each, lowest stage first. */
export function retryBatches(
  items: Pick<FailedItem, "stage" | "id">[],
  max = RETRY_IDS_MAX,
): Array<{ stage: FailedItem["stage"]; ids: number[] }> {
  const byStage = new Map<FailedItem["stage"], number[]>();
  for (const item of items) byStage.set(item.stage, [...(byStage.get(item.stage) ?? []), item.id]);
  const batches: Array<{ stage: FailedItem["stage"]; ids: number[] }> = [];
  for (const [stage, ids] of [...byStage].sort(([a], [b]) => a - b)) {
    const unique = [...new Set(ids)];
    for (let i = 0; i < unique.length; i += max) batches.push({ stage, ids: unique.slice(i, i + max) });
  }
  return batches;
}

/** Every page of a list: the run page lists only the first failed items, Retry needs them all. */
export async function allPages<T>(fetchPage: (page: number) => Promise<Paginated<T>>): Promise<T[]> {
  const out: T[] = [];
  for (let page = 1; ; page++) {
    const data = await fetchPage(page);
    out.push(...data.results);
    if (!data.next || !data.results.length) return out;
  }
}

/** All the run's failed items are read first, then retried: a retried item leaves the list, so
 * paging while retrying would skip some. */
async function retryRunFailures(siteId: number, runId: string): Promise<number> {
  const items = await allPages((page) =>
    call<Paginated<FailedItem>>("automationFailedItems", {
      query: { site_id: siteId, run_id: runId, page, page_size: PAGE_SIZE },
    }),
  );
  let requeued = 0;
  for (const batch of retryBatches(items)) requeued += (await automation.retryFailed(siteId, batch)).total;
  return requeued;
}

export function FailedItems({
  siteId,
  runId,
  items,
  total,
  runActive,
}: {
  siteId: number;
  runId: string;
  /** The first failed items (run_detail lists up to 100); `total` counts them all. */
  items: FailedItem[];
  total: number;
  runActive: boolean;
}) {
  const client = useQueryClient();
  const [message, setMessage] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  const stages = useStages().data;
  const retry = useMutation({
    mutationFn: () => retryRunFailures(siteId, runId),
    onSuccess: (requeued) => {
      setMessage({
        tone: "success",
        text: requeued
          ? `${plural(requeued, "item is", "items are")} pending again: the next run (or Run Now) processes them.`
          : "Nothing was left to retry: these items are no longer failed.",
      });
      client.invalidateQueries({ queryKey: ["run"] });
      client.invalidateQueries({ queryKey: ["automation", siteId] });
    },
    onError: (error) => setMessage({ tone: "error", text: describeError(error) }),
  });
  if (!items.length && !message) return null;
  return (
    <Card
      title={`Failed items (${total})`}
      testId="failed-items"
      className="border-red-200"
      actions={
        items.length > 0 && (
          <Button
            variant="danger"
            onClick={() => retry.mutate()}
            loading={retry.isPending}
            disabled={runActive}
            title={
              runActive
                ? "Wait until the site's run has ended"
                : `Makes all ${plural(total, "failed item", "failed items")} of this run pending again`
            }
          >
            Retry failed ({total})
          </Button>
        )
      }
    >
      {message && (
        <div className="mb-2">
          <Alert tone={message.tone} onClose={() => setMessage(null)} testId="retry-message">
            {message.text}{" "}
            {message.tone === "success" && (
              <Link to="/automation" className="font-semibold underline">
                Go to Run Now
              </Link>
            )}
          </Alert>
        </div>
      )}
      {items.length > 0 && items.length < total && (
        <p className="mb-2 text-sm text-slate-600" data-testid="failed-items-shown">
          The newest {items.length} of {total} are listed; Retry failed retries all {total}.
        </p>
      )}
      {items.length > 0 && (
        <ScrollTable label="Failed items">
          <table className="min-w-full text-left text-sm">
            <TableHead columns={["Stage", "Item", "Error", "Attempts", "What is missing"]} />
            <tbody>
              {items.map((item) => (
                <tr
                  key={`${item.stage}-${item.id}`}
                  className="border-b border-slate-100 align-top"
                  data-testid="failed-item"
                >
                  <td className="whitespace-nowrap px-4 py-2">
                    {item.stage}. {stages?.find((s) => s.number === item.stage)?.name}
                  </td>
                  <td className="px-4 py-2">{item.title || `${item.item_type} #${item.id}`}</td>
                  <td className="px-4 py-2 text-red-800">
                    {item.error || item.code}
                    {item.code && <code className="ml-1 text-xs text-slate-600">({item.code})</code>}
                  </td>
                  <td className="whitespace-nowrap px-4 py-2 tabular-nums">
                    {item.attempts}
                    {item.retries_left > 0 ? ` · retried by the next run` : " · waits for you"}
                  </td>
                  <td className="px-4 py-2 text-slate-700">{item.missing}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollTable>
      )}
    </Card>
  );
}
