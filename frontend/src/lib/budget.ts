// Credit budget allocation: five operation shares that must sum to 100.
import type { BudgetOperation } from "../api/models";

export const OPERATION_LABELS: Record<BudgetOperation, string> = {
  clustering: "Clustering",
  idea_generation: "Ideas",
  content_generation: "Content",
  image_prompt_extraction: "Image prompts",
  image_generation: "Images",
};

/** The operations in the order the dashboard lists them. BudgetOperation comes from the schema,
 * so the labels above stop compiling when the API gains or loses an operation. */
export const BUDGET_OPERATIONS = Object.keys(OPERATION_LABELS) as BudgetOperation[];

export const OPERATION_COLORS: Record<BudgetOperation, string> = {
  clustering: "#4338ca",
  idea_generation: "#7e22ce",
  content_generation: "#047857",
  image_prompt_extraction: "#b45309",
  image_generation: "#be185d",
};

export type ShareForm = Record<BudgetOperation, string>;

export function parseShare(value: string | number | undefined): number | null {
  const text = String(value ?? "").trim();
  if (!/^\d+(\.\d+)?$/.test(text)) return null;
  return Number(text);
}

/** Sum of the shares typed so far (invalid entries count as 0), rounded to 2 decimals. */
export function sumShares(form: Partial<Record<BudgetOperation, string | number>>): number {
  const total = BUDGET_OPERATIONS.reduce((acc, op) => acc + (parseShare(form[op]) ?? 0), 0);
  return Math.round(total * 100) / 100;
}

export function validateShares(form: ShareForm): Record<string, string[]> {
  const errors: Record<string, string[]> = {};
  for (const op of BUDGET_OPERATIONS) {
    const n = parseShare(form[op]);
    if (n === null || n > 100) errors[op] = ["A percentage from 0 to 100."];
  }
  const total = sumShares(form);
  if (Object.keys(errors).length === 0 && Math.abs(total - 100) > 0.001)
    errors.non_field_errors = [`The shares must add up to 100 % (now ${total} %).`];
  return errors;
}

/** Bar segments for the chart: each share's width in % of the whole bar (sum may differ from 100). */
export function chartSegments(form: ShareForm): Array<{ op: BudgetOperation; value: number; width: number }> {
  const total = sumShares(form);
  return BUDGET_OPERATIONS.map((op) => {
    const value = parseShare(form[op]) ?? 0;
    return { op, value, width: total > 0 ? (value / Math.max(total, 100)) * 100 : 0 };
  });
}
