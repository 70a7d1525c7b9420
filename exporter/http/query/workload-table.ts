/**
 * The drops by workload pair part of the query table (promql-table.ts lists its rows with the others): the pairs of
 * ciliumscope_workload_dropped_packets_total, drawn from Hubble (see exporter/hubble), ranked, rated and summed for
 * the workloadDrops query type and the namespace and workload variables.
 */
import type { ScopeQuery } from '../../../src/contract';
import {
  type Comparison,
  type Matcher,
  countBy,
  matcher,
  notIn,
  over,
  ranking,
  rate,
  selector,
  sumBy,
} from '../../history/expr';
import { PAIR_LABELS } from '../../hubble/model';
import { OTHER } from '../../hubble/pairs';
import { SERIES } from '../../model/series';
import { type Reads, filters } from './promql-table';
import { filterSet } from './validate';

/** The labels that name a workload pair (the workload drops series less their node). */
export const PAIR_KEY = PAIR_LABELS;

/**
 * The sides of a pair that can match the namespace and workload filters: its source (namespace and workload), and
 * apart its destination, so a pair is selected when either end is; one side without matchers when neither filter is
 * set. Every series of a pair matches the same sides, so results of the two are combined by pair.
 */
export function workloadSides(q: ScopeQuery): Matcher[][] {
  const namespaces = filterSet(q.namespace);
  const workloads = filterSet(q.workload);
  if (!namespaces && !workloads) {
    return [[]];
  }
  return (['source', 'destination'] as const).map((end) =>
    [matcher(`${end}_namespace`, namespaces), matcher(`${end}_workload`, workloads)].filter(
      (m): m is Matcher => m !== null
    )
  );
}

const workloadDrops = (q: ScopeQuery, ...matchers: Array<Matcher | null>) =>
  selector(SERIES.workloadDroppedPackets, ...filters(q, 'node', 'direction', 'reason'), ...matchers);

/** Pairs (or rows) with drops in the range only: a cluster's thousands of quiet pairs do not tie at 0. */
const WITH_DROPS: Comparison = { op: '>', value: 0 };

/** Hubble's rows of the drops outside the kept pairs: not a pair, never ranked. */
const notOther = () => notIn('source_workload', [OTHER]);

/** Drops by workload pair (drawn from Hubble, see exporter/hubble). */
export const WORKLOAD_TABLE = {
  /**
   * Per side, the pairs (`by` PAIR_KEY) or node × pair rows (`by` node and PAIR_KEY) first by their mean drop rate
   * over the range (the points of the grid, as the panel draws them), with drops.
   */
  ranking: (q: ScopeQuery, by: readonly string[], k: number, spanMs: number) =>
    workloadSides(q).map((side) =>
      ranking('topk', k, 'avg', spanMs, sumBy(by, rate(workloadDrops(q, notOther(), ...side))), WITH_DROPS)
    ),

  /** The rates of some pairs (each label matched against the pairs' values; the caller keeps the exact pairs). */
  pairRates: (q: ScopeQuery, pairs: ReadonlyArray<Record<string, string>>): Reads => ({
    pairs: sumBy(
      PAIR_KEY,
      rate(
        workloadDrops(
          q,
          ...PAIR_KEY.map((l) =>
            matcher(
              l,
              pairs.map((p) => p[l])
            )
          )
        )
      )
    ),
  }),

  /**
   * Every selected drop, to find what the top pairs leave: without namespace and workload filters all of them (the
   * "(other)" rows too); with them, the pairs matching on the source side, on the destination side, and on both
   * (counted twice by the first two).
   */
  totals: (q: ScopeQuery): Reads => {
    const sides = workloadSides(q);
    const total = (...m: Matcher[]) => sumBy([], rate(workloadDrops(q, ...m)));
    return sides.length === 1
      ? { all: total() }
      : { source: total(...sides[0]), destination: total(...sides[1]), both: total(...sides[0], ...sides[1]) };
  },

  /** Each node's mean drop rate over the range, every pair and reason of the node: what a row's share is of. */
  nodeTotals: (nodes: readonly string[], spanMs: number) =>
    ranking(
      'topk',
      Math.max(1, nodes.length),
      'avg',
      spanMs,
      sumBy(['node'], rate(selector(SERIES.workloadDroppedPackets, matcher('node', nodes)))),
      WITH_DROPS
    ),

  /** Variables: the ends of the pairs with a sample in the window, as sources and as destinations. */
  ends: (namespaces: ReadonlySet<string> | null, windowMs: number): Reads => {
    const end = (side: 'source' | 'destination') =>
      countBy(
        [`${side}_namespace`, `${side}_workload`],
        over(
          'last_over_time',
          selector(SERIES.workloadDroppedPackets, matcher(`${side}_namespace`, namespaces), notOther()),
          windowMs
        )
      );
    return { source: end('source'), destination: end('destination') };
  },
};
