/**
 * A strict parser of the Prometheus text format for the simulator's tests, and the reading of an agent page into
 * the exporter's sample model, so that pages can be compared with the simulator's ground truth.
 */
import type {
  AgentSample,
  CumulativeHistogram,
  DropCounter,
  OperatorSample,
  TrafficCounter,
} from '../../../exporter/cilium/sample';

export interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface ParsedFamily {
  name: string;
  help?: string;
  type?: string;
  samples: ParsedSample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)$`);
const LABEL = new RegExp(`^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\\]|\\\\.)*)"(,|$)`);

export function parseValue(text: string): number {
  if (text === '+Inf') {
    return Infinity;
  }
  if (text === '-Inf') {
    return -Infinity;
  }
  if (text === 'NaN') {
    return NaN;
  }
  if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(text)) {
    throw new Error(`invalid value "${text}"`);
  }
  return Number(text);
}

function parseLabels(text: string, line: number): Record<string, string> {
  const labels: Record<string, string> = {};
  let rest = text;
  while (rest.length > 0) {
    const m = LABEL.exec(rest);
    if (!m) {
      throw new Error(`line ${line}: invalid label set {${text}}`);
    }
    labels[m[1]] = m[2].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    rest = rest.slice(m[0].length);
  }
  return labels;
}

/** Families in page order; throws on any line that is not valid text format. */
export function parsePage(text: string): Map<string, ParsedFamily> {
  const families = new Map<string, ParsedFamily>();
  let current: ParsedFamily | null = null;
  const lines = text.split('\n');
  if (lines[lines.length - 1] !== '') {
    throw new Error('page does not end with a newline');
  }
  lines.pop();
  lines.forEach((line, i) => {
    const n = i + 1;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!m) {
        return; // plain comment
      }
      const family = families.get(m[2]) ?? { name: m[2], samples: [] };
      families.set(m[2], family);
      if (m[1] === 'HELP') {
        family.help = m[3];
      } else {
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(m[3])) {
          throw new Error(`line ${n}: invalid type ${m[3]}`);
        }
        family.type = m[3];
      }
      current = family;
      return;
    }
    const m = SAMPLE.exec(line);
    if (!m) {
      throw new Error(`line ${n}: invalid sample line "${line}"`);
    }
    const name = m[1];
    const sample: ParsedSample = {
      name,
      labels: m[2] === undefined ? {} : parseLabels(m[2], n),
      value: parseValue(m[3]),
    };
    const owner: ParsedFamily | null = current;
    if (
      owner !== null &&
      (name === owner.name ||
        (owner.type === 'histogram' && /^(.*)_(bucket|sum|count)$/.exec(name)?.[1] === owner.name))
    ) {
      owner.samples.push(sample);
      return;
    }
    const family = families.get(name) ?? { name, samples: [] };
    families.set(name, family);
    family.samples.push(sample);
    current = family;
  });
  return families;
}

function samplesOf(families: Map<string, ParsedFamily>, ...names: string[]): ParsedSample[] | null {
  for (const name of names) {
    const f = families.get(name);
    if (f && f.samples.length > 0) {
      return f.samples;
    }
  }
  return null;
}

function scalar(families: Map<string, ParsedFamily>, ...names: string[]): number | null {
  const samples = samplesOf(families, ...names);
  return samples ? samples[0].value : null;
}

function byLabel(families: Map<string, ParsedFamily>, name: string, label: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of samplesOf(families, name) ?? []) {
    out[s.labels[label]] = (out[s.labels[label]] ?? 0) + s.value;
  }
  return out;
}

function histogram(
  samples: ParsedSample[],
  name: string,
  match: (labels: Record<string, string>) => boolean
): CumulativeHistogram | null {
  const buckets = new Map<number, number>();
  let sum = 0;
  let count = 0;
  let seen = false;
  for (const s of samples) {
    if (!match(s.labels)) {
      continue;
    }
    seen = true;
    if (s.name === `${name}_bucket`) {
      const le = parseValue(s.labels.le);
      buckets.set(le, (buckets.get(le) ?? 0) + s.value);
    } else if (s.name === `${name}_sum`) {
      sum += s.value;
    } else if (s.name === `${name}_count`) {
      count += s.value;
    }
  }
  if (!seen) {
    return null;
  }
  const upperBounds = [...buckets.keys()].sort((a, b) => a - b);
  return { upperBounds, cumulativeCounts: upperBounds.map((b) => buckets.get(b)!), sum, count };
}

