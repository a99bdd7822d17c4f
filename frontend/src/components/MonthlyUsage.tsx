// The account's AI usage for one calendar month (UTC): credits charged, tokens and what the AI
// provider bills, this month by default or one of the previous months that had AI requests.
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { billing } from "../api";
import type { AIUsageMonth } from "../api/models";
import {
  currentMonth,
  formatCredits,
  formatTokens,
  formatUsd,
  monthName,
  plural,
  tokenSplit,
} from "../lib/format";
import { Card, Figure, FilterSelect, QueryState } from "./ui";

/** How many months back the selector reaches (the API lists the months that had AI requests). */
const MONTHS = 12;
const control = "rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm";

export function MonthlyUsage() {
  const usage = useQuery({ queryKey: ["billing", "usage", MONTHS], queryFn: () => billing.usage(MONTHS) });
  // "" is this month (the select's first option); else a previous month, "YYYY-MM".
  const [chosen, setChosen] = useState("");
  const thisMonth = currentMonth();
  const month = chosen || thisMonth;
  const months = usage.data?.months ?? [];
  const previous = months.filter((m) => m.month !== thisMonth);
  // A month without AI requests is not in the answer: it used nothing.
  const row: AIUsageMonth = months.find((m) => m.month === month) ?? {
    month,
    requests: 0,
    prompt_tokens: 0,
    completion_tokens: 0,
    provider_cost: "0",
    credits: "0",
  };
  return (
    <Card
      title={chosen ? `Usage in ${monthName(chosen)}` : "Usage this month"}
      testId="monthly-usage"
      actions={
        <FilterSelect
          label="Usage month"
          className={control}
          all={`This month (${monthName(thisMonth)})`}
          options={previous.map((m) => [m.month, monthName(m.month)] as const)}
          value={chosen}
          onChange={setChosen}
        />
      }
    >
      <QueryState query={usage}>
        <dl className="grid grid-cols-2 gap-x-4 gap-y-2 text-sm sm:grid-cols-4">
          <Figure large label="Credits used" value={formatCredits(row.credits)} testId="usage-credits" />
          <Figure
            large
            label="Tokens"
            value={formatTokens(row.prompt_tokens, row.completion_tokens)}
            sub={tokenSplit(row.prompt_tokens, row.completion_tokens)}
            testId="usage-tokens"
          />
          <Figure
            large
            label="Provider cost"
            value={formatUsd(row.provider_cost)}
            sub="what the AI provider bills, USD"
            testId="usage-provider-cost"
          />
          <Figure large label="AI requests" value={plural(row.requests, "request")} testId="usage-requests" />
        </dl>
        <p className="mt-2 text-xs text-slate-600">
          All sites, calendar month in UTC; failed AI calls count too (the provider bills their tokens).
        </p>
      </QueryState>
    </Card>
  );
}
