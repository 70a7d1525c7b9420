/**
 * The cluster view of a query replica: every node, its agent's state and the drop reasons seen, read from the
 * series the scraping exporters (the shards) write to Prometheus, at the time of the request. The expressions are
 * instant lookups of the target series at their last sample within the lookback:
 *
 *   max by (node, component) (last_over_time(ciliumscope_target_up[<l>]))               up, and likewise stale,
 *                                                         last scrape, last success, scrape duration
 *   max by (node, version) (last_over_time(ciliumscope_agent_info[<l>]))                Cilium version
 *   sum by (node) (last_over_time(ciliumscope_endpoints_total[<l>]))                     endpoints, pod endpoints,
 *                                                         pods, unmanaged pods; restarts (max)
 *   sum by (node, component, kind) (increase(ciliumscope_target_scrape_errors_total[<w>]))  why a target is down
 *   count by (reason) (last_over_time(ciliumscope_dropped_packets_total[<2 intervals>]))   drop reasons seen
 *
 * For a replica that also watches Kubernetes (to name unmanaged pods) it keeps the agents it last saw, refreshed
 * every interval, as the join's directory of nodes with an agent.
 */
import type { NodeInfo } from '../../src/contract';
import type { GridSeries } from '../history/backend';
import { type Expr, countBy, increase, last, maxBy, over, selector, sumBy } from '../history/expr';
import { instantGrid } from '../history/grid';
import type { PrometheusBackend } from '../history/prometheus/backend';
import type { AgentDirectory } from '../kube/report';
import { SERIES } from './series';
import type { ClusterSummary, ClusterView, TargetRow } from './view';

const TARGET = ['node', 'component'];
const perTarget = (metric: string) => maxBy(TARGET, last(selector(metric)));
const perNode = (metric: string) => sumBy(['node'], last(selector(metric)));

const READS = {
  up: perTarget(SERIES.up),
  stale: perTarget(SERIES.stale),
  lastScrape: perTarget(SERIES.lastScrapeSeconds),
  lastSuccess: perTarget(SERIES.lastSuccessSeconds),
  duration: perTarget(SERIES.scrapeDurationSeconds),
  errors: sumBy([...TARGET, 'kind'], increase(selector(SERIES.scrapeErrors))),
  version: maxBy(['node', 'version'], last(selector(SERIES.agentInfo))),
  endpoints: perNode(SERIES.endpointsTotal),
  podEndpoints: perNode(SERIES.podEndpoints),
  pods: perNode(SERIES.pods),
  unmanaged: perNode(SERIES.unmanagedPods),
  restarts: maxBy(['node'], last(selector(SERIES.agentRestarts))),
} satisfies Record<string, Expr>;

type Snapshot = { rows: TargetRow[]; nodes: NodeInfo[] };

