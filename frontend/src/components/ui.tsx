// Small design system: buttons, badges, cards, alerts, modal, form fields, states.
import {
  useEffect,
  useEffectEvent,
  useId,
  useRef,
  useState,
  type ButtonHTMLAttributes,
  type ReactNode,
} from "react";
import { Link } from "react-router";
import { describeError } from "../lib/errors";

type Tone = "gray" | "blue" | "green" | "amber" | "red" | "purple" | "indigo" | "teal";

const BADGE_TONES: Record<Tone, string> = {
  gray: "bg-slate-100 text-slate-700 ring-slate-200",
  blue: "bg-blue-50 text-blue-700 ring-blue-200",
  green: "bg-emerald-50 text-emerald-700 ring-emerald-200",
  amber: "bg-amber-50 text-amber-800 ring-amber-200",
  red: "bg-red-50 text-red-700 ring-red-200",
  purple: "bg-purple-50 text-purple-700 ring-purple-200",
  indigo: "bg-indigo-50 text-indigo-700 ring-indigo-200",
  teal: "bg-teal-50 text-teal-700 ring-teal-200",
};

export function Badge({
  tone = "gray",
  children,
  testId,
}: {
  tone?: Tone;
  children: ReactNode;
  testId?: string;
}) {
  return (
    <span
      data-testid={testId}
      className={`inline-flex items-center gap-1 whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${BADGE_TONES[tone]}`}
    >
      {children}
    </span>
  );
}

const STATUS_TONES: Record<string, Tone> = {
  running: "blue",
  paused: "amber",
  completed: "green",
  approved: "green",
  published: "green",
  generated: "green",
  cancelled: "gray",
  failed: "red",
  skipped: "gray",
  partial: "amber",
  waiting: "gray",
  review: "purple",
  scheduled: "indigo",
  new: "blue",
  mapped: "teal",
  rejected: "red",
  draft: "gray",
};

export function StatusBadge({ status, testId }: { status: string; testId?: string }) {
  return (
    <Badge tone={STATUS_TONES[status] ?? "gray"} testId={testId}>
      {status === "running" && <span className="h-1.5 w-1.5 animate-pulse rounded-full bg-blue-500" />}
      {status.replace(/_/g, " ")}
    </Badge>
  );
}

type Variant = "primary" | "secondary" | "danger" | "ghost" | "success";
const VARIANTS: Record<Variant, string> = {
  primary:
    "bg-indigo-600 text-white hover:bg-indigo-700 disabled:bg-slate-100 disabled:text-slate-400 disabled:shadow-none disabled:ring-1 disabled:ring-inset disabled:ring-slate-200",
  success:
    "bg-emerald-700 text-white hover:bg-emerald-800 disabled:bg-slate-100 disabled:text-slate-400 disabled:shadow-none disabled:ring-1 disabled:ring-inset disabled:ring-slate-200",
  secondary:
    "bg-white text-slate-800 ring-1 ring-inset ring-slate-300 hover:bg-slate-50 disabled:text-slate-400",
  danger:
    "bg-white text-red-700 ring-1 ring-inset ring-red-300 hover:bg-red-50 disabled:text-red-300 disabled:ring-red-100",
  ghost: "text-slate-700 hover:bg-slate-100 disabled:text-slate-400",
};

export function Button({
  variant = "secondary",
  loading = false,
  children,
  className = "",
  ...rest
}: ButtonHTMLAttributes<HTMLButtonElement> & { variant?: Variant; loading?: boolean }) {
  return (
    <button
      type="button"
      {...rest}
      disabled={rest.disabled || loading}
      className={`inline-flex items-center justify-center gap-2 rounded-md px-3 py-2 text-sm font-semibold shadow-sm transition disabled:cursor-not-allowed ${VARIANTS[variant]} ${className}`}
    >
      {loading && <Spinner small />}
      {children}
    </button>
  );
}

