/**
 * For comparing history backends: the shards' embedded rings read as one history (what the exporters wrote, so
 * what a Prometheus scraping them holds), the shards' own views of their targets as one, and frame comparisons
 * with a stated tolerance.
 */
import type { RunningExporter } from '../../exporter/app';
import type { HistoryReader } from '../../exporter/history/backend';
import { evaluate } from '../../exporter/history/embedded';
import type { KubeQueries } from '../../exporter/http/query/context';
import type { ClusterSummary, ClusterView, TargetRow } from '../../exporter/model/view';
import type { DataFrameJSON, NodeInfo } from '../../src/contract';

/** The shards' rings evaluated together, as one embedded history. */
export function unionReader(shards: RunningExporter[]): HistoryReader {
  const rings = shards.map((s) => s.history!);
  return { evaluate: async (exprs, grid) => exprs.map((e) => evaluate(rings, e, grid)) };
}

const byNodeThenOperator = (a: TargetRow, b: TargetRow) =>
  a.component === b.component ? (a.node < b.node ? -1 : a.node > b.node ? 1 : 0) : a.component === 'agent' ? -1 : 1;

/** The shards' own views of their targets, as one cluster (agents by node, then the operator). */
export function unionCluster(shards: RunningExporter[]): ClusterView {
  return {
    targets: async () => (await Promise.all(shards.map((s) => s.cluster.targets()))).flat().sort(byNodeThenOperator),
    nodes: async () =>
      (await Promise.all(shards.map((s) => s.cluster.nodes()))).flat().sort((a, b) => (a.name < b.name ? -1 : 1)),
    dropReasonsSeen: async () =>
      new Set((await Promise.all(shards.map((s) => s.cluster.dropReasonsSeen()))).flatMap((r) => [...r])),
    summary: async (): Promise<ClusterSummary> => {
      const parts = await Promise.all(shards.map((s) => s.cluster.summary()));
      const sum = (k: keyof ClusterSummary['nodes']) => parts.reduce((a, p) => a + p.nodes[k], 0);
      return {
        nodes: { total: sum('total'), up: sum('up'), down: sum('down'), stale: sum('stale') },
        operator: parts.find((p) => p.operator.configured)!.operator,
      };
    },
  };
}

/** The shards' own Kubernetes joins (each answers for its nodes) as one, sorted by node, namespace and name. */
export function unionKube(shards: RunningExporter[]): Pick<KubeQueries, 'unmanagedPods'> {
  const key = (p: { node: string; namespace: string; name: string }) => `${p.node}\u0000${p.namespace}\u0000${p.name}`;
  return {
    unmanagedPods: (filter) => {
      const answers = shards.map((s) => s.kube!.queries.unmanagedPods(filter));
      return { ...answers[0], pods: answers.flatMap((a) => a.pods).sort((a, b) => (key(a) < key(b) ? -1 : 1)) };
    },
  };
}

/**
 * Equal within float tolerance: the embedded history keeps gauges as 32-bit floats (relative error up to 6e-8)
 * where Prometheus keeps the exposition's 64-bit value, and sums over series are added in another order (1e-15).
 */
export function close(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') {
    return Math.abs(a - b) <= Math.max(1e-9, 1e-6 * Math.abs(b));
  }
  return a === b;
}

function shape(f: DataFrameJSON) {
  return {
    name: f.schema.name,
    meta: f.schema.meta,
    fields: f.schema.fields.map((x) => ({ name: x.name, type: x.type, labels: x.labels, config: x.config })),
  };
}

/**
 * Frames equal in shape (names, labels, units, descriptions, notices) and values. `aligned`: a value may instead
 * equal the reference's at the step before or after (series Prometheus stamps with its own scrape time, which lags
 * the exporter's cycle by up to its scrape interval: "a step of alignment"); the first and last points, with a
 * neighbour outside the reference, are not compared then.
 */
export function framesDiffer(
  got: DataFrameJSON[],
  want: DataFrameJSON[],
  aligned = false,
  skipColumns: string[] = []
): string | null {
  if (JSON.stringify(got.map(shape)) !== JSON.stringify(want.map(shape))) {
    return `shapes differ:\n got ${JSON.stringify(got.map(shape)).slice(0, 3000)}\nwant ${JSON.stringify(want.map(shape)).slice(0, 3000)}`;
  }
  for (const [i, frame] of got.entries()) {
    const fields = frame.schema.fields;
    for (const [j, field] of fields.entries()) {
      if (skipColumns.includes(field.name)) {
        continue;
      }
      const g = frame.data.values[j];
      const w = want[i].data.values[j];
      if (g.length !== w.length) {
        return `frame ${i} field ${field.name}: ${g.length} values, want ${w.length}`;
      }
      for (let k = 0; k < g.length; k++) {
        // Aligned: at the first and last points one neighbour is outside the range, so they are not checked.
        const edge = k === 0 || k === g.length - 1;
        const ok =
          close(g[k], w[k]) ||
          (aligned && field.type === 'number' && (edge || close(g[k], w[k - 1]) || close(g[k], w[k + 1])));
        if (!ok) {
          const around = (v: unknown[]) => JSON.stringify(v.slice(Math.max(0, k - 3), k + 4));
          return `frame ${i} (${JSON.stringify(field.labels ?? frame.schema.name)}) field ${field.name}[${k}]: ${g[k]}, want ${w[k]}; around it got ${around(g)}, want ${around(w)}`;
        }
      }
    }
  }
  return null;
}

/** The node list without what only the scraping exporter knows (where the target came from, its error text). */
export function comparableNodes(nodes: NodeInfo[]) {
  return nodes.map(({ source: _source, error: _error, scrapeDurationMs, ...rest }) => ({
    ...rest,
    scrapeDurationMs: scrapeDurationMs === null ? null : Math.round(scrapeDurationMs * 1000) / 1000,
  }));
}
