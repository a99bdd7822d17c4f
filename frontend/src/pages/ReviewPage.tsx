import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useOnChange } from "../hooks/useOnChange";
import { writer } from "../api";
import type { ContentSummary } from "../api/models";
import {
  Alert,
  Button,
  Card,
  EmptyState,
  Modal,
  PageHeader,
  Pager,
  StatusBadge,
  QueryState,
} from "../components/ui";
import { EditModal } from "../components/review/EditModal";
import { QualityPanel } from "../components/review/QualityPanel";
import { RejectModal } from "../components/review/RejectModal";
import { WordPressWarning } from "../components/WordPressWarning";
import { useSite } from "../hooks/useSite";
import { featuredThumbnail, previewDocument } from "../lib/content";
import { describeError } from "../lib/errors";
import { formatDateTime, plural } from "../lib/format";
import { qualityOf, qualityTone } from "../lib/quality";

// Approval does not publish by itself: the publisher (a beat task, every minute) schedules
// and sends approved content when auto-publish is on.
const PUBLISHER_NOTE =
  "With auto-publish on, the publisher picks approved content up at its next tick (within a minute) and sends it at its scheduled slot.";

const QUALITY_TEXT = { green: "text-emerald-700", amber: "text-amber-800", red: "text-red-700" } as const;

// Drafts listed per page (more than one run's worth waits here easily).
const REVIEW_PAGE_SIZE = 50;