export function Card({
  title,
  actions,
  children,
  className = "",
  testId,
}: {
  title?: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
  className?: string;
  testId?: string;
}) {
  return (
    <section
      data-testid={testId}
      className={`rounded-xl border border-slate-200 bg-white shadow-sm ${className}`}
    >
      {(title || actions) && (
        <header className="flex flex-wrap items-center justify-between gap-2 border-b border-slate-100 px-4 py-3">
          {title && <h2 className="text-sm font-semibold text-slate-800">{title}</h2>}
          {actions && <div className="flex flex-wrap items-center gap-2">{actions}</div>}
        </header>
      )}
      <div className="p-4">{children}</div>
    </section>
  );
}

export function Spinner({ small = false }: { small?: boolean }) {
  return (
    <span
      role="status"
      aria-label="Loading"
      className={`inline-block animate-spin rounded-full border-2 border-current border-t-transparent ${small ? "h-3.5 w-3.5" : "h-5 w-5"}`}
    />
  );
}

export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <div className="flex items-center gap-2 py-6 text-sm text-slate-500">
      <Spinner /> {label}
    </div>
  );
}

/** A query's spinner while it loads, its error once it failed, else what it shows. */
export function QueryState({
  query,
  children,
}: {
  query: { isLoading: boolean; error: unknown };
  children: ReactNode;
}) {
  if (query.isLoading) return <Loading />;
  if (query.error) return <Alert>{describeError(query.error)}</Alert>;
  return <>{children}</>;
}

export function Alert({
  tone = "error",
  children,
  onClose,
  testId,
}: {
  tone?: "error" | "success" | "info" | "warning";
  children: ReactNode;
  onClose?: () => void;
  testId?: string;
}) {
  const styles = {
    error: "border-red-200 bg-red-50 text-red-800",
    success: "border-emerald-200 bg-emerald-50 text-emerald-800",
    info: "border-blue-200 bg-blue-50 text-blue-800",
    warning: "border-amber-200 bg-amber-50 text-amber-900",
  }[tone];
  return (
    <div
      role={tone === "error" ? "alert" : "status"}
      data-testid={testId}
      className={`flex items-start justify-between gap-3 rounded-lg border px-3 py-2 text-sm ${styles}`}
    >
      <div className="min-w-0 break-words">{children}</div>
      {onClose && (
        <button
          type="button"
          onClick={onClose}
          className="shrink-0 font-semibold opacity-70 hover:opacity-100"
          aria-label="Dismiss"
        >
          ×
        </button>
      )}
    </div>
  );
}

/** The heading of a page: its title and a one-line explanation. */
export function PageHeader({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div>
      <h1 className="text-xl font-bold text-slate-900">{title}</h1>
      <p className="text-sm text-slate-600">{children}</p>
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="rounded-lg border border-dashed border-slate-300 px-4 py-8 text-center">
      <p className="text-sm font-medium text-slate-700">{title}</p>
      {children && <div className="mt-1 text-sm text-slate-500">{children}</div>}
    </div>
  );
}

export function Modal({
  title,
  onClose,
  children,
  footer,
  wide = false,
  testId,
}: {
  title: string;
  onClose: () => void;
  children: ReactNode;
  footer?: ReactNode;
  wide?: boolean;
  testId?: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const titleId = useId();
  // The latest onClose without re-running the effect: parents re-render on every poll, and
  // re-focusing the dialog then would pull the cursor out of the field being typed in.
  const close = useEffectEvent(() => onClose());
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && close();
    document.addEventListener("keydown", onKey);
    ref.current?.focus();
    return () => document.removeEventListener("keydown", onKey);
  }, []);
  return (
    <div
      className="fixed inset-0 z-40 flex items-end justify-center bg-slate-900/50 p-0 sm:items-center sm:p-4"
      onMouseDown={onClose}
    >
      <div
        ref={ref}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        tabIndex={-1}
        data-testid={testId}
        onMouseDown={(e) => e.stopPropagation()}
        className={`flex max-h-[92vh] w-full flex-col rounded-t-xl bg-white shadow-xl outline-none sm:rounded-xl ${wide ? "sm:max-w-4xl" : "sm:max-w-lg"}`}
      >
        <header className="flex items-center justify-between border-b border-slate-100 px-4 py-3">
          <h2 id={titleId} className="text-base font-semibold">
            {title}
          </h2>
          <button
            type="button"
            onClick={onClose}
            aria-label="Close"
            className="rounded p-1 text-slate-500 hover:bg-slate-100"
          >
            ✕
          </button>
        </header>
        <div className="overflow-y-auto px-4 py-3">{children}</div>
        {footer && (
          <footer className="flex flex-wrap justify-end gap-2 border-t border-slate-100 px-4 py-3">
            {footer}
          </footer>
        )}
      </div>
    </div>
  );
}

