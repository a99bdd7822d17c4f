// Edit a draft's title, body, meta title, meta description and slug before it is published.
// The server sanitises the HTML like AI output; its field errors land beside the fields.
import { useMutation, useQuery } from "@tanstack/react-query";
import { writer } from "../../api";
import type { ContentEdit, ContentItem } from "../../api/models";
import { ApiError, describeError } from "../../lib/errors";
import { useFieldForm } from "../../hooks/useFieldForm";
import { Alert, Button, Field, fieldProps, inputClass, Modal, QueryState } from "../ui";

const FIELDS: Array<[keyof ContentEdit, string, string?]> = [
  ["title", "Title"],
  ["meta_title", "Meta title", "Shown in search results; about 60 characters."],
  ["meta_description", "Meta description", "About 160 characters."],
  ["slug", "Slug", "The last part of the article's URL: lowercase words and hyphens."],
];

// Every editable field is in the form; the request sends only the changed ones.
type EditForm = Required<ContentEdit>;

function toEdit(c: ContentItem): EditForm {
  return {
    title: c.title ?? "",
    html_content: c.html_content ?? "",
    meta_title: c.meta_title ?? "",
    meta_description: c.meta_description ?? "",
    slug: c.slug ?? "",
  };
}

export function EditModal({
  id,
  onClose,
  onSaved,
}: {
  id: number;
  onClose: () => void;
  onSaved: (saved: ContentItem) => void;
}) {
  const detail = useQuery({ queryKey: ["content", id], queryFn: () => writer.contentDetail(id) });
  return (
    <Modal title="Edit draft" onClose={onClose} wide testId="edit-modal">
      <QueryState query={detail}>
        {detail.data ? <EditForm content={detail.data} onClose={onClose} onSaved={onSaved} /> : null}
      </QueryState>
    </Modal>
  );
}

function EditForm({
  content,
  onClose,
  onSaved,
}: {
  content: ContentItem;
  onClose: () => void;
  onSaved: (saved: ContentItem) => void;
}) {
  const { form, errors, setErrors, summary, setSummary, setField, fail } = useFieldForm<EditForm>(() =>
    toEdit(content),
  );
  const original = toEdit(content);
  const save = useMutation({
    // Only what changed: a concurrent edit of another field is not overwritten.
    mutationFn: () => {
      const changed = Object.fromEntries(
        (Object.keys(form) as Array<keyof ContentEdit>)
          .filter((k) => form[k] !== original[k])
          .map((k) => [k, form[k]]),
      );
      return writer.update(content.id, changed);
    },
    onSuccess: onSaved,
    onError: (error) =>
      fail(
        error,
        error instanceof ApiError && error.code === "already_published"
          ? "This article is already published: it can no longer be edited here."
          : describeError(error),
      ),
  });
  return (
    <form
      noValidate
      className="space-y-3"
      onSubmit={(e) => {
        e.preventDefault();
        if (!form.title.trim()) {
          setErrors({ title: ["A title is required."] });
          return;
        }
        setSummary(null);
        save.mutate();
      }}
    >
      {summary && <Alert testId="edit-error">{summary}</Alert>}
      {FIELDS.map(([key, label, hint]) => (
        <Field key={key} label={label} name={key} errors={errors[key]} hint={hint}>
          <input
            {...fieldProps(key, errors[key])}
            className={inputClass}
            value={form[key]}
            onChange={(e) => setField(key, e.target.value)}
          />
        </Field>
      ))}
      <Field
        label="Body (HTML)"
        name="html_content"
        errors={errors.html_content}
        hint="Headings, paragraphs, lists and links; scripts and unsafe markup are removed on save."
      >
        <textarea
          {...fieldProps("html_content", errors.html_content)}
          rows={14}
          className={`${inputClass} font-mono text-xs`}
          value={form.html_content}
          onChange={(e) => setField("html_content", e.target.value)}
        />
      </Field>
      <div className="flex justify-end gap-2">
        <Button onClick={onClose}>Close</Button>
        <Button variant="primary" type="submit" loading={save.isPending}>
          Save draft
        </Button>
      </div>
    </form>
  );
}
