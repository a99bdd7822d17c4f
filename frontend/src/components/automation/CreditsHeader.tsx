import type { Estimate, Ratio, RatioSource, SiteRatios } from "../../api/models";
import { formatCredits, plural, toNumber } from "../../lib/format";
import { AddCreditsLink, Badge } from "../ui";

export function CreditsHeader({
  balance,
  estimate,
}: {
  balance: string | number | null;
  estimate: Estimate | undefined;
}) {
  return (
    <div className="flex flex-col gap-1" data-testid="credits-header">
      <div className="flex flex-wrap items-stretch gap-2">
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
      {estimate?.ratios && <EstimateRatios ratios={estimate.ratios} imagesOff={estimate.images_off} />}
    </div>
  );
}

const SOURCE_TONES = { site: "green", default: "gray", local: "teal" } as const;

/** What a ratio's default stands in for: the history that replaces it once the site has it. */
const DEFAULT_UNTIL = {
  cluster_factor: "default until this site has finished runs",
  ideas_per_cluster: "default until this site has clusters with ideas",
  words_per_article: "default until this site has articles",
  images_per_article: "default until this site has articles with images",
} as const;

type RatioName = keyof typeof DEFAULT_UNTIL;

function sourceTag(name: RatioName, source: RatioSource): string {
  if (source === "site") return "learned from this site";
  if (source === "local") return "local clustering";
  return DEFAULT_UNTIL[name];
}

/** "1,250 words", "4 images", "about 2.5 ideas": a ratio's value with its unit. */
function amount(value: string, one: string, many = `${one}s`): string {
  const n = Math.round(toNumber(value) * 100) / 100;
  const shown = n.toLocaleString("en-US", { maximumFractionDigits: 2 });
  return `${Number.isInteger(n) ? "" : "about "}${shown} ${n === 1 ? one : many}`;
}

/** The ratios the estimate projects each stage's items with, in plain words, and where each
 * came from: the operator sees why the estimate is what it is. */
function EstimateRatios({ ratios, imagesOff }: { ratios: SiteRatios; imagesOff: string }) {
  const rows: { name: RatioName; ratio: Ratio; text: string }[] = [
    {
      name: "cluster_factor",
      ratio: ratios.cluster_factor,
      text: `${amount(ratios.cluster_factor.value, "cluster")} made per projected cluster`,
    },
    {
      name: "ideas_per_cluster",
      ratio: ratios.ideas_per_cluster,
      text: `${amount(ratios.ideas_per_cluster.value, "idea")} per cluster`,
    },
    {
      name: "words_per_article",
      ratio: ratios.words_per_article,
      text: `${amount(ratios.words_per_article.value, "word")} per article`,
    },
    {
      name: "images_per_article",
      ratio: ratios.images_per_article,
      text:
        `${amount(ratios.images_per_article.value, "image")} per article` +
        (imagesOff ? ` (none this run: ${imagesOff})` : ""),
    },
  ];
  return (
    <details className="relative text-xs text-slate-600" data-testid="estimate-ratios">
      <summary className="cursor-pointer select-none rounded text-indigo-700 hover:underline focus-visible:outline focus-visible:outline-2 focus-visible:outline-indigo-500">
        How this estimate is made
      </summary>
      <div className="absolute right-0 z-20 mt-1 w-[26rem] max-w-[calc(100vw-2rem)] rounded-lg border border-slate-200 bg-white px-3 py-2 shadow-lg">
        <p>Each stage's items are projected from what is waiting, with:</p>
        <ul className="mt-1 space-y-1">
          <li data-testid="ratio-projected_clusters">
            {ratios.projected_clusters
              ? `${plural(ratios.projected_clusters, "new cluster")} projected from the pending keywords by a local grouping`
              : "no new clusters projected from the pending keywords"}
          </li>
          {rows.map(({ name, ratio, text }) => (
            <li
              key={name}
              className="flex flex-wrap items-center gap-x-2 gap-y-0.5"
              data-testid={`ratio-${name}`}
            >
              <span className="tabular-nums text-slate-800">{text}</span>{" "}
              <Badge tone={SOURCE_TONES[ratio.source]}>{sourceTag(name, ratio.source)}</Badge>
            </li>
          ))}
        </ul>
      </div>
    </details>
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
