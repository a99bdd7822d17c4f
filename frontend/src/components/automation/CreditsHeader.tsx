import type { Estimate } from "../../api/models";
import { formatCredits } from "../../lib/format";
import { AddCreditsLink, Badge } from "../ui";

export function CreditsHeader({
  balance,
  estimate,
}: {
  balance: string | number | null;
  estimate: Estimate | undefined;
}) {
  return (
    <div className="flex flex-wrap items-stretch gap-2" data-testid="credits-header">
      <Stat
        label="Credit balance"
        value={balance === null ? "…" : formatCredits(balance)}
        testId="credit-balance"
      />
      <Stat
        label="Estimate for a run"
        value={estimate ? formatCredits(estimate.estimated_credits) : "…"}
        sub={estimate ? `needs ${formatCredits(estimate.required)} (×1.2)` : undefined}
        testId="credit-estimate"
        title={estimate?.breakdown
          ?.map((b) => `Stage ${b.stage} ${b.name}: ${b.items} items, ${formatCredits(b.credits)} credits`)
          .join("\n")}
      />
      <div className="flex items-center">
        {estimate &&
          (estimate.sufficient ? (
            <Badge tone="green" testId="credits-sufficient">
              ✓ Sufficient credits
            </Badge>
          ) : (
            <span className="flex flex-col items-start gap-1 text-xs text-red-800">
              <Badge tone="red" testId="credits-sufficient">
                ✗ Insufficient credits
              </Badge>
              <AddCreditsLink />
            </span>
          ))}
      </div>
    </div>
  );
}

function Stat({
  label,
  value,
  sub,
  testId,
  title,
}: {
  label: string;
  value: string;
  sub?: string;
  testId: string;
  title?: string;
}) {
  return (
    <div className="min-w-[8rem] rounded-lg border border-slate-200 bg-white px-3 py-1.5" title={title}>
      <p className="text-[11px] uppercase tracking-wide text-slate-500">{label}</p>
      <p className="text-lg font-semibold tabular-nums text-slate-900" data-testid={testId}>
        {value}
      </p>
      {sub && <p className="text-[11px] text-slate-500">{sub}</p>}
    </div>
  );
}