export function ConfirmDialog({
  title,
  message,
  confirmLabel,
  cancelLabel = "Keep it",
  onConfirm,
  onCancel,
  busy = false,
}: {
  title: string;
  message: ReactNode;
  confirmLabel: string;
  cancelLabel?: string;
  onConfirm: () => void;
  onCancel: () => void;
  busy?: boolean;
}) {
  return (
    <Modal
      title={title}
      onClose={onCancel}
      testId="confirm-dialog"
      footer={
        <>
          <Button onClick={onCancel}>{cancelLabel}</Button>
          <Button variant="danger" onClick={onConfirm} loading={busy}>
            {confirmLabel}
          </Button>
        </>
      }
    >
      <div className="text-sm text-slate-700">{message}</div>
    </Modal>
  );
}

export function FieldError({ messages, id }: { messages?: string[]; id?: string }) {
  if (!messages?.length) return null;
  return (
    <p id={id} className="mt-1 text-xs text-red-700" data-field-error>
      {messages.join(" ")}
    </p>
  );
}

export const inputBase =
  "block rounded-md border-0 px-2.5 py-1.5 text-sm text-slate-900 shadow-sm ring-1 ring-inset ring-slate-300 placeholder:text-slate-400 focus:ring-2 focus:ring-inset focus:ring-indigo-500 aria-[invalid=true]:ring-red-400";
export const inputClass = `${inputBase} w-full`;

/** The id, name and error wiring of the control inside a <Field name=…>. */
export function fieldProps(name: string, errors?: string[]) {
  const invalid = !!errors?.length;
  return {
    id: `f-${name}`,
    name,
    "aria-invalid": invalid,
    "aria-describedby": invalid ? `f-${name}-error` : undefined,
  };
}

export function Field({
  label,
  name,
  errors,
  hint,
  children,
}: {
  label: string;
  name: string;
  errors?: string[];
  hint?: string;
  children: ReactNode;
}) {
  return (
    <div data-field={name}>
      <label htmlFor={`f-${name}`} className="mb-1 block text-xs font-medium text-slate-700">
        {label}
      </label>
      {children}
      {hint && !errors?.length && <p className="mt-1 text-xs text-slate-500">{hint}</p>}
      <FieldError messages={errors} id={`f-${name}-error`} />
    </div>
  );
}

export function Toggle({
  checked,
  onChange,
  label,
  name,
}: {
  checked: boolean;
  onChange: (value: boolean) => void;
  label: string;
  name: string;
}) {
  return (
    <label className="flex cursor-pointer items-center gap-2 text-sm text-slate-800" htmlFor={`f-${name}`}>
      <input
        id={`f-${name}`}
        name={name}
        type="checkbox"
        className="h-4 w-4 rounded border-slate-300 text-indigo-600"
        checked={checked}
        onChange={(e) => onChange(e.target.checked)}
      />
      {label}
    </label>
  );
}