export class PrometheusClusterView implements ClusterView {
  private latest: Snapshot | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly backend: PrometheusBackend,
    private readonly now: () => number = Date.now
  ) {}

  async targets(): Promise<TargetRow[]> {
    return (await this.snapshot()).rows;
  }

  async nodes(): Promise<NodeInfo[]> {
    return (await this.snapshot()).nodes;
  }

  /**
   * The reasons of the drop series with a sample in the last two intervals: the ones the agents report now. (The
   * label values API would be cheaper, but a TSDB head answers it for the block's whole time range, so a reason an
   * agent stopped reporting minutes ago would still be listed.)
   */
  async dropReasonsSeen(): Promise<Set<string>> {
    const recent = countBy(
      ['reason'],
      over('last_over_time', selector(SERIES.droppedPackets), 2 * this.backend.intervalMs)
    );
    const [reasons] = await this.backend.reader().evaluate([recent], instantGrid(this.now(), this.backend.intervalMs));
    return new Set(reasons.map((s) => s.labels.reason));
  }

  async summary(): Promise<ClusterSummary> {
    const { rows } = await this.snapshot();
    const agents = rows.filter((r) => r.component === 'agent');
    const op = rows.find((r) => r.component === 'operator') ?? null;
    return {
      nodes: {
        total: agents.length,
        up: agents.filter((r) => r.up).length,
        down: agents.filter((r) => !r.up).length,
        stale: agents.filter((r) => r.stale).length,
      },
      operator: { configured: op !== null, up: op ? op.up : null, error: op?.error || null },
    };
  }

  /** The agents of the last snapshot; `refreshEvery` keeps it current. */
  directory(): AgentDirectory {
    const agents = () => (this.latest?.nodes ?? []).filter((n) => n.lastSuccess !== null || n.up);
    return {
      agentNodes: () => agents().map((n) => n.name),
      agentSilent: (node) => !agents().some((n) => n.name === node),
      podEndpoints: (node) => this.latest?.nodes.find((n) => n.name === node && !n.stale)?.podEndpoints ?? null,
    };
  }

  /** Refreshes the snapshot every `intervalMs` (errors are in the backend's status). */
  refreshEvery(intervalMs: number): void {
    const tick = () => {
      this.snapshot().then(
        () => undefined,
        () => undefined
      );
    };
    tick();
    this.timer = setInterval(tick, intervalMs);
    this.timer.unref();
  }

  close(): void {
    if (this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  private async snapshot(): Promise<Snapshot> {
    const names = Object.keys(READS) as Array<keyof typeof READS>;
    const results = await this.backend.reader().evaluate(
      names.map((n) => READS[n]),
      instantGrid(this.now(), this.backend.intervalMs)
    );
    const r = Object.fromEntries(names.map((n, i) => [n, results[i]])) as Record<keyof typeof READS, GridSeries[]>;
    const byTarget = (series: GridSeries[]) =>
      new Map(series.map((s) => [`${s.labels.node}\u0000${s.labels.component}`, s.values[0]]));
    const byNode = (series: GridSeries[]) => new Map(series.map((s) => [s.labels.node, s.values[0]]));
    const [stale, lastScrape, lastSuccess, duration] = [r.stale, r.lastScrape, r.lastSuccess, r.duration].map(byTarget);
    const [endpoints, podEndpoints, pods, unmanaged, restarts] = [
      r.endpoints,
      r.podEndpoints,
      r.pods,
      r.unmanaged,
      r.restarts,
    ].map(byNode);
    const version = new Map(r.version.map((s) => [s.labels.node, s.labels.version]));
    const failing = new Map<string, { kind: string; n: number }>();
    for (const s of r.errors) {
      const key = `${s.labels.node}\u0000${s.labels.component}`;
      const n = s.values[0] ?? 0;
      if (n > 0 && n > (failing.get(key)?.n ?? 0)) {
        failing.set(key, { kind: s.labels.kind, n });
      }
    }
    const seconds = (s: number | null | undefined) => (s === null || s === undefined ? null : s * 1000);
    const ms = (s: number | null | undefined) => (s === null || s === undefined ? null : Math.round(s * 1000));
    // The agent status table lists agents and the operator; Hubble metrics targets are in the status's `hubble`.
    const rows: TargetRow[] = r.up
      .filter((s) => s.labels.component === 'agent' || s.labels.component === 'operator')
      .map((s) => {
        const key = `${s.labels.node}\u0000${s.labels.component}`;
        const up = s.values[0] === 1;
        const kind = failing.get(key)?.kind;
        return {
          node: s.labels.node,
          component: s.labels.component === 'operator' ? 'operator' : 'agent',
          up,
          stale: stale.get(key) === 1,
          version: s.labels.component === 'agent' ? (version.get(s.labels.node) ?? '') : '',
          lastScrape: ms(lastScrape.get(key)),
          durationMs: seconds(duration.get(key)),
          endpoints: s.labels.component === 'agent' ? (endpoints.get(s.labels.node) ?? null) : null,
          restarts: s.labels.component === 'agent' ? (restarts.get(s.labels.node) ?? 0) : 0,
          error: up
            ? ''
            : `last scrapes failed${kind ? ` (${kind})` : ''}: see the scraping exporter's /api/v1/nodes for the message`,
        };
      });
    // Agents by node, then the operator, as the exporter lists its own targets.
    rows.sort((a, b) =>
      a.component === b.component ? (a.node < b.node ? -1 : a.node > b.node ? 1 : 0) : a.component === 'agent' ? -1 : 1
    );
    const nodes: NodeInfo[] = rows
      .filter((row) => row.component === 'agent')
      .map((row) => {
        const key = `${row.node}\u0000agent`;
        return {
          name: row.node,
          up: row.up,
          stale: row.stale,
          ciliumVersion: version.get(row.node) ?? null,
          lastScrape: row.lastScrape,
          lastSuccess: ms(lastSuccess.get(key)),
          scrapeDurationMs: row.durationMs,
          error: row.up ? null : row.error,
          podEndpoints: podEndpoints.get(row.node) ?? null,
          endpoints: row.endpoints,
          pods: pods.get(row.node) ?? null,
          unmanagedPods: unmanaged.get(row.node) ?? null,
          source: 'prometheus',
        };
      });
    this.latest = { rows, nodes };
    return this.latest;
  }
}
