/** RRF's rank constant: k = 60 from Cormack, Clarke & Büttcher, "Reciprocal Rank Fusion outperforms Condorcet and
 * individual Rank Learning Methods" (SIGIR 2009, https://doi.org/10.1145/1571941.1572114). */
export const RRF_K = 60;

export interface FusedItem<Id> {
  id: Id;
  /** Σ 1/(k + rank) over the lists that contain the item (ranks are 1-based). */
  score: number;
  /** 1-based rank of the item in each input list, undefined where absent. */
  ranks: Array<number | undefined>;
}

/** Fuses ranked lists (best first) by reciprocal rank; ties keep the order of first appearance. */
export function reciprocalRankFusion<Id>(lists: ReadonlyArray<readonly Id[]>, k = RRF_K): FusedItem<Id>[] {
  const fused = new Map<Id, FusedItem<Id>>();
  lists.forEach((list, listIndex) => {
    list.forEach((id, index) => {
      let item = fused.get(id);
      if (!item) fused.set(id, (item = { id, score: 0, ranks: new Array<number | undefined>(lists.length).fill(undefined) }));
      item.score += 1 / (k + index + 1);
      item.ranks[listIndex] = index + 1;
    });
  });
  return [...fused.values()].sort((a, b) => b.score - a.score);
}
