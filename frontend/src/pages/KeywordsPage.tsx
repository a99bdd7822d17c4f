import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState, type ReactNode } from "react";
import { useOnChange } from "../hooks/useOnChange";
import { useSearchParams } from "react-router";
import { planner, writer, type ListQuery } from "../api";
import type { Cluster, Idea, ImportResult, Keyword, Paginated, Task } from "../api/models";
import {
  Alert,
  Button,
  Card,
  EmptyState,
  inputBase,
  PageHeader,
  Pager,
  ScrollTable,
  StatusBadge,
  QueryState,
  FilterSelect,
} from "../components/ui";
import { useSite } from "../hooks/useSite";
import { describeImportError } from "../lib/errors";

const PAGE_SIZE = 25;

function useDebounced<T>(value: T, ms: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return debounced;
}

export function KeywordsPage() {
  const { siteId } = useSite();
  if (!siteId) return <EmptyState title="No site yet">Create a site first.</EmptyState>;
  return (
    <div className="space-y-4">
      <PageHeader title="Keywords">
        Import SEO keywords from CSV; the automation turns them into clusters, ideas and writer tasks (browse
        them below).
      </PageHeader>
      <ImportCard siteId={siteId} />
      <Browser siteId={siteId} />
    </div>
  );
}

export function ImportCard({ siteId }: { siteId: number }) {
  const client = useQueryClient();
  const fileInput = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const upload = useMutation({
    mutationFn: (f: File) => planner.importKeywords(siteId, f),
    onSuccess: () => {
      client.invalidateQueries({ queryKey: ["keywords", siteId] });
      client.invalidateQueries({ queryKey: ["automation", siteId] });
      setFile(null);
      if (fileInput.current) fileInput.current.value = "";
    },
  });
  return (
    <Card title="Import a CSV">
      <form
        className="flex flex-col gap-3 sm:flex-row sm:items-center"
        onSubmit={(e) => {
          e.preventDefault();
          if (file) upload.mutate(file);
        }}
      >
        <input
          ref={fileInput}
          type="file"
          accept=".csv,text/csv"
          aria-label="CSV file"
          data-testid="csv-input"
          className="block w-full text-sm text-slate-700 file:mr-3 file:rounded-md file:border-0 file:bg-indigo-50 file:px-3 file:py-2 file:text-sm file:font-semibold file:text-indigo-700 hover:file:bg-indigo-100 sm:w-auto"
          onChange={(e) => {
            setFile(e.target.files?.[0] ?? null);
            upload.reset();
          }}
        />
        <Button variant="primary" type="submit" disabled={!file} loading={upload.isPending}>
          Import keywords
        </Button>
      </form>
      <p className="mt-2 text-xs text-slate-500">
        Columns: <code>keyword</code> (required), <code>volume</code>, <code>difficulty</code> (0–100),{" "}
        <code>intent</code> (informational, commercial, transactional, navigational). Duplicates of existing
        keywords are skipped.
      </p>
      {upload.isError && (
        <div className="mt-3">
          <Alert>{describeImportError(upload.error)}</Alert>
        </div>
      )}
      {upload.data && <ImportSummary result={upload.data} />}
    </Card>
  );
}

/** Red when nothing was imported because rows were bad, amber for some bad rows, blue when
 * everything was a duplicate, green when keywords were added cleanly. */
function importTone(result: ImportResult): "error" | "warning" | "info" | "success" {
  if (result.errors.length) return result.created === 0 ? "error" : "warning";
  return result.created === 0 ? "info" : "success";
}

