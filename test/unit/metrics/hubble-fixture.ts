/**
 * The Hubble side of the fixed cluster of fixture.ts: the agents' Hubble metrics targets and their pages over the
 * three cycles (n1 in pod context with three pairs of one reason for a top K of 2, so one goes to "(other)"; n2 in
 * namespace context, failing now but still fresh; n3 stale), and fixed Hubble Relay numbers.
 */
import type { RelayMetricsSource } from '../../../exporter/hubble';
import type { HubbleDropSeries, HubbleSample } from '../../../exporter/hubble/normalise';
import type { HubbleSettings } from '../../../exporter/hubble/settings';
import type { RelayFollowerStatus } from '../../../exporter/hubble/relay/follower';
import type { ScrapedSample } from '../../../exporter/model/cluster';

/** The nodes whose agents' Hubble metrics are scraped. */
export const HUBBLE_NODES = ['n1', 'n2', 'n3'];

export const HUBBLE_SETTINGS: HubbleSettings = {
  targets: [],
  discoverPort: null,
  urlTemplate: 'http://{podIP}:{port}/metrics',
  context: 'auto',
  topK: 2,
  maxSeries: 100,
  halfLifeMs: 3_600_000,
  relay: null,
};

const shop = (workload: string) => ({ namespace: 'shop', workload });
const WORLD = { namespace: '', workload: 'reserved:world' };

/** n1's series (pod context): three pairs dropped for "Policy denied" and one for another reason, by cycle. */
function n1Drops(cycle: number): HubbleDropSeries[] {
  const at = (values: number[]) => values[cycle];
  const denied = { reason: 'Policy denied', direction: 'INGRESS', destination: shop('cart') };
  return [
    { id: 1, ...denied, source: shop('web'), value: at([100, 160, 220]) },
    { id: 2, ...denied, source: shop('batch'), value: at([50, 50, 90]) },
    { id: 3, ...denied, source: WORLD, value: at([10, 13, 14]) },
    {
      id: 4,
      reason: 'Stale or unroutable IP',
      direction: 'EGRESS',
      source: shop('web'),
      destination: { namespace: 'kube-system', workload: 'coredns' },
      value: at([5, 7, 7]),
    },
  ];
}

function page(overrides: Partial<HubbleSample>): ScrapedSample {
  return {
    component: 'hubble',
    sample: {
      drops: [],
      overflowSeries: 0,
      form: 'none',
      forms: {},
      unknownLabels: [],
      hasDrops: false,
      flowsProcessed: {},
      policyVerdicts: [],
      lostEvents: {},
      ...overrides,
    },
  };
}

/** The Hubble page each target answers in a cycle; null for a failed scrape. */
export function hubblePage(cycle: number, node: string): ScrapedSample | null {
  switch (node) {
    case 'n1':
      return page({
        drops: n1Drops(cycle),
        overflowSeries: 2,
        form: 'pod',
        forms: { pod: 4 },
        unknownLabels: ['source_cluster_id'],
        hasDrops: true,
        flowsProcessed: { FORWARDED: 5000 * (cycle + 1), DROPPED: 165 + 80 * cycle },
        policyVerdicts: [{ direction: 'ingress', match: 'none', action: 'dropped', value: 160 + 80 * cycle }],
        lostEvents: { perf_event_ring_buffer: 3 },
      });
    case 'n2':
      // Namespace context: the namespaces at both ends, no workload, no direction.
      return cycle < 2
        ? page({
            drops: [
              {
                id: 7,
                reason: 'Policy denied',
                direction: 'UNKNOWN',
                source: { namespace: 'shop', workload: '' },
                destination: { namespace: 'db', workload: '' },
                value: 4 + 5 * cycle,
              },
            ],
            form: 'namespace',
            forms: { namespace: 1 },
            hasDrops: true,
            flowsProcessed: { FORWARDED: 900 },
          })
        : null;
    default:
      return cycle === 0 ? page({ form: 'none' }) : null;
  }
}

const RELAY_STATUS: RelayFollowerStatus = {
  address: 'hubble-relay:80',
  tls: false,
  state: 'streaming',
  connected: true,
  error: null,
  lastMessageAt: null,
  streamingSince: null,
  flows: 1234,
  lostEvents: { HUBBLE_RING_BUFFER: 5 },
  reconnects: 3,
  errors: { UNAVAILABLE: 2, silent: 1 },
  nodes: new Map([
    ['n1', { state: 'NODE_CONNECTED', message: '' }],
    ['n4', { state: 'NODE_UNAVAILABLE', message: 'connection refused' }],
    ['n5', { state: 'NODE_ERROR', message: 'internal error' }],
  ]),
};

/** A Relay stream that delivers, has reconnected, and cannot reach two nodes. */
export const RELAY: RelayMetricsSource = { status: () => RELAY_STATUS, refusedFlows: () => 3 };
