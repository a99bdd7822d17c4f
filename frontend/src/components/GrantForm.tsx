// Staff only: add credits to the account (a grant through CreditService, with a note).
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { billing } from "../api";
import { ApiError, describeError, type FieldErrors } from "../lib/errors";
import { formatCredits } from "../lib/format";
import { Alert, Button, Card, Field, fieldProps, inputClass } from "./ui";

export function GrantForm() {
  const client = useQueryClient();
  const [amount, setAmount] = useState("");
  const [note, setNote] = useState("");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  const grant = useMutation({
    mutationFn: () => billing.grant(amount.trim(), note.trim()),
    onSuccess: (result) => {
      setMessage({
        tone: "success",
        text: `Added ${formatCredits(result.transaction.amount)} credits. The balance is ${formatCredits(result.credits_balance)}.`,
      });
      setAmount("");
      setNote("");
      client.invalidateQueries({ queryKey: ["billing"] });
      client.invalidateQueries({ queryKey: ["me"] });
      client.invalidateQueries({ queryKey: ["automation"] });
    },
    onError: (error) => {
      setMessage({ tone: "error", text: describeError(error) });
      if (error instanceof ApiError && error.status === 400) setErrors(error.fieldErrors);
    },
  });
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const found: FieldErrors = {};
    const n = Number(amount);
    if (!amount.trim() || !Number.isFinite(n) || n <= 0)
      found.amount = ["A positive number of credits, e.g. 250."];
    if (!note.trim()) found.note = ["Say why (it is kept in the ledger)."];
    setErrors(found);
    setMessage(null);
    if (!Object.keys(found).length) grant.mutate();
  };
  return (
    <Card title="Add credits (staff)" testId="grant-form">
      <form noValidate onSubmit={submit} className="flex flex-wrap items-start gap-3">
        <div className="w-36">
          <Field label="Amount" name="amount" errors={errors.amount}>
            <input
              {...fieldProps("amount", errors.amount)}
              inputMode="decimal"
              className={inputClass}
              value={amount}
              onChange={(e) => setAmount(e.target.value)}
            />
          </Field>
        </div>
        <div className="min-w-[14rem] flex-1">
          <Field label="Note" name="note" errors={errors.note}>
            <input
              {...fieldProps("note", errors.note)}
              className={inputClass}
              value={note}
              onChange={(e) => setNote(e.target.value)}
            />
          </Field>
        </div>
        <Button variant="primary" type="submit" loading={grant.isPending} className="mt-5">
          Add credits
        </Button>
      </form>
      {message && (
        <div className="mt-3">
          <Alert tone={message.tone} onClose={() => setMessage(null)} testId="grant-message">
            {message.text}
          </Alert>
        </div>
      )}
    </Card>
  );
}
