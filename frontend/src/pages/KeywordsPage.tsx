import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { planner } from "../api";
import type { ImportResult } from "../api/types";
import { Alert, Button, Card, EmptyState, inputClass, Loading, StatusBadge } from "../components/ui";
import { useSite } from "../hooks/useSite";
import { describeError } from "../lib/errors";

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
      <div>
        <h1 className="text-xl font-bold text-slate-900">Keywords</h1>
        <p className="text-sm text-slate-600">Import SEO keywords from CSV; stage 1 of the automation clusters the new ones.</p>
      </div>
      <ImportCard siteId={siteId} />
      <KeywordList siteId={siteId} />
    </div>
  );
}

function ImportCard({ siteId }: { siteId: number }) {
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
        Columns: <code>keyword</code> (required), <code>volume</code>, <code>difficulty</code> (0–100), <code>intent</code>{" "}
        (informational, commercial, transactional, navigational). Duplicates of existing keywords are skipped.
      </p>
      {upload.isError && (
        <div className="mt-3">
          <Alert>{describeError(upload.error)}</Alert>
        </div>
      )}
      {upload.data && <ImportSummary result={upload.data} />}
    </Card>
  );
}

function ImportSummary({ result }: { result: ImportResult }) {
  return (
    <div className="mt-3 space-y-2" data-testid="import-summary">
      <Alert tone={result.errors.length ? "warning" : "success"}>
        Imported <strong data-testid="import-created">{result.created}</strong> new keywords ·{" "}
        <strong data-testid="import-duplicates">{result.duplicates}</strong> duplicates skipped ·{" "}
        <strong data-testid="import-errors">{result.errors.length}</strong> rows with errors
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
    </div>
  );
}

function KeywordList({ siteId }: { siteId: number }) {
  const [status, setStatus] = useState("");
  const [search, setSearch] = useState("");
  const [page, setPage] = useState(1);
  const term = useDebounced(search.trim(), 300);
  useEffect(() => setPage(1), [status, term, siteId]);

  const query = useQuery({
    queryKey: ["keywords", siteId, status, term, page],
    queryFn: () => planner.keywords({ siteId, status: status || undefined, search: term || undefined, page, pageSize: PAGE_SIZE }),
    placeholderData: keepPreviousData,
  });
  const count = query.data?.count ?? 0;
  const pages = Math.max(1, Math.ceil(count / PAGE_SIZE));

  return (
    <Card
      title={`Keywords${query.data ? ` (${count.toLocaleString("en-US")})` : ""}`}
      actions={
        <>
          <input
            type="search"
            placeholder="Search keywords"
            aria-label="Search keywords"
            className={`${inputClass} w-44`}
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
          <select
            aria-label="Status filter"
            className={`${inputClass} w-auto`}
            value={status}
            onChange={(e) => setStatus(e.target.value)}
          >
            <option value="">All statuses</option>
            <option value="new">New</option>
            <option value="mapped">Mapped</option>
          </select>
        </>
      }
    >
      {query.isLoading ? (
        <Loading />
      ) : query.isError ? (
        <Alert>{describeError(query.error)}</Alert>
      ) : count === 0 ? (
        <EmptyState title={term || status ? "No keyword matches" : "No keywords yet"}>
          {term || status ? "Change the search or the filter." : "Import a CSV above."}
        </EmptyState>
      ) : (
        <>
          <div className="-mx-4 overflow-x-auto">
            <table className="min-w-full text-left text-sm" data-testid="keyword-table">
              <thead className="border-b border-slate-200 text-xs text-slate-500">
                <tr>
                  {["Keyword", "Volume", "Difficulty", "Intent", "Status", "Cluster"].map((h) => (
                    <th key={h} className="px-4 py-2 font-medium">
                      {h}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody className={query.isFetching ? "opacity-60" : ""}>
                {query.data!.results.map((k) => (
                  <tr key={k.id} className="border-b border-slate-100" data-testid="keyword-row">
                    <td className="px-4 py-2 font-medium text-slate-900">{k.keyword}</td>
                    <td className="px-4 py-2 tabular-nums">{k.volume.toLocaleString("en-US")}</td>
                    <td className="px-4 py-2 tabular-nums">{k.difficulty}</td>
                    <td className="px-4 py-2">{k.intent}</td>
                    <td className="px-4 py-2">
                      <StatusBadge status={k.status} />
                    </td>
                    <td className="px-4 py-2 text-slate-600">{k.cluster_name ?? (k.cluster ? `#${k.cluster}` : "—")}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <nav className="mt-3 flex items-center justify-between text-sm" aria-label="Pagination">
            <Button disabled={page <= 1} onClick={() => setPage((p) => p - 1)}>
              ← Previous
            </Button>
            <span className="text-slate-600" data-testid="page-indicator">
              Page {page} of {pages}
            </span>
            <Button disabled={page >= pages} onClick={() => setPage((p) => p + 1)}>
              Next →
            </Button>
          </nav>
        </>
      )}
    </Card>
  );
}
