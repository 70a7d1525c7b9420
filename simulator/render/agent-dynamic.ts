/**
 * The agent families the exporter reads, rendered from the node's live state at every tick. Each family renders to
 * '' when it has no series, as client_golang omits empty families.
 */
import type { AgentState, TrafficTotals } from '../agent';
import { compareStrings } from '../values';
import type { Histogram } from '../histogram';
import { RESERVED_IDENTITIES } from '../workloads';
import type { AgentNaming } from '../versions';
import { familyHeader, histogramLines, type Labels, type MetricType, sampleLine } from './format';

export interface AgentRenderContext {
  naming: AgentNaming;
  minor: number;
  clusterLocalIdentities: number;
}

export interface DynamicFamily {
  name: string;
  render(agent: AgentState, ctx: AgentRenderContext): string;
}

/** cilium_identity by type (sorted by type) as the agent's gauge shows it. */
export function identityCounts(agent: AgentState, clusterLocalIdentities: number): Record<string, number> {
  return {
    cluster_local: clusterLocalIdentities,
    node_local: agent.health.nodeLocalIdentities,
    reserved: RESERVED_IDENTITIES,
  };
}

export function ipAddressCounts(agent: AgentState): Record<string, number> {
  return { ipv4: agent.endpoints.size, ipv6: 0 };
}

/** cilium_policy_change_total by outcome; failure appears on first use on 1.14, pre-initialised later. */
export function policyChangeOutcomes(agent: AgentState, minor: number): Record<string, number> {
  if (minor >= 15 || agent.policyChanges.failure > 0) {
    return { failure: agent.policyChanges.failure, success: agent.policyChanges.success };
  }
  return { success: agent.policyChanges.success };
}

function family(name: string, help: string, type: MetricType, body: string): string {
  return body === '' ? '' : familyHeader(name, help, type) + body;
}

/** A family of one unlabelled series. */
function scalar(
  name: string,
  help: string,
  type: MetricType,
  value: (a: AgentState, c: AgentRenderContext) => number
): DynamicFamily {
  const header = familyHeader(name, help, type);
  return { name, render: (agent, ctx) => header + sampleLine(name, [], value(agent, ctx)) };
}

function byLabel(
  name: string,
  help: string,
  type: MetricType,
  label: string,
  values: (a: AgentState, c: AgentRenderContext) => Record<string, number>
): DynamicFamily {
  return {
    name,
    render: (agent, ctx) => {
      const record = values(agent, ctx);
      let body = '';
      for (const key of Object.keys(record).sort(compareStrings)) {
        body += sampleLine(name, [[label, key]], record[key]);
      }
      return family(name, help, type, body);
    },
  };
}

function trafficFamily(
  name: string,
  help: string,
  pick: (agent: AgentState) => Array<{ labels: Labels; value: number }>
): DynamicFamily {
  return {
    name,
    render: (agent) => {
      let body = '';
      for (const { labels, value } of pick(agent)) {
        body += sampleLine(name, labels, value);
      }
      return family(name, help, 'counter', body);
    },
  };
}

/** cilium_forward_*: one counter per direction (EGRESS, INGRESS), of packets or bytes. */
function forwardFamily(name: string, help: string, part: keyof TrafficTotals): DynamicFamily {
  return trafficFamily(name, help, (a) =>
    FORWARD_DIRECTIONS.map((direction) => ({ labels: [['direction', direction]], value: a.forwarded[direction][part] }))
  );
}

/** cilium_drop_*: one counter per direction and reason, of packets or bytes. */
function dropFamily(name: string, help: string, part: keyof TrafficTotals): DynamicFamily {
  return trafficFamily(name, help, (a) =>
    a.dropSeries().map((d) => ({
      labels: [
        ['direction', d.direction],
        ['reason', d.reason],
      ],
      value: d[part],
    }))
  );
}

const FORWARD_DIRECTIONS = ['EGRESS', 'INGRESS'] as const;
const REGENERATION_TIME = 'cilium_endpoint_regeneration_time_stats_seconds';

/** Rendered histogram series, reused while the histogram has no new observation (most scopes, most ticks). */
const histogramCache = new WeakMap<Histogram, { count: number; text: string }>();

function histogramText(key: string, h: Histogram): string {
  const cached = histogramCache.get(h);
  if (cached && cached.count === h.count) {
    return cached.text;
  }
  const [scope, status] = key.split('|');
  const text = histogramLines(
    REGENERATION_TIME,
    [
      ['scope', scope],
      ['status', status],
    ],
    h.upperBounds,
    h.cumulative(),
    h.sum,
    h.count
  );
  histogramCache.set(h, { count: h.count, text });
  return text;
}

