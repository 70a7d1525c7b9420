/** The Hubble part of GET /api/v1/status: targets' health, the context forms found, Relay's stream and the model. */
import type { HubbleContextForm, HubbleStatus } from '../../src/contract';
import type { ClusterModel } from '../model/cluster';
import type { NodeDrops, WorkloadDrops } from './model';
import type { RelayFollowerStatus } from './relay/follower';

const MAX_PROBLEMS = 20;
const MAX_UNAVAILABLE = 50;

export function hubbleStatus(
  model: ClusterModel,
  drops: WorkloadDrops,
  relay: RelayFollowerStatus | null,
  bounds: { topK: number; maxSeries: number }
): HubbleStatus {
  const now = model.now();
  const targets = model.hubbleTargets();
  const contexts = new Map<HubbleContextForm, { nodes: number; example: string }>();
  const problems: Array<{ node: string; problem: string; rank: number }> = [];
  for (const t of targets) {
    const node = t.target.node;
    if (t.error !== null) {
      problems.push({ node, problem: `scrape failed: ${t.error}`, rank: 0 });
    }
    const page = drops.node(node)?.page;
    if (!page) {
      continue;
    }
    const c = contexts.get(page.form) ?? { nodes: 0, example: node };
    c.nodes++;
    contexts.set(page.form, c);
    const problem = pageProblem(page);
    if (problem) {
      problems.push({ node, problem, rank: 1 });
    }
  }
  let kept = 0;
  let held = 0;
  for (const n of drops.nodes()) {
    held += n.pairs.heldPairs;
    kept += countKept(n);
  }
  problems.sort((a, b) => a.rank - b.rank || (a.node < b.node ? -1 : 1));
  return {
    metrics: {
      targets: targets.length,
      up: targets.filter((t) => t.up).length,
      down: targets.filter((t) => !t.up && t.lastScrape !== null).length,
      stale: targets.filter((t) => model.isTargetStale(t, now)).length,
      contexts: [...contexts]
        .map(([form, c]) => ({ form, nodes: c.nodes, example: c.example }))
        .sort((a, b) => b.nodes - a.nodes),
      problems: problems.slice(0, MAX_PROBLEMS).map(({ node, problem }) => ({ node, problem })),
    },
    relay: relay && relayStatus(relay, drops.refusedRelayFlows),
    pairs: {
      topK: bounds.topK,
      maxSeriesPerNode: bounds.maxSeries,
      nodes: drops.nodes().length,
      keptPairs: kept,
      heldPairs: held,
    },
  };
}

function pageProblem(page: NonNullable<NodeDrops['page']>): string | null {
  const parts: string[] = [];
  if (!page.hasDrops) {
    parts.push('no hubble_drop_total on the page: enable the drop metric (hubble.metrics.enabled: "drop:…")');
  } else if (page.form === 'none') {
    parts.push(
      'hubble_drop_total has no source/destination context: set sourceContext/destinationContext or labelsContext'
    );
  } else if (page.form === 'ip') {
    parts.push(
      'hubble_drop_total uses the ip context, which names no workload: use pod, workload-name or labelsContext'
    );
  }
  if (page.unknownLabels.length > 0) {
    parts.push(`unknown labels on hubble_drop_total, ignored: ${page.unknownLabels.join(', ')}`);
  }
  if (page.untrackedSeries > 0) {
    parts.push(`${page.untrackedSeries} hubble_drop_total series beyond --hubble-max-series were not counted`);
  }
  return parts.length ? parts.join('; ') : null;
}

function countKept(n: NodeDrops): number {
  let kept = 0;
  for (const drops of n.pairs.reasons.values()) {
    for (const entry of drops.summary.entries()) {
      kept += entry.value.kept ? 1 : 0;
    }
  }
  return kept;
}

function relayStatus(r: RelayFollowerStatus, refusedFlows: number): NonNullable<HubbleStatus['relay']> {
  const nodeStates: Record<string, number> = {};
  const unavailable: string[] = [];
  for (const [node, s] of r.nodes) {
    nodeStates[s.state] = (nodeStates[s.state] ?? 0) + 1;
    if ((s.state === 'NODE_UNAVAILABLE' || s.state === 'NODE_ERROR') && unavailable.length < MAX_UNAVAILABLE) {
      unavailable.push(node);
    }
  }
  return {
    address: r.address,
    tls: r.tls,
    state: r.state,
    connected: r.connected,
    error: r.error,
    lastMessageAt: r.lastMessageAt,
    streamingSince: r.streamingSince,
    flows: r.flows,
    refusedFlows,
    lostEvents: r.lostEvents,
    reconnects: r.reconnects,
    errors: r.errors,
    nodeStates,
    unavailableNodes: unavailable.sort(),
  };
}