/** A filter over a list: "all" (the empty value) or one of the options, named by its aria-label. */
export function FilterSelect({
  label,
  all,
  options,
  value,
  onChange,
  className,
  testId,
}: {
  label: string;
  all: string;
  options: ReadonlyArray<readonly [value: string | number, text: string]>;
  value: string;
  onChange: (value: string) => void;
  className: string;
  testId?: string;
}) {
  return (
    <select
      aria-label={label}
      data-testid={testId}
      className={className}
      value={value}
      onChange={(e) => onChange(e.target.value)}
    >
      <option value="">{all}</option>
      {options.map(([v, text]) => (
        <option key={v} value={v}>
          {text}
        </option>
      ))}
    </select>
  );
}

/** A table's header row; an empty column name is an unlabelled actions column. */
export function TableHead({ columns }: { columns: string[] }) {
  return (
    <thead className="border-b border-slate-200 text-xs text-slate-600">
      <tr>
        {columns.map((h) => (
          <th key={h} scope="col" className="px-4 py-2 font-medium">
            {h || <span className="sr-only">Actions</span>}
          </th>
        ))}
      </tr>
    </thead>
  );
}

/** Previous / "Page x of y" / Next under a paginated list. */
export function Pager({
  page,
  pages,
  onPage,
}: {
  page: number;
  pages: number;
  onPage: (page: number) => void;
}) {
  return (
    <nav className="mt-3 flex items-center justify-between text-sm" aria-label="Pagination">
      <Button disabled={page <= 1} onClick={() => onPage(page - 1)}>
        ← Previous
      </Button>
      <span className="text-slate-600" data-testid="page-indicator">
        Page {page} of {pages}
      </span>
      <Button disabled={page >= pages} onClick={() => onPage(page + 1)}>
        Next →
      </Button>
    </nav>
  );
}

/**
 * A wide table that scrolls sideways on narrow screens, with a cue when columns are hidden
 * (a fading edge and a "scroll for more" note). Focusable, so keyboard users can scroll it.
 */
export function ScrollTable({ label, children }: { label: string; children: ReactNode }) {
  const ref = useRef<HTMLDivElement>(null);
  const [more, setMore] = useState(false);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const update = () => setMore(el.scrollWidth - el.clientWidth - el.scrollLeft > 4);
    update();
    el.addEventListener("scroll", update, { passive: true });
    const observer = typeof ResizeObserver === "undefined" ? null : new ResizeObserver(update);
    observer?.observe(el);
    return () => {
      el.removeEventListener("scroll", update);
      observer?.disconnect();
    };
  }, []);
  return (
    <div className="relative -mx-4">
      <div ref={ref} className="overflow-x-auto" tabIndex={0} role="region" aria-label={label}>
        {children}
      </div>
      {more && (
        <>
          <div
            aria-hidden="true"
            className="pointer-events-none absolute inset-y-0 right-0 w-8 bg-gradient-to-l from-white to-transparent"
          />
          <p className="px-4 pt-1 text-right text-xs text-slate-600" data-testid="scroll-cue">
            Scroll sideways for more columns →
          </p>
        </>
      )}
    </div>
  );
}

/** Where "add credits" hints point. */
export function AddCreditsLink() {
  return (
    <Link to="/credits" className="font-semibold underline" data-testid="add-credits-link">
      Add credits on the Credits page
    </Link>
  );
}

/** A labelled figure in a <dl>: the label, the value (large for a card's headline figures), an
 * optional line under it. */
export function Figure({
  label,
  value,
  sub,
  testId,
  large = false,
}: {
  label: string;
  value: string;
  sub?: string;
  testId: string;
  large?: boolean;
}) {
  return (
    <div>
      <dt className="text-xs text-slate-600">{label}</dt>
      <dd
        className={`${large ? "text-lg " : ""}font-semibold tabular-nums text-slate-900`}
        data-testid={testId}
      >
        {value}
      </dd>
      {sub && <dd className="text-xs text-slate-500">{sub}</dd>}
    </div>
  );
}
