// Sites: list, create, edit and delete a site's name, domain, time zone, language, topic, tone,
// brief, images per article and duplicate-idea threshold (they drive every prompt and schedule).
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useNavigate } from "react-router";
import { sites as sitesApi } from "../api";
import type { Site } from "../api/models";
import {
  Alert,
  Button,
  Card,
  EmptyState,
  Field,
  inputClass,
  Loading,
  Modal,
  PageHeader,
  ScrollTable,
  TableHead,
  fieldProps,
} from "../components/ui";
import { useFieldForm } from "../hooks/useFieldForm";
import { useSite } from "../hooks/useSite";
import { ApiError, describeError } from "../lib/errors";
import {
  EMPTY_SITE,
  formToSite,
  hasBrief,
  siteToForm,
  timeZones,
  validateSite,
  type SiteForm,
} from "../lib/sites";

export function SitesPage() {
  const { sites, isLoading, setSiteId, siteId } = useSite();
  const navigate = useNavigate();
  const [editing, setEditing] = useState<Site | "new" | null>(null);
  const [deleting, setDeleting] = useState<Site | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const brief = hasBrief(sites);

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <PageHeader title="Sites">
          Each site has its own keywords, schedule and publishing. Its time zone, language, topic and tone go
          into every prompt and schedule.
        </PageHeader>
        <Button variant="primary" onClick={() => setEditing("new")}>
          New site
        </Button>
      </div>
      {notice && (
        <Alert tone="success" onClose={() => setNotice(null)} testId="sites-notice">
          {notice}
        </Alert>
      )}
      <Card>
        {isLoading ? (
          <Loading />
        ) : !sites.length ? (
          <EmptyState title="No site yet">
            Create your first site to import keywords and run the automation.
          </EmptyState>
        ) : (
          <ScrollTable label="Sites">
            <table className="min-w-full text-left text-sm">
              <TableHead
                columns={["Name", "Domain", "Time zone", "Language", "Topic", "Tone", "Images", ""]}
              />
              <tbody>
                {sites.map((s) => (
                  <tr
                    key={s.id}
                    className="border-b border-slate-100"
                    data-testid="site-row"
                    data-site-id={s.id}
                  >
                    <td className="px-4 py-2 font-medium text-slate-900">
                      {s.name}
                      {s.id === siteId && (
                        <span className="ml-2 text-xs font-normal text-indigo-700">(selected)</span>
                      )}
                    </td>
                    <td className="px-4 py-2">{s.domain}</td>
                    <td className="whitespace-nowrap px-4 py-2">{s.timezone ?? "UTC"}</td>
                    <td className="px-4 py-2">{s.language}</td>
                    <td className="max-w-xs truncate px-4 py-2" title={s.topic}>
                      {s.topic || "—"}
                    </td>
                    <td className="px-4 py-2">{s.tone}</td>
                    <td className="px-4 py-2 tabular-nums">{s.in_article_images ?? "—"}</td>
                    <td className="whitespace-nowrap px-4 py-2 text-right">
                      <div className="flex justify-end gap-2">
                        <Button
                          className="px-2 py-1 text-xs"
                          onClick={() => {
                            setSiteId(s.id);
                            navigate("/automation");
                          }}
                        >
                          Open
                        </Button>
                        <Button
                          className="px-2 py-1 text-xs"
                          onClick={() => setEditing(s)}
                          aria-label={`Edit ${s.name}`}
                        >
                          Edit
                        </Button>
                        <Button
                          variant="danger"
                          className="px-2 py-1 text-xs"
                          onClick={() => setDeleting(s)}
                          aria-label={`Delete ${s.name}`}
                        >
                          Delete
                        </Button>
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollTable>
        )}
      </Card>
      {editing && (
        <SiteModal
          site={editing === "new" ? null : editing}
          brief={brief}
          onClose={() => setEditing(null)}
          onSaved={(saved, created) => {
            setEditing(null);
            setNotice(created ? `Site "${saved.name}" created and selected.` : `Site "${saved.name}" saved.`);
            if (created) setSiteId(saved.id);
          }}
        />
      )}
      {deleting && (
        <DeleteSiteDialog
          site={deleting}
          onClose={() => setDeleting(null)}
          onDeleted={(gone) => {
            setDeleting(null);
            setNotice(`Site "${gone.name}" and everything it owned were deleted.`);
          }}
        />
      )}
    </div>
  );
}

/** Deleting cascades to everything the site owns, so the user types its name to confirm. */
function DeleteSiteDialog({
  site,
  onClose,
  onDeleted,
}: {
  site: Site;
  onClose: () => void;
  onDeleted: (site: Site) => void;
}) {
  const client = useQueryClient();
  const { setSiteId } = useSite();
  const [typed, setTyped] = useState("");
  const remove = useMutation({
    mutationFn: () => sitesApi.remove(site.id),
    onSuccess: async () => {
      // The selector falls back to the first remaining site once the list no longer has this one.
      await client.invalidateQueries({ queryKey: ["sites"] });
      onDeleted(site);
    },
  });
  const error = remove.error;
  const activeRun = error instanceof ApiError && error.code === "site_has_active_run";
  const confirmed = typed.trim() === site.name.trim();
  return (
    <Modal
      title={`Delete ${site.name}?`}
      onClose={onClose}
      testId="site-delete-dialog"
      footer={
        <>
          <Button onClick={onClose}>Keep the site</Button>
          <Button
            variant="danger"
            onClick={() => remove.mutate()}
            disabled={!confirmed}
            loading={remove.isPending}
          >
            Delete site
          </Button>
        </>
      }
    >
      <form
        className="space-y-3 text-sm text-slate-700"
        onSubmit={(e) => {
          e.preventDefault();
          if (confirmed) remove.mutate();
        }}
      >
        <p>
          This deletes <strong>{site.name}</strong> ({site.domain}) for good, with its keywords, clusters,
          ideas, tasks, content, images, automation settings, run history and logs, WordPress connection and
          notification targets. It cannot be undone. Posts already on WordPress stay there, and your credit
          history is kept.
        </p>
        {error && (
          <Alert testId="site-delete-error">
            {describeError(error)}
            {activeRun && (
              <>
                {" "}
                <Link
                  className="font-semibold underline"
                  to="/automation"
                  onClick={() => {
                    setSiteId(site.id);
                    onClose();
                  }}
                >
                  Open the automation page
                </Link>
              </>
            )}
          </Alert>
        )}
        <Field label={`Type the site's name (${site.name}) to confirm`} name="confirm_name">
          <input
            {...fieldProps("confirm_name")}
            className={inputClass}
            autoComplete="off"
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
          />
        </Field>
      </form>
    </Modal>
  );
}

function SiteModal({
  site,
  brief,
  onClose,
  onSaved,
}: {
  site: Site | null;
  brief: boolean;
  onClose: () => void;
  onSaved: (site: Site, created: boolean) => void;
}) {
  const client = useQueryClient();
  const { form, errors, setErrors, summary, setSummary, setField, fail } = useFieldForm<SiteForm>(() =>
    site ? siteToForm(site) : EMPTY_SITE,
  );
  const [zones] = useState(timeZones);
  const save = useMutation({
    mutationFn: () =>
      site ? sitesApi.update(site.id, formToSite(form, brief)) : sitesApi.create(formToSite(form, brief)),
    onSuccess: async (saved) => {
      await client.invalidateQueries({ queryKey: ["sites"] });
      onSaved(saved, !site);
    },
    onError: (error) => fail(error),
  });
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const found = validateSite(form);
    setErrors(found);
    if (Object.keys(found).length) {
      setSummary("Some fields need a fix (see below).");
      return;
    }
    setSummary(null);
    save.mutate();
  };
  const input = (key: keyof SiteForm, extra: React.InputHTMLAttributes<HTMLInputElement> = {}) => (
    <input
      {...fieldProps(key, errors[key])}
      className={inputClass}
      value={form[key]}
      onChange={(e) => setField(key, e.target.value)}
      {...extra}
    />
  );
  const area = (key: keyof SiteForm) => (
    <textarea
      {...fieldProps(key, errors[key])}
      rows={2}
      className={inputClass}
      value={form[key]}
      onChange={(e) => setField(key, e.target.value)}
    />
  );
  return (
    <Modal
      title={site ? `Edit ${site.name}` : "New site"}
      onClose={onClose}
      wide
      testId="site-modal"
      footer={
        <>
          <Button onClick={onClose}>Close</Button>
          <Button variant="primary" type="submit" form="site-form" loading={save.isPending}>
            {site ? "Save site" : "Create site"}
          </Button>
        </>
      }
    >
      <form id="site-form" onSubmit={submit} noValidate className="space-y-3">
        {summary && <Alert testId="site-error">{summary}</Alert>}
        {errors.non_field_errors && <Alert>{errors.non_field_errors.join(" ")}</Alert>}
        <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
          <Field label="Name" name="name" errors={errors.name}>
            {input("name", { autoComplete: "off" })}
          </Field>
          <Field
            label="Domain"
            name="domain"
            errors={errors.domain}
            hint="Bare domain, e.g. blog.example.com"
          >
            {input("domain", { autoComplete: "off", placeholder: "blog.example.com" })}
          </Field>
          <Field
            label="Time zone"
            name="timezone"
            errors={errors.timezone}
            hint="Schedules run in this time zone."
          >
            {input("timezone", { list: "time-zones", placeholder: "Europe/Berlin" })}
          </Field>
          <datalist id="time-zones">
            {zones.map((z) => (
              <option key={z} value={z} />
            ))}
          </datalist>
          <Field
            label="Language"
            name="language"
            errors={errors.language}
            hint="The articles are written in it."
          >
            {input("language")}
          </Field>
          <Field
            label="Topic"
            name="topic"
            errors={errors.topic}
            hint="What the site is about; given to the AI."
          >
            {input("topic")}
          </Field>
          <Field label="Tone" name="tone" errors={errors.tone}>
            {input("tone")}
          </Field>
          <Field
            label="Images per article"
            name="in_article_images"
            errors={errors.in_article_images}
            hint="0–10 in-article images besides the featured one."
          >
            {input("in_article_images", { inputMode: "numeric" })}
          </Field>
          <Field
            label="Skip ideas this similar to existing content (0–100, 0 = off)"
            name="duplicate_threshold"
            errors={errors.duplicate_threshold}
            hint="A new idea this similar to an existing one counts as the same search intent and is skipped."
          >
            {input("duplicate_threshold", { inputMode: "numeric" })}
          </Field>
        </div>
        {brief && (
          <fieldset className="space-y-3">
            <legend className="text-sm font-semibold text-slate-800">Site brief (given to the AI)</legend>
            <Field label="Audience" name="audience" errors={errors.audience}>
              {area("audience")}
            </Field>
            <Field label="Brand voice" name="brand_voice" errors={errors.brand_voice}>
              {area("brand_voice")}
            </Field>
            <Field label="Terms to avoid" name="avoid_terms" errors={errors.avoid_terms}>
              {area("avoid_terms")}
            </Field>
          </fieldset>
        )}
      </form>
    </Modal>
  );
}
