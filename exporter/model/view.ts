/**
 * The cluster as the API describes it now (the node list, the agent status table, the drop reasons seen, the
 * health summary): from this exporter's own scrapes (LocalClusterView), or, for a query replica reading
 * Prometheus, from the series every shard writes there (prometheus-view.ts).
 */
import type { NodeInfo, StatusResponse } from '../../src/contract';
import type { ClusterModel } from './cluster';

export interface TargetRow {
  node: string;
  component: 'agent' | 'operator';
  up: boolean;
  stale: boolean;
  version: string;
  /** Unix ms. */
  lastScrape: number | null;
  durationMs: number | null;
  endpoints: number | null;
  restarts: number;
  error: string;
}

export interface ClusterSummary {
  nodes: StatusResponse['nodes'];
  operator: StatusResponse['operator'];
}

export interface ClusterView {
  /** Agents (by node) then the operator. */
  targets(): Promise<TargetRow[]>;
  nodes(): Promise<NodeInfo[]>;
  /** Drop reason labels reported now. */
  dropReasonsSeen(): Promise<Set<string>>;
  summary(): Promise<ClusterSummary>;
}

export type PodCounts = () => Map<string, { pods: number; unmanaged: number }>;

export class LocalClusterView implements ClusterView {
  constructor(
    private readonly model: ClusterModel,
    private readonly podCounts: PodCounts
  ) {}

  async targets(): Promise<TargetRow[]> {
    const { model } = this;
    const now = model.now();
    const rows: TargetRow[] = model.nodes().map((n) => ({
      node: n.name,
      component: 'agent',
      up: n.agent.up,
      stale: model.isStale(n, now),
      version: n.sample?.ciliumVersion ?? '',
      lastScrape: n.agent.lastScrape,
      durationMs: n.agent.durationMs,
      endpoints: n.sample?.endpoints ?? null,
      restarts: n.restarts,
      error: n.agent.error ?? '',
    }));
    const op = model.operator();
    if (op) {
      rows.push({
        node: op.target.target.node,
        component: 'operator',
        up: op.target.up,
        stale: op.sampleAt === null || now - op.sampleAt > model.options.staleAfterMs,
        version: '',
        lastScrape: op.target.lastScrape,
        durationMs: op.target.durationMs,
        endpoints: null,
        restarts: 0,
        error: op.target.error ?? '',
      });
    }
    return rows;
  }

  async nodes(): Promise<NodeInfo[]> {
    const counts = this.podCounts();
    const now = this.model.now();
    return this.model.nodes().map((n) => ({
      name: n.name,
      up: n.agent.up,
      stale: this.model.isStale(n, now),
      ciliumVersion: n.sample?.ciliumVersion ?? null,
      lastScrape: n.agent.lastScrape,
      lastSuccess: n.agent.lastSuccess,
      scrapeDurationMs: n.agent.durationMs,
      error: n.agent.error,
      podEndpoints: this.model.podEndpoints(n),
      endpoints: n.sample?.endpoints ?? null,
      pods: counts.get(n.name)?.pods ?? null,
      unmanagedPods: counts.get(n.name)?.unmanaged ?? null,
      source: n.agent.target.source,
    }));
  }

  async dropReasonsSeen(): Promise<Set<string>> {
    return this.model.dropReasonsSeen();
  }

  async summary(): Promise<ClusterSummary> {
    const { model } = this;
    const nodes = model.nodes();
    const now = model.now();
    const op = model.operator();
    return {
      nodes: {
        total: nodes.length,
        up: nodes.filter((n) => n.agent.up).length,
        down: nodes.filter((n) => !n.agent.up && n.agent.lastScrape !== null).length,
        stale: nodes.filter((n) => model.isStale(n, now)).length,
      },
      operator: {
        configured: op !== null,
        up: op ? (op.target.lastScrape === null ? null : op.target.up) : null,
        error: op?.target.error ?? null,
      },
    };
  }
}
