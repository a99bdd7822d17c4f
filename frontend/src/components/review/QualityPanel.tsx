import type { ContentSummary } from "../../api/models";
import { qualityOf, qualityTone } from "../../lib/quality";
import { Badge } from "../ui";

/** The draft's quality score and the checks it failed (nothing when the API sends no quality). */
export function QualityPanel({ content }: { content: Pick<ContentSummary, "quality"> }) {
  const q = qualityOf(content);
  if (!q) return null;
  return (
    <div className="rounded-md border border-slate-200 p-2 text-xs" data-testid="quality">
      <p className="flex items-center gap-2">
        <span className="font-semibold text-slate-800">Quality</span>
        <Badge tone={qualityTone(q.score)} testId="quality-score">
          {q.score} / 100
        </Badge>
        <span className="text-slate-600">
          {q.passed} checks passed{q.failed.length ? `, ${q.failed.length} failed` : ""}
        </span>
      </p>
      {q.failed.length > 0 && (
        <ul className="mt-1 list-inside list-disc text-red-800" data-testid="quality-failed">
          {q.failed.map((c) => (
            <li key={c.name}>{c.detail || c.name.replace(/_/g, " ")}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
