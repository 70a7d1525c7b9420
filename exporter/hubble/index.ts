/**
 * The exporter's Hubble side, wired: Hubble metrics pages (scraped with the agents, see app.ts) and Hubble Relay's
 * drop flows feed the workload pair model; it gives /metrics families, a history contributor and the status.
 *
 * Interface for the query layer: the counter SERIES.workloadDroppedPackets, written alike to /metrics (exporter/metrics/hubble.ts) and
 * to the embedded history (the contributor below: the same rows, values and sample times), so either history backend
 * answers an expression over it the same; and `queries`, Relay's flow groups of a pair (its denying policies).
 */
import type { HubbleStatus } from '../../src/contract';
import type { Logger } from '../log';
import type { ClusterModel } from '../model/cluster';
import { SERIES, type SeriesContributor, hubbleClock } from '../model/series';
import type { PageConsumer } from '../scrape/client';
import { hubblePageConsumer } from './consumer';
import { type NodeDrops, type WorkloadDropRow, WorkloadDrops, workloadLabels } from './model';
import type { HubbleSample } from './normalise';
import { DeniedBy } from './relay/denied-by';
import { dropFlowOf } from './relay/flows';
import { RelayFollower, type RelayFollowerStatus } from './relay/follower';
import type { HubbleSettings } from './settings';
import { hubbleStatus } from './status';
import type { HubbleQueries } from './queries';
import type { PodOwnerLookup } from './workload';

export type { HubbleSettings } from './settings';

export interface HubbleDeps {
  model: ClusterModel;
  staleAfterMs: number;
  log: Logger;
  /** The Kubernetes join's pod owners, once Kubernetes is configured (read at every page). */
  lookup: () => PodOwnerLookup | null;
}

/** What the Hubble families of /metrics read (exporter/metrics/hubble.ts). */
export interface HubbleMetricsSource {
  /** Nodes whose Hubble data is fresh. */
  freshNodes(): NodeDrops[];
  /** A node's rows: its kept pairs and "(other)" rows, in a stable order. */
  rows(node: NodeDrops): Iterable<WorkloadDropRow>;
  /** Hubble Relay's side, when the exporter follows it. */
  relay: RelayMetricsSource | null;
}

export interface RelayMetricsSource {
  status(): RelayFollowerStatus;
  /** Relay flows not counted: beyond the nodes the model and the policy index track. */
  refusedFlows(): number;
}

export interface HubbleRuntime {
  drops: WorkloadDrops;
  /** A page consumer for a Hubble metrics target. */
  pageConsumer(): (contentType: string | undefined) => PageConsumer<HubbleSample>;
  metrics: HubbleMetricsSource;
  contributor: SeriesContributor;
  status(): HubbleStatus;
  /** What the query layer reads beside the history: Relay's flows of a pair (its denying policies and ports). */
  queries: HubbleQueries;
  /** Nodes whose Hubble data is fresh. */
  freshNodes(): NodeDrops[];
  close(): void;
}

const MAX_RELAY_NODES = 5000;

export function startHubble(settings: HubbleSettings, deps: HubbleDeps): HubbleRuntime {
  const { model } = deps;
  const log = deps.log.child({ component: 'hubble' });
  const drops = new WorkloadDrops({
    topK: settings.topK,
    maxSeries: settings.maxSeries,
    halfLifeMs: settings.halfLifeMs,
    maxRelayNodes: MAX_RELAY_NODES,
  });
  const deniedBy = settings.relay ? new DeniedBy(2 * settings.topK, MAX_RELAY_NODES) : null;
  const relay = settings.relay
    ? new RelayFollower({
        settings: settings.relay,
        log,
        now: model.now,
        onFlow: (wire, node) => {
          const flow = dropFlowOf(wire, node, deps.lookup());
          if (flow) {
            deniedBy!.add(flow);
            drops.addFlow(flow.node, flow.reason, flow.direction, flow.source, flow.destination);
          }
        },
      })
    : null;

  model.onHubblePage((node, sample, at) => drops.ingestPage(node, sample, at));
  model.onCycle((m) => {
    const metricsNodes = new Set(m.hubbleTargets().map((t) => t.target.node));
    drops.retainMetricsNodes(metricsNodes);
    metricsNodes.forEach((node) => drops.claimMetricsNode(node));
    if (relay?.status().connected) {
      drops.settleRelay(m.now());
    }
  });

  const freshNodes = (): NodeDrops[] => {
    const now = model.now();
    return drops.nodes().filter((n) => n.settledAt !== null && now - n.settledAt <= deps.staleAfterMs);
  };

  // What /metrics writes, at the time /metrics stamps it: every kept pair and (other) row of the nodes settled in
  // this cycle (a Hubble page read, or relay flows routed), as cumulative counters.
  const contributor: SeriesContributor = (w, _model, cycleStart) => {
    for (const n of drops.nodes()) {
      if (n.settledAt === null || n.settledAt < cycleStart) {
        continue;
      }
      const nw = w.at(hubbleClock(n.node), n.settledAt);
      for (const row of drops.rows(n)) {
        nw.putCounter(SERIES.workloadDroppedPackets, workloadLabels(row), row.packets);
      }
    }
  };

  relay?.start();
  log.info(
    {
      targets: settings.targets.length,
      discoverPort: settings.discoverPort,
      relay: settings.relay?.address ?? null,
      topK: settings.topK,
    },
    'Hubble drops by workload'
  );
  return {
    drops,
    pageConsumer: () => hubblePageConsumer({ reading: settings.context, lookup: deps.lookup() }, settings.maxSeries),
    metrics: {
      freshNodes,
      rows: (n) => drops.rows(n),
      relay: relay
        ? { status: () => relay.status(), refusedFlows: () => drops.refusedRelayFlows + (deniedBy?.refused ?? 0) }
        : null,
    },
    contributor,
    status: () =>
      hubbleStatus(model, drops, relay?.status() ?? null, { topK: settings.topK, maxSeries: settings.maxSeries }),
    queries: { relay: deniedBy ? { groups: (...pair) => deniedBy.groups(...pair) } : null },
    freshNodes,
    close: () => relay?.close(),
  };
}