export function agentDynamicFamilies(naming: AgentNaming, minor: number): DynamicFamily[] {
  const families: DynamicFamily[] = [
    scalar('cilium_controllers_failing', 'Number of failing controllers', 'gauge', (a) => a.health.controllersFailing),
    dropFamily(
      'cilium_drop_bytes_total',
      'Total dropped bytes, tagged by drop reason and ingress/egress direction',
      'bytes'
    ),
    dropFamily(
      'cilium_drop_count_total',
      'Total dropped packets, tagged by drop reason and ingress/egress direction',
      'packets'
    ),
    scalar(naming.endpoint, 'Number of endpoints managed by this agent', 'gauge', (a) => a.endpoints.size),
    {
      name: REGENERATION_TIME,
      render: (agent) => {
        const keys = [...agent.regenerations.histograms.keys()].sort(compareStrings);
        let body = '';
        for (const key of keys) {
          body += histogramText(key, agent.regenerations.histograms.get(key)!);
        }
        return family(REGENERATION_TIME, 'Endpoint regeneration time stats labeled by the scope', 'histogram', body);
      },
    },
    byLabel(
      naming.endpointRegenerations,
      'Count of all endpoint regenerations that have completed, tagged by outcome',
      'counter',
      'outcome',
      (a) => a.regenerations.outcomes()
    ),
    byLabel(
      'cilium_endpoint_state',
      'Count of all endpoints, tagged by different endpoint states',
      'gauge',
      'endpoint_state',
      (a) => a.endpointStateCounts()
    ),
    forwardFamily('cilium_forward_bytes_total', 'Total forwarded bytes, tagged by ingress/egress direction', 'bytes'),
    forwardFamily(
      'cilium_forward_count_total',
      'Total forwarded packets, tagged by ingress/egress direction',
      'packets'
    ),
    naming.identityByType
      ? byLabel(naming.identity, 'Number of identities currently allocated', 'gauge', 'type', (a, c) =>
          identityCounts(a, c.clusterLocalIdentities)
        )
      : scalar(naming.identity, 'Number of identities currently allocated', 'gauge', (a, c) =>
          Object.values(identityCounts(a, c.clusterLocalIdentities)).reduce((x, y) => x + y, 0)
        ),
    byLabel('cilium_ip_addresses', 'Number of allocated IP addresses', 'gauge', 'family', (a) => ipAddressCounts(a)),
    scalar(naming.policy, 'Number of policies currently loaded', 'gauge', (a) => a.policies),
    byLabel(
      'cilium_policy_endpoint_enforcement_status',
      'Number of endpoints labeled by policy enforcement status',
      'gauge',
      'enforcement',
      (a) => a.enforcementCounts()
    ),
    scalar(
      'cilium_policy_max_revision',
      'Highest policy revision number in the agent',
      'gauge',
      (a) => a.policyRevision
    ),
    ...processFamilies(),
    scalar(
      'cilium_unreachable_health_endpoints',
      'Number of health endpoints that cannot be reached',
      'gauge',
      (a) => a.health.unreachableHealthEndpoints
    ),
    scalar(
      'cilium_unreachable_nodes',
      'Number of nodes that cannot be reached',
      'gauge',
      (a) => a.health.unreachableNodes
    ),
  ];
  if (naming.policyImportErrors) {
    families.push(
      scalar(
        naming.policyImportErrors,
        'Number of times a policy import has failed',
        'counter',
        (a) => a.policyChanges.failure
      )
    );
  }
  if (naming.policyChangeTotal) {
    families.push(
      byLabel('cilium_policy_change_total', 'Number of policy changes by outcome', 'counter', 'outcome', (a) =>
        policyChangeOutcomes(a, minor)
      )
    );
  }
  if (naming.bpfMapPressure) {
    families.push(
      byLabel(
        'cilium_bpf_map_pressure',
        'Fill percentage of map, tagged by map name',
        'gauge',
        'map_name',
        (a) => a.health.bpfMapPressure
      )
    );
  }
  return families.sort((a, b) => compareStrings(a.name, b.name));
}

function processFamilies(): DynamicFamily[] {
  return [
    scalar(
      'cilium_process_cpu_seconds_total',
      'Total user and system CPU time spent in seconds.',
      'counter',
      (a) => a.health.cpuSeconds
    ),
    scalar('cilium_process_max_fds', 'Maximum number of open file descriptors.', 'gauge', () => 1048576),
    scalar('cilium_process_open_fds', 'Number of open file descriptors.', 'gauge', (a) => a.health.openFds),
    scalar(
      'cilium_process_resident_memory_bytes',
      'Resident memory size in bytes.',
      'gauge',
      (a) => a.health.residentMemoryBytes
    ),
    scalar(
      'cilium_process_start_time_seconds',
      'Start time of the process since unix epoch in seconds.',
      'gauge',
      (a) => a.health.processStartTimeSeconds
    ),
    scalar(
      'cilium_process_virtual_memory_bytes',
      'Virtual memory size in bytes.',
      'gauge',
      (a) => a.health.virtualMemoryBytes
    ),
    scalar(
      'cilium_process_virtual_memory_max_bytes',
      'Maximum amount of virtual memory available in bytes.',
      'gauge',
      () => 1.8446744073709552e19
    ),
  ];
}
