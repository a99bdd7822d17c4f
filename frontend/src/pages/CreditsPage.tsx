// Credits: the balance, the month's AI usage (credits, tokens, provider cost), the ledger
// (filter by site, run, operation), what each run cost.
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";
import { billing } from "../api";
import { GrantForm } from "../components/GrantForm";
import { MonthlyUsage } from "../components/MonthlyUsage";
import { useSession } from "../hooks/useSession";
import { BUDGET_OPERATIONS } from "../lib/budget";
import { runPath } from "../components/automation/RunHistory";
import {
  Alert,
  Card,
  EmptyState,
  PageHeader,
  Pager,
  ScrollTable,
  TableHead,
  QueryState,
  FilterSelect,
} from "../components/ui";
import { useSite } from "../hooks/useSite";
import { describeError } from "../lib/errors";
import { formatCredits, formatDateTime, toNumber } from "../lib/format";

const PAGE_SIZE = 25;
const control = "rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm";

export function CreditsPage() {
  const { sites, siteId } = useSite();
  const [filterSite, setFilterSite] = useState<string>("");
  const [runId, setRunId] = useState("");
  const [operation, setOperation] = useState("");
  const [page, setPage] = useState(1);
  const balance = useQuery({ queryKey: ["billing", "balance"], queryFn: billing.balance });
  const ledger = useQuery({
    queryKey: ["billing", "ledger", filterSite, runId, operation, page],
    queryFn: () =>
      billing.transactions({
        siteId: filterSite ? Number(filterSite) : null,
        runId: runId.trim() || undefined,
        operation,
        page,
        pageSize: PAGE_SIZE,
      }),
    placeholderData: keepPreviousData,
  });
  const runs = useQuery({
    queryKey: ["billing", "runs", siteId],
    queryFn: () => billing.runs(siteId),
    enabled: siteId !== null,
  });
  const me = useSession();
  const siteName = new Map(sites.map((s) => [s.id, s.name]));
  const pages = Math.max(1, Math.ceil((ledger.data?.count ?? 0) / PAGE_SIZE));
  const filter =
    <T,>(setter: (v: T) => void) =>
    (v: T) => {
      setter(v);
      setPage(1);
    };

  return (
    <div className="space-y-4">
      <PageHeader title="Credits">
        Every AI call is paid in credits. The ledger lists each charge and grant; a run's cost is the sum of
        its charges.
      </PageHeader>
      <div className="flex flex-wrap gap-3">
        <div className="rounded-xl border border-slate-200 bg-white px-4 py-3 shadow-sm">
          <p className="text-xs uppercase tracking-wide text-slate-600">Balance</p>
          <p className="text-2xl font-bold tabular-nums text-slate-900" data-testid="credits-balance">
            {balance.data ? formatCredits(balance.data.credits_balance) : "…"}
          </p>
        </div>
      </div>
      {balance.error && <Alert>{describeError(balance.error)}</Alert>}
      {me.data?.is_staff && <GrantForm />}
      <MonthlyUsage />

      <Card
        title="Ledger"
        testId="ledger"
        actions={
          <div className="flex flex-wrap items-center gap-2">
            <FilterSelect
              label="Filter by site"
              className={control}
              all="All sites"
              options={sites.map((s) => [s.id, s.name] as const)}
              value={filterSite}
              onChange={filter(setFilterSite)}
            />
            <FilterSelect
              label="Filter by operation"
              className={control}
              all="All operations"
              options={BUDGET_OPERATIONS.map((op) => [op, op.replace(/_/g, " ")] as const)}
              value={operation}
              onChange={filter(setOperation)}
            />
            <input
              type="search"
              aria-label="Filter by run id"
              placeholder="Run id"
              className={`${control} w-48`}
              value={runId}
              onChange={(e) => filter(setRunId)(e.target.value)}
            />
          </div>
        }
      >
        <QueryState query={ledger}>
          {!ledger.data?.results.length ? (
            <EmptyState title="No ledger rows match" />
          ) : (
            <>
              <ScrollTable label="Credit ledger">
                <table className="min-w-full text-left text-sm">
                  <TableHead
                    columns={[
                      "When",
                      "Type",
                      "Operation",
                      "Site",
                      "Run",
                      "Amount",
                      "Balance after",
                      "Description",
                    ]}
                  />
                  <tbody>
                    {ledger.data.results.map((t) => {
                      const run = t.run_id;
                      const amount = toNumber(t.amount);
                      return (
                        <tr key={t.id} className="border-b border-slate-100" data-testid="ledger-row">
                          <td className="whitespace-nowrap px-4 py-2">{formatDateTime(t.created_at)}</td>
                          <td className="px-4 py-2">{t.transaction_type}</td>
                          <td className="px-4 py-2">{t.operation ? t.operation.replace(/_/g, " ") : "—"}</td>
                          <td className="px-4 py-2">
                            {t.site ? (siteName.get(t.site) ?? `#${t.site}`) : "—"}
                          </td>
                          <td className="px-4 py-2 font-mono text-xs">
                            {run ? (
                              <Link className="text-indigo-700 hover:underline" to={runPath(run)}>
                                {run}
                              </Link>
                            ) : (
                              "—"
                            )}
                          </td>
                          <td
                            className={`px-4 py-2 text-right tabular-nums ${amount < 0 ? "text-red-700" : "text-emerald-700"}`}
                          >
                            {amount > 0 ? "+" : ""}
                            {formatCredits(t.amount)}
                          </td>
                          <td className="px-4 py-2 text-right tabular-nums">
                            {formatCredits(t.balance_after)}
                          </td>
                          <td className="max-w-sm truncate px-4 py-2" title={t.description}>
                            {t.description || "—"}
                          </td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </ScrollTable>
              {pages > 1 && <Pager page={page} pages={pages} onPage={setPage} />}
            </>
          )}
        </QueryState>
      </Card>

      <Card title="Credits per run (selected site, latest 20)" testId="credits-per-run">
        <QueryState query={runs}>
          {!runs.data?.results.length ? (
            <EmptyState title="No runs yet" />
          ) : (
            <ScrollTable label="Credits per run">
              <table className="min-w-full text-left text-sm">
                <TableHead columns={["Run", "Status", "Started", "Credits by stage", "Credits"]} />
                <tbody>
                  {runs.data.results.map((r) => (
                    <tr key={r.run_id} className="border-b border-slate-100">
                      <td className="px-4 py-2 font-mono text-xs">
                        <Link className="text-indigo-700 hover:underline" to={runPath(r.run_id)}>
                          {r.run_id}
                        </Link>
                      </td>
                      <td className="px-4 py-2">{r.status}</td>
                      <td className="whitespace-nowrap px-4 py-2">{formatDateTime(r.started_at)}</td>
                      <td className="px-4 py-2 text-xs text-slate-700">
                        {r.stages.length
                          ? r.stages
                              .map((st) => `${st.stage}. ${st.name}: ${formatCredits(st.credits)}`)
                              .join(" · ")
                          : "—"}
                      </td>
                      <td className="px-4 py-2 text-right tabular-nums">{formatCredits(r.credits_used)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </ScrollTable>
          )}
        </QueryState>
      </Card>
    </div>
  );
}
