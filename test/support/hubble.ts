/** Hubble settings and ground-truth helpers for the tests that run the exporter against the simulator. */
import { DEFAULT_HUBBLE_HALF_LIFE_MS, type HubbleSettings, type RelaySettings } from '../../exporter/hubble/settings';
import type { RunningSimulator, SimulatorOptions, SimulatorTruth } from '../../simulator';
import { rawSamples, readExposition } from './exposition';

/** Three nodes with Hubble metrics in pod context and a Hubble Relay, ticked by the test, no Kubernetes API. */
export const RELAY_SIMULATOR: SimulatorOptions = {
  nodes: 3,
  seed: 5,
  autoTickMs: 0,
  pageKB: 20,
  hubbleContext: 'pod',
  hubbleRelay: {},
  kube: false,
};

export function hubbleSettings(sim: RunningSimulator, over: Partial<HubbleSettings> = {}): HubbleSettings {
  return {
    targets: sim.nodes.map((node) => ({ node, url: sim.hubbleUrl(node) })),
    discoverPort: null,
    urlTemplate: 'http://{podIP}:{port}/metrics',
    context: 'auto',
    topK: 1000,
    maxSeries: 5000,
    halfLifeMs: DEFAULT_HUBBLE_HALF_LIFE_MS,
    relay: null,
    ...over,
  };
}

export function relaySettings(sim: RunningSimulator, over: Partial<RelaySettings> = {}): RelaySettings {
  return { address: sim.relayAddress!, timeoutMs: 2000, tls: null, ...over };
}

/** node|reason|direction|srcNs|srcWl|dstNs|dstWl */
export type PairKey = string;

export function pairKeyOf(
  node: string,
  reason: string,
  direction: string,
  s: { namespace: string; workload: string },
  d: { namespace: string; workload: string }
): PairKey {
  return [node, reason, direction, s.namespace, s.workload, d.namespace, d.workload].join('|');
}

/** Packets per pair a correct exporter reports from each node's Hubble page: the truth's attribution, in its form. */
export function expectedPairs(truth: SimulatorTruth, nodes: readonly string[]): Map<PairKey, number> {
  const out = new Map<PairKey, number>();
  for (const node of nodes) {
    for (const f of truth.hubble[node].flows) {
      const key = pairKeyOf(node, f.reason, f.expected.direction, f.expected.source, f.expected.destination);
      out.set(key, (out.get(key) ?? 0) + f.packets);
    }
  }
  return out;
}

/** `later - earlier`, per key, dropping zeros. */
export function increase(later: Map<PairKey, number>, earlier: Map<PairKey, number>): Map<PairKey, number> {
  const out = new Map<PairKey, number>();
  for (const [k, v] of later) {
    const d = v - (earlier.get(k) ?? 0);
    if (d !== 0) {
      out.set(k, d);
    }
  }
  return out;
}

/** The ciliumscope_workload_dropped_packets_total rows of a /metrics page, other rows apart. */
export function workloadRows(page: string): { pairs: Map<PairKey, number>; other: Map<string, number> } {
  const pairs = new Map<PairKey, number>();
  const other = new Map<string, number>();
  for (const { labels, value } of rawSamples(page, 'ciliumscope_workload_dropped_packets_total')) {
    if (labels.source_workload === '(other)') {
      other.set(`${labels.node}|${labels.reason}|${labels.direction}`, value);
    } else {
      const key = pairKeyOf(
        labels.node,
        labels.reason,
        labels.direction,
        { namespace: labels.source_namespace, workload: labels.source_workload },
        { namespace: labels.destination_namespace, workload: labels.destination_workload }
      );
      pairs.set(key, value);
    }
  }
  return { pairs, other };
}

/** The agent's dropped packets per node and reason, from the exporter's /metrics. */
export function agentDrops(page: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const [id, value] of readExposition(page)) {
    const m = /^ciliumscope_dropped_packets_total\{direction="([^"]*)",node="([^"]*)",reason="([^"]*)"\}$/.exec(id);
    if (m) {
      const key = `${m[2]}|${m[3]}`;
      out.set(key, (out.get(key) ?? 0) + value);
    }
  }
  return out;
}

export async function until(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  what = 'condition'
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}
