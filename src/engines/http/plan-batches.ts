export interface BatchLimits {
  /** Documents per request. */
  maxDocuments: number;
  /** Estimated prompt tokens per request. */
  maxTokens: number;
}

/**
 * Cuts a group into consecutive batches (document indices) that stay within both limits. A document whose own
 * estimate exceeds `maxTokens` travels alone: the server truncates or rejects it, splitting cannot help.
 */
export function planBatches(estimates: readonly number[], limits: BatchLimits): number[][] {
  const batches: number[][] = [];
  let current: number[] = [];
  let tokens = 0;
  estimates.forEach((estimate, index) => {
    const full = current.length >= limits.maxDocuments || (current.length > 0 && tokens + estimate > limits.maxTokens);
    if (full) {
      batches.push(current);
      current = [];
      tokens = 0;
    }
    current.push(index);
    tokens += estimate;
  });
  if (current.length > 0) batches.push(current);
  return batches;
}
