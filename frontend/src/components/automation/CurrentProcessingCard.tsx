import type { CurrentProcessing } from "../../api/types";
import { Card, Spinner } from "../ui";

function itemLabel(item: CurrentProcessing["items"][number]): string {
  if (typeof item === "string") return item;
  return item.title || item.name || (item.id !== undefined ? `#${item.id}` : "item");
}

export function CurrentProcessingCard({
  processing,
  paused,
  awaitingWorker = false,
}: {
  processing: CurrentProcessing | null;
  paused: boolean;
  /** Nobody has started this run for a while (see lib/progress awaitingWorker). */
  awaitingWorker?: boolean;
}) {
  return (
    <Card title="Currently processing" testId="current-processing">
      {paused ? (
        <p className="text-sm text-amber-800">Paused — the run continues from here when you resume it.</p>
      ) : awaitingWorker ? (
        <p className="flex items-start gap-2 text-sm text-amber-800" data-testid="awaiting-worker">
          <Spinner small />
          <span>
            No worker has started this run yet. If this lasts, check that the Celery worker is running on the
            same Redis (<code>make up</code> starts one); Cancel frees the site for a new run.
          </span>
        </p>
      ) : !processing ? (
        <p className="flex items-center gap-2 text-sm text-slate-500">
          <Spinner small /> Between batches…
        </p>
      ) : (
        <div className="text-sm">
          <p className="font-medium text-slate-800">
            Stage {processing.stage}: {processing.stage_name}
          </p>
          <p className="text-xs text-slate-600">
            Batch {processing.batch} of {processing.total_batches}
          </p>
          {processing.items.length > 0 && (
            <ul className="mt-2 max-h-32 list-inside list-disc overflow-y-auto text-xs text-slate-700">
              {processing.items.map((item, i) => (
                <li key={i} className="truncate">
                  {itemLabel(item)}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </Card>
  );
}
