/**
 * Score = exp(log_softmax([logit_no, logit_yes])[1]) (model card `compute_logits`), which equals
 * sigmoid(logit_yes − logit_no). Computed in the numerically stable form for both signs.
 */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** Inverse of `sigmoid`, for engines that report only a probability; clamped so 0 and 1 stay finite. */
export function logitFromProbability(p: number): number {
  const eps = 1e-7;
  const q = Math.min(1 - eps, Math.max(eps, p));
  return Math.log(q / (1 - q));
}