export function ReviewPage() {
  const { siteId } = useSite();
  const client = useQueryClient();
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [previewId, setPreviewId] = useState<number | null>(null);
  const [editId, setEditId] = useState<number | null>(null);
  const [rejecting, setRejecting] = useState<ContentSummary | null>(null);
  const [status, setStatus] = useState<"review" | "rejected">("review");
  const [message, setMessage] = useState<{ tone: "success" | "error"; text: string } | null>(null);

  const [page, setPage] = useState(1);
  const list = useQuery({
    queryKey: ["review", siteId, status, page],
    queryFn: () => writer.content(siteId!, status, page, REVIEW_PAGE_SIZE),
    enabled: !!siteId,
    refetchInterval: 30_000,
    placeholderData: keepPreviousData,
  });
  const items = list.data?.results ?? [];
  const count = list.data?.count ?? 0;
  const pages = Math.max(1, Math.ceil(count / REVIEW_PAGE_SIZE));
  // Approving empties pages: never stay on one past the end. Selection is per page.
  if (page > pages) setPage(pages);
  useOnChange(`${page}|${siteId}|${status}`, () => setSelected(new Set()));

  const done = (text: string) => {
    setMessage({ tone: "success", text });
    setSelected(new Set());
    setPreviewId(null);
    setEditId(null);
    setRejecting(null);
    client.invalidateQueries({ queryKey: ["review", siteId] });
    client.invalidateQueries({ queryKey: ["automation", siteId] });
  };
  const approveOne = useMutation({
    mutationFn: (id: number) => writer.approve(id),
    onSuccess: (_r, id) =>
      done(`Approved “${items.find((c) => c.id === id)?.title ?? `#${id}`}”. ${PUBLISHER_NOTE}`),
    onError: (e) => setMessage({ tone: "error", text: describeError(e) }),
  });
  const approveMany = useMutation({
    mutationFn: (ids: number[]) => writer.bulkApprove(ids),
    onSuccess: (approved, ids) =>
      done(
        `Approved ${plural(Array.isArray(approved) ? approved.length : ids.length, "item")}. ${PUBLISHER_NOTE}`,
      ),
    onError: (e) => setMessage({ tone: "error", text: describeError(e) }),
  });

  if (!siteId) return <EmptyState title="No site yet">Create a site first.</EmptyState>;

  const allSelected = items.length > 0 && items.every((c) => selected.has(c.id));
  const toggle = (id: number) =>
    setSelected((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  return (
    <div className="space-y-4">
      <PageHeader title="Review">
        Drafts whose images are all generated wait here for your approval.
      </PageHeader>
      <WordPressWarning siteId={siteId} />
      {message && (
        <Alert tone={message.tone} onClose={() => setMessage(null)} testId="review-message">
          {message.text}
        </Alert>
      )}
      <Card
        title={`${status === "review" ? "Ready for review" : "Rejected"}${list.data ? ` (${list.data.count})` : ""}`}
        actions={
          <>
            <select
              aria-label="Show"
              data-testid="review-status"
              className="rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm"
              value={status}
              onChange={(e) => {
                setStatus(e.target.value as "review" | "rejected");
                setPage(1);
              }}
            >
              <option value="review">Ready for review</option>
              <option value="rejected">Rejected</option>
            </select>
            {items.length > 0 && status === "review" && (
              <>
                <label className="flex items-center gap-1 text-xs text-slate-600">
                  <input
                    type="checkbox"
                    checked={allSelected}
                    onChange={() => setSelected(allSelected ? new Set() : new Set(items.map((c) => c.id)))}
                  />
                  {pages > 1 ? "Select all on this page" : "Select all"}
                </label>
                <Button
                  variant="success"
                  disabled={selected.size === 0}
                  loading={approveMany.isPending}
                  onClick={() => approveMany.mutate([...selected])}
                >
                  Approve selected ({selected.size})
                </Button>
              </>
            )}
          </>
        }
      >
        <QueryState query={list}>
          {items.length === 0 && status === "rejected" ? (
            <EmptyState title="No rejected drafts" />
          ) : items.length === 0 ? (
            <EmptyState title="Nothing waits for review">
              Run the automation: finished drafts appear here.
            </EmptyState>
          ) : (
            <ul className="divide-y divide-slate-100" data-testid="review-list">
              {items.map((content) => (
                <ReviewRow
                  key={content.id}
                  content={content}
                  checked={selected.has(content.id)}
                  onToggle={() => toggle(content.id)}
                  onPreview={() => setPreviewId(content.id)}
                  onEdit={() => setEditId(content.id)}
                  onReject={() => setRejecting(content)}
                  onApprove={() => approveOne.mutate(content.id)}
                  approving={approveOne.isPending && approveOne.variables === content.id}
                />
              ))}
            </ul>
          )}
        </QueryState>
        {pages > 1 && items.length > 0 && <Pager page={page} pages={pages} onPage={setPage} />}
      </Card>
      {previewId !== null && (
        <PreviewModal
          id={previewId}
          onClose={() => setPreviewId(null)}
          onEdit={() => {
            setEditId(previewId);
            setPreviewId(null);
          }}
          onReject={(content) => {
            setRejecting(content);
            setPreviewId(null);
          }}
          onApprove={() => approveOne.mutate(previewId)}
          approving={approveOne.isPending}
        />
      )}
      {editId !== null && (
        <EditModal
          id={editId}
          onClose={() => setEditId(null)}
          onSaved={(saved) => {
            client.setQueryData(["content", saved.id], undefined);
            client.invalidateQueries({ queryKey: ["content", saved.id] });
            done(`Saved “${saved.title}”.`);
          }}
        />
      )}
      {rejecting && (
        <RejectModal
          content={rejecting}
          onClose={() => setRejecting(null)}
          onRejected={(regenerate) =>
            done(
              `Rejected “${rejecting.title}”.${regenerate ? " The next run writes a new draft from the same idea." : ""}`,
            )
          }
        />
      )}
    </div>
  );
}

function ReviewRow({
  content,
  checked,
  onToggle,
  onPreview,
  onEdit,
  onReject,
  onApprove,
  approving,
}: {
  content: ContentSummary;
  checked: boolean;
  onToggle: () => void;
  onPreview: () => void;
  onEdit: () => void;
  onReject: () => void;
  onApprove: () => void;
  approving: boolean;
}) {
  const inReview = content.status === "review";
  const quality = qualityOf(content);
  const thumb = featuredThumbnail(content);
  return (
    <li
      className="flex flex-col gap-3 py-3 sm:flex-row sm:items-center"
      data-testid="review-item"
      data-content-id={content.id}
    >
      <div className="flex min-w-0 flex-1 items-center gap-3">
        {inReview && (
          <input
            type="checkbox"
            aria-label={`Select ${content.title}`}
            checked={checked}
            onChange={onToggle}
          />
        )}
        {thumb ? (
          <img
            src={thumb}
            alt=""
            className="h-14 w-20 shrink-0 rounded-md object-cover ring-1 ring-slate-200"
            data-testid="review-thumb"
          />
        ) : (
          <div className="flex h-14 w-20 shrink-0 items-center justify-center rounded-md bg-slate-100 text-[10px] text-slate-600">
            no image
          </div>
        )}
        <div className="min-w-0">
          <button
            type="button"
            onClick={onPreview}
            className="text-left text-sm font-semibold text-slate-900 hover:text-indigo-700 hover:underline"
          >
            {content.title}
          </button>
          {content.rejection_reason && (
            <p className="text-xs text-red-700" data-testid="rejection-reason">
              Rejected: {content.rejection_reason}
            </p>
          )}
          <p className="text-xs text-slate-600">
            <span data-testid="word-count">{content.word_count.toLocaleString("en-US")} words</span>
            {quality && (
              <>
                {" "}
                · quality{" "}
                <strong className={QUALITY_TEXT[qualityTone(quality.score)]}>{quality.score}</strong>
                {quality.failed.length > 0 && ` (${plural(quality.failed.length, "check")} failed)`}
              </>
            )}
            {content.created_at && <> · {formatDateTime(content.created_at)}</>}
          </p>
        </div>
      </div>
      <div className="flex shrink-0 flex-wrap gap-2 pl-7 sm:pl-0">
        <Button onClick={onPreview}>Preview</Button>
        <Button onClick={onEdit}>Edit</Button>
        {inReview && <Decision onReject={onReject} onApprove={onApprove} approving={approving} />}
      </div>
    </li>
  );
}

/** A draft in review is rejected or approved, from its row and from its preview alike. */
function Decision({
  onReject,
  onApprove,
  approving,
}: {
  onReject: () => void;
  onApprove: () => void;
  approving: boolean;
}) {
  return (
    <>
      <Button variant="danger" onClick={onReject}>
        Reject
      </Button>
      <Button variant="success" onClick={onApprove} loading={approving}>
        Approve
      </Button>
    </>
  );
}

function PreviewModal({
  id,
  onClose,
  onEdit,
  onReject,
  onApprove,
  approving,
}: {
  id: number;
  onClose: () => void;
  onEdit: () => void;
  onReject: (content: ContentSummary) => void;
  onApprove: () => void;
  approving: boolean;
}) {
  const detail = useQuery({ queryKey: ["content", id], queryFn: () => writer.contentDetail(id) });
  const content = detail.data;
  return (
    <Modal
      title={content?.title ?? "Preview"}
      onClose={onClose}
      wide
      testId="preview-modal"
      footer={
        <>
          <Button onClick={onClose}>Close</Button>
          {content && content.status !== "published" && <Button onClick={onEdit}>Edit</Button>}
          {content?.status === "review" && (
            <Decision onReject={() => onReject(content)} onApprove={onApprove} approving={approving} />
          )}
        </>
      }
    >
      <QueryState query={detail}>
        {content ? (
          <div className="space-y-2">
            <div className="flex flex-wrap items-center gap-2 text-xs text-slate-600">
              <StatusBadge status={content.status} />
              <span>{content.word_count.toLocaleString("en-US")} words</span>
              <span>{content.images?.filter((i) => i.url).length ?? 0} images</span>
            </div>
            {content.meta_description && (
              <p className="text-xs italic text-slate-600">{content.meta_description}</p>
            )}
            <QualityPanel content={content} />
            <iframe
              title="Article preview"
              data-testid="preview-frame"
              sandbox="allow-popups"
              srcDoc={previewDocument(content)}
              className="h-[60vh] w-full rounded-md border border-slate-200 bg-white"
            />
          </div>
        ) : null}
      </QueryState>
    </Modal>
  );
}