/** An agent page read into the exporter's sample model, as a normaliser would. */
export function agentSampleFromPage(families: Map<string, ParsedFamily>): AgentSample {
  const regen = samplesOf(families, 'cilium_endpoint_regeneration_time_stats_seconds') ?? [];
  const hasTotal = regen.some((s) => s.labels.scope === 'total');
  const totalScope = hasTotal ? 'total' : 'buildDuration';
  const forwardPackets = samplesOf(families, 'cilium_forward_count_total') ?? [];
  const forwardBytes = samplesOf(families, 'cilium_forward_bytes_total') ?? [];
  const forwarded: TrafficCounter[] = forwardPackets.map((s) => ({
    direction: s.labels.direction,
    packets: s.value,
    bytes: forwardBytes.find((b) => b.labels.direction === s.labels.direction)?.value ?? null,
  }));
  const dropBytes = samplesOf(families, 'cilium_drop_bytes_total') ?? [];
  const dropped: DropCounter[] = (samplesOf(families, 'cilium_drop_count_total') ?? []).map((s) => ({
    direction: s.labels.direction,
    reason: s.labels.reason,
    packets: s.value,
    bytes:
      dropBytes.find((b) => b.labels.direction === s.labels.direction && b.labels.reason === s.labels.reason)?.value ??
      null,
  }));
  const importErrors =
    scalar(families, 'cilium_policy_import_errors_total', 'cilium_policy_import_errors') ??
    (samplesOf(families, 'cilium_policy_change_total')
      ? (byLabel(families, 'cilium_policy_change_total', 'outcome').failure ?? 0)
      : null);
  const identity = samplesOf(families, 'cilium_identity', 'cilium_identity_count');
  return {
    ciliumVersion: samplesOf(families, 'cilium_version')?.[0].labels.version ?? null,
    endpoints: scalar(families, 'cilium_endpoint', 'cilium_endpoint_count'),
    endpointStates: byLabel(families, 'cilium_endpoint_state', 'endpoint_state'),
    regenerations: byLabel(
      families,
      families.has('cilium_endpoint_regenerations_total')
        ? 'cilium_endpoint_regenerations_total'
        : 'cilium_endpoint_regenerations',
      'outcome'
    ),
    regenerationTime: histogram(
      regen,
      'cilium_endpoint_regeneration_time_stats_seconds',
      (l) => l.scope === totalScope
    ),
    forwarded,
    dropped,
    policies: scalar(families, 'cilium_policy', 'cilium_policy_count'),
    policyMaxRevision: scalar(families, 'cilium_policy_max_revision'),
    policyImportErrors: importErrors,
    enforcement: byLabel(families, 'cilium_policy_endpoint_enforcement_status', 'enforcement'),
    identities: identity ? identity.reduce((sum, s) => sum + s.value, 0) : null,
    unreachableNodes: scalar(families, 'cilium_unreachable_nodes'),
    unreachableHealthEndpoints: scalar(families, 'cilium_unreachable_health_endpoints'),
    controllersFailing: scalar(families, 'cilium_controllers_failing'),
    bpfMapPressure: byLabel(families, 'cilium_bpf_map_pressure', 'map_name'),
    ipAddresses: byLabel(families, 'cilium_ip_addresses', 'family'),
    processStartTimeSeconds: scalar(families, 'cilium_process_start_time_seconds'),
  };
}

export function operatorSampleFromPage(families: Map<string, ParsedFamily>): OperatorSample {
  let ipamIps = byLabel(families, 'cilium_operator_ipam_ips', 'type');
  if (Object.keys(ipamIps).length === 0) {
    const sum = (name: string): number => (samplesOf(families, name) ?? []).reduce((s, x) => s + x.value, 0);
    ipamIps = {
      available: sum('cilium_operator_ipam_available_ips'),
      needed: sum('cilium_operator_ipam_needed_ips'),
      used: sum('cilium_operator_ipam_used_ips'),
    };
  }
  return {
    unmanagedPods: scalar(families, 'cilium_operator_unmanaged_pods'),
    ipamIps,
    ipamNodes: byLabel(families, 'cilium_operator_ipam_nodes', 'category'),
    identityGcEntries: byLabel(families, 'cilium_operator_identity_gc_entries', 'status'),
    identityGcRuns: byLabel(families, 'cilium_operator_identity_gc_runs', 'outcome'),
    processStartTimeSeconds: scalar(families, 'cilium_operator_process_start_time_seconds'),
  };
}
