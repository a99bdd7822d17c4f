// Reject a draft with a reason; optionally send its task back so the next run writes a new
// draft from the same idea (the rejected one stays listed under "Rejected").
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { writer } from "../../api";
import type { ContentSummary } from "../../api/models";
import { ApiError, describeError, type FieldErrors } from "../../lib/errors";
import { Alert, Button, Field, inputClass, Modal, Toggle } from "../ui";

export function RejectModal({
  content,
  onClose,
  onRejected,
}: {
  content: Pick<ContentSummary, "id" | "title">;
  onClose: () => void;
  onRejected: (regenerate: boolean) => void;
}) {
  const [reason, setReason] = useState("");
  const [regenerate, setRegenerate] = useState(true);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [summary, setSummary] = useState<string | null>(null);
  const reject = useMutation({
    mutationFn: () => writer.reject(content.id, { reason: reason.trim(), regenerate }),
    onSuccess: () => onRejected(regenerate),
    onError: (error) => {
      setSummary(describeError(error));
      if (error instanceof ApiError && error.status === 400) setErrors(error.fieldErrors);
    },
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
          if (!reason.trim()) {
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
            id="f-reason"
            name="reason"
            rows={3}
            className={inputClass}
            value={reason}
            aria-invalid={!!errors.reason}
            onChange={(e) => {
              setReason(e.target.value);
              setErrors({});
            }}
          />
        </Field>
        <Toggle
          name="regenerate"
          label="Write a new draft from the same idea at the next run"
          checked={regenerate}
          onChange={setRegenerate}
        />
      </form>
    </Modal>
  );
}