function ImportSummary({ result }: { result: ImportResult }) {
  return (
    <div className="mt-3 space-y-2" data-testid="import-summary">
      <Alert tone={importTone(result)}>
        Imported <strong data-testid="import-created">{result.created}</strong>{" "}
        {result.created === 1 ? "new keyword" : "new keywords"} ·{" "}
        <strong data-testid="import-duplicates">{result.duplicates}</strong>{" "}
        {result.duplicates === 1 ? "duplicate" : "duplicates"} skipped ·{" "}
        <strong data-testid="import-errors">{result.errors.length}</strong>{" "}
        {result.errors.length === 1 ? "row" : "rows"} with errors
      </Alert>
      {result.errors.length > 0 && (
        <ul className="max-h-40 overflow-y-auto rounded-md border border-amber-200 bg-white px-3 py-2 text-xs text-slate-700">
          {result.errors.map((e, i) => (
            <li key={i}>
              Row {e.row}: {e.message}
            </li>
          ))}
        </ul>
      )}
      {result.near_duplicates.length > 0 && (
        <div
          data-testid="import-near-duplicates"
          className="rounded-md border border-slate-200 bg-white px-3 py-2 text-xs text-slate-700"
        >
          <p className="font-medium">
            {result.near_duplicates.length}{" "}
            {result.near_duplicates.length === 1 ? "keyword differs" : "keywords differ"} from one on the site
            only by plural, word order, stop words or a year (imported anyway):
          </p>
          <ul className="mt-1 max-h-40 overflow-y-auto">
            {result.near_duplicates.map((d, i) => (
              <li key={i}>
                “{d.keyword}” is close to “{d.existing}”
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

interface Column<T> {
  header: string;
  cell: (row: T) => ReactNode;
  className?: string;
}

interface BrowseSpec<T> {
  noun: string;
  statuses: string[];
  fetch: (q: ListQuery) => Promise<Paginated<T>>;
  columns: Column<T>[];
  emptyHint: string;
}

const num = (n: number) => n.toLocaleString("en-US");

const KEYWORDS: BrowseSpec<Keyword> = {
  noun: "keyword",
  statuses: ["new", "mapped"],
  fetch: planner.keywords,
  emptyHint: "Import a CSV above.",
  columns: [
    { header: "Keyword", cell: (k) => k.keyword, className: "font-medium text-slate-900" },
    { header: "Volume", cell: (k) => num(k.volume), className: "tabular-nums" },
    { header: "Difficulty", cell: (k) => k.difficulty, className: "tabular-nums" },
    { header: "Intent", cell: (k) => k.intent },
    { header: "Status", cell: (k) => <StatusBadge status={k.status} /> },
    {
      header: "Cluster",
      cell: (k) => k.cluster_name ?? (k.cluster ? `#${k.cluster}` : "—"),
      className: "text-slate-600",
    },
  ],
};

const CLUSTERS: BrowseSpec<Cluster> = {
  noun: "cluster",
  statuses: ["new", "mapped"],
  fetch: planner.clusters,
  emptyHint: "Stage 1 of the automation groups new keywords into clusters.",
  columns: [
    { header: "Cluster", cell: (c) => c.name, className: "font-medium text-slate-900" },
    { header: "Keywords", cell: (c) => num(c.keywords_count), className: "tabular-nums" },
    { header: "Status", cell: (c) => <StatusBadge status={c.status} /> },
    { header: "Description", cell: (c) => c.description, className: "text-slate-600" },
  ],
};

const IDEAS: BrowseSpec<Idea> = {
  noun: "idea",
  statuses: ["new", "queued", "completed"],
  fetch: planner.ideas,
  emptyHint: "Stage 2 writes content ideas for each cluster.",
  columns: [
    { header: "Idea", cell: (i) => i.idea_title, className: "font-medium text-slate-900" },
    { header: "Structure", cell: (i) => i.content_structure.replace(/_/g, " ") },
    { header: "Cluster", cell: (i) => i.cluster_name ?? "—", className: "text-slate-600" },
    { header: "Status", cell: (i) => <StatusBadge status={i.status} /> },
  ],
};

const TASKS: BrowseSpec<Task> = {
  noun: "task",
  statuses: ["queued", "in_progress", "completed", "failed"],
  fetch: writer.tasks,
  emptyHint: "Stage 3 turns ideas into writer tasks.",
  columns: [
    { header: "Task", cell: (t) => t.title, className: "font-medium text-slate-900" },
    { header: "Cluster", cell: (t) => t.cluster_name ?? "—", className: "text-slate-600" },
    { header: "Status", cell: (t) => <StatusBadge status={t.status} /> },
    {
      header: "Note",
      cell: (t) => t.error_message || (t.content ? `content #${t.content}` : ""),
      className: "text-slate-600",
    },
  ],
};

const TABS = [
  ["keywords", "Keywords"],
  ["clusters", "Clusters"],
  ["ideas", "Ideas"],
  ["tasks", "Tasks"],
] as const;

function Browser({ siteId }: { siteId: number }) {
  const [params, setParams] = useSearchParams();
  const tab = (TABS.find(([key]) => key === params.get("tab"))?.[0] ??
    "keywords") as (typeof TABS)[number][0];
  const list =
    tab === "clusters" ? (
      <BrowseList key={tab} siteId={siteId} spec={CLUSTERS} />
    ) : tab === "ideas" ? (
      <BrowseList key={tab} siteId={siteId} spec={IDEAS} />
    ) : tab === "tasks" ? (
      <BrowseList key={tab} siteId={siteId} spec={TASKS} />
    ) : (
      <BrowseList key={tab} siteId={siteId} spec={KEYWORDS} />
    );
  return (
    <div className="space-y-2">
      <div role="tablist" aria-label="Pipeline items" className="flex gap-1 overflow-x-auto">
        {TABS.map(([key, label]) => (
          <button
            key={key}
            type="button"
            role="tab"
            aria-selected={tab === key}
            onClick={() => setParams(key === "keywords" ? {} : { tab: key })}
            className={`whitespace-nowrap rounded-md px-3 py-1.5 text-sm font-medium ${tab === key ? "bg-white text-indigo-700 shadow-sm ring-1 ring-slate-200" : "text-slate-600 hover:bg-slate-100"}`}
          >
            {label}
          </button>
        ))}
      </div>
      {list}
    </div>
  );
}

function BrowseList<T extends { id: number }>({ siteId, spec }: { siteId: number; spec: BrowseSpec<T> }) {
  const [status, setStatus] = useState("");
  const [search, setSearch] = useState("");
  const [page, setPage] = useState(1);
  const term = useDebounced(search.trim(), 300);
  useOnChange(`${status}|${term}|${siteId}`, () => setPage(1)); // a new filter starts at page 1

  const query = useQuery({
    queryKey: [`${spec.noun}s`, siteId, status, term, page],
    queryFn: () =>
      spec.fetch({
        siteId,
        status: status || undefined,
        search: term || undefined,
        page,
        pageSize: PAGE_SIZE,
      }),
    placeholderData: keepPreviousData,
  });
  const count = query.data?.count ?? 0;
  const pages = Math.max(1, Math.ceil(count / PAGE_SIZE));
  const Noun = spec.noun[0].toUpperCase() + spec.noun.slice(1);

  return (
    <Card
      title={`${Noun}s${query.data ? ` (${count.toLocaleString("en-US")})` : ""}`}
      actions={
        <>
          <input
            type="search"
            placeholder={`Search ${spec.noun}s`}
            aria-label={`Search ${spec.noun}s`}
            className={`${inputBase} w-40 sm:w-48`}
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
          <FilterSelect
            label="Status filter"
            className={`${inputBase} w-auto bg-white`}
            all="All statuses"
            options={spec.statuses.map((s) => [s, s.replace(/_/g, " ")] as const)}
            value={status}
            onChange={setStatus}
          />
        </>
      }
    >
      <QueryState query={query}>
        {count === 0 ? (
          <EmptyState title={term || status ? `No ${spec.noun} matches` : `No ${spec.noun}s yet`}>
            {term || status ? "Change the search or the filter." : spec.emptyHint}
          </EmptyState>
        ) : (
          <>
            <ScrollTable label={`${spec.noun} list`}>
              <table className="min-w-full text-left text-sm" data-testid={`${spec.noun}-table`}>
                <thead className="border-b border-slate-200 text-xs text-slate-600">
                  <tr>
                    {spec.columns.map((c) => (
                      <th key={c.header} className="px-4 py-2 font-medium">
                        {c.header}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody className={query.isFetching ? "opacity-60" : ""}>
                  {query.data!.results.map((row) => (
                    <tr key={row.id} className="border-b border-slate-100" data-testid={`${spec.noun}-row`}>
                      {spec.columns.map((c) => (
                        <td key={c.header} className={`px-4 py-2 ${c.className ?? ""}`}>
                          {c.cell(row)}
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </ScrollTable>
            <Pager page={page} pages={pages} onPage={setPage} />
          </>
        )}
      </QueryState>
    </Card>
  );
}
