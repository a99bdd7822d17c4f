// The quality score of a draft and the checks it failed, when the content API sends them.
import type { ContentItem, QualityCheck } from "../api/models";

export interface QualitySummary {
  score: number;
  failed: QualityCheck[];
  passed: number;
}

export function qualityOf(content: Pick<ContentItem, "quality">): QualitySummary | null {
  const q = content.quality; // null until the review gate has checked the draft
  if (!q) return null;
  return {
    score: q.score,
    failed: q.checks.filter((c) => !c.passed),
    passed: q.checks.filter((c) => c.passed).length,
  };
}

/** Green from 80, amber from 50, red below. */
export function qualityTone(score: number): "green" | "amber" | "red" {
  return score >= 80 ? "green" : score >= 50 ? "amber" : "red";
}
