// Reject a draft with a reason; optionally send its task back so the next run writes a new
// draft from the same idea (the rejected one stays listed under "Rejected").
import { useMutation } from "@tanstack/react-query";
import { writer } from "../../api";
import type { ContentSummary } from "../../api/models";
import { useFieldForm } from "../../hooks/useFieldForm";
import { Alert, Button, Field, fieldProps, inputClass, Modal, Toggle } from "../ui";

export function RejectModal({
  content,
  onClose,
  onRejected,
}: {
  content: Pick<ContentSummary, "id" | "title">;
  onClose: () => void;
  onRejected: (regenerate: boolean) => void;
}) {
  const { form, errors, setErrors, summary, setSummary, setField, fail } = useFieldForm(() => ({
    reason: "",
    regenerate: true,
  }));
  const reason = form.reason.trim();
  const reject = useMutation({
    mutationFn: () => writer.reject(content.id, { reason, regenerate: form.regenerate }),
    onSuccess: () => onRejected(form.regenerate),
    onError: (error) => fail(error),
  });
  return (
    <Modal
      title={`Reject “${content.title}”`}
      onClose={onClose}
      testId="reject-modal"
      footer={
        <>
          <Button onClick={onClose}>Keep it</Button>
          <Button variant="danger" type="submit" form="reject-form" loading={reject.isPending}>
            Reject
          </Button>
        </>
      }
    >
      <form
        id="reject-form"
        noValidate
        className="space-y-3"
        onSubmit={(e) => {
          e.preventDefault();
          if (!reason) {
            setErrors({ reason: ["Say why, so the next draft (or the next reviewer) can do better."] });
            return;
          }
          setSummary(null);
          reject.mutate();
        }}
      >
        {summary && <Alert testId="reject-error">{summary}</Alert>}
        <Field label="Reason" name="reason" errors={errors.reason}>
          <textarea
            {...fieldProps("reason", errors.reason)}
            rows={3}
            className={inputClass}
            value={form.reason}
            onChange={(e) => setField("reason", e.target.value)}
          />
        </Field>
        <Toggle
          name="regenerate"
          label="Write a new draft from the same idea at the next run"
          checked={form.regenerate}
          onChange={(v) => setField("regenerate", v)}
        />
      </form>
    </Modal>
  );
}
