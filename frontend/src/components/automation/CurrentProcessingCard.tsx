import type { CurrentProcessing } from "../../api/models";
import { Card, Spinner } from "../ui";

function itemLabel(item: CurrentProcessing["items"][number]): string {
  return item.title || `#${item.id}`;
}

export function CurrentProcessingCard({
  processing,
  paused,
  worker = "claimed",
}: {
  processing: CurrentProcessing | null;
  paused: boolean;
  /** Whether a worker has this run (lib/run workerState). */
  worker?: "claimed" | "waiting" | "missing";
}) {
  return (
    <Card title="Currently processing" testId="current-processing">
      {paused ? (
        <p className="text-sm text-amber-800">Paused — the run continues from here when you resume it.</p>
      ) : worker === "waiting" ? (
        <p className="flex items-center gap-2 text-sm text-slate-700" data-testid="awaiting-worker">
          <Spinner small /> Waiting for a worker to pick this run up…
        </p>
      ) : worker === "missing" ? (
        <p
          className="flex items-start gap-2 text-sm text-red-800"
          data-testid="awaiting-worker"
          data-severity="error"
        >
          <Spinner small />
          <span>
            Waiting for a worker to pick this run up: no worker has started it yet. Check that the Celery
            worker is running on the same Redis (<code>make up</code> starts one); Cancel frees the site for a
            new run.
          </span>
        </p>
      ) : !processing ? (
        <p className="flex items-center gap-2 text-sm text-slate-600">
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
