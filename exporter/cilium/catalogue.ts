/**
 * The Cilium metric families the normaliser reads, across agent and operator versions 1.9 to 1.20, and which field
 * of the normalised sample (sample.ts) each one fills. When several families feed one field (a rename, a
 * deprecated family kept beside its replacement), the one with the highest `rank` that is present on the page
 * wins; versions are never consulted, only the names a page actually carries.
 */
import type { AgentSample, OperatorSample } from './sample';

export type Component = 'agent' | 'operator';
export type FamilyType = 'counter' | 'gauge' | 'histogram';

/** How a family's samples are kept until the end of the page. */
export type Storage =
  /** The `version` label of cilium_version; the value is ignored (0 on some agents, 1 on others). */
  | { kind: 'version'; label: string }
  /** One unlabelled number. */
  | { kind: 'scalar' }
  /** One number per value of `label`, then turned into the field's value by `output`. */
  | { kind: 'byLabel'; label: string; output: ByLabelOutput }
  /** cilium_forward_*: one counter per direction. */
  | { kind: 'traffic'; part: 'packets' | 'bytes' }
  /** cilium_drop_*: one counter per direction and reason. */
  | { kind: 'drops'; part: 'packets' | 'bytes' }
  /** A histogram kept per `status` for the listed `scope` values only, the first present scope winning. */
  | { kind: 'histogram'; scopes: readonly string[] };

export type ByLabelOutput =
  /** Record keyed by the label value, as the agent writes it (samples without the label are ignored). */
  | { as: 'record' }
  /** The sum over every label value: one number. */
  | { as: 'sum' }
  /** The value for one label value (0 when the family is present without it). */
  | { as: 'pick'; value: string }
  /** The sum over every label value, stored in the field's record under `key`. */
  | { as: 'sumInto'; key: string };

export interface FamilyEntry<F extends string> {
  /** The family name as `# TYPE` gives it in the Prometheus text format. */
  name: string;
  type: FamilyType;
  field: F;
  /** Among the families of one field, the highest rank present on a page wins. */
  rank: number;
  /** Cilium versions that expose this name. */
  versions: string;
  storage: Storage;
}

export type AgentField = keyof AgentSample;
export type OperatorField = keyof OperatorSample;

const RECORD: ByLabelOutput = { as: 'record' };
const SCALAR: Storage = { kind: 'scalar' };

/**
 * A family Cilium 1.10 renamed: `current` (1.10+, or `currentVersions`) and `before` (≤1.9) fill the same field the
 * same way, the current name winning where a page carries both.
 */
function newNameSince1_10<F extends string>(
  current: string,
  before: string,
  entry: Pick<FamilyEntry<F>, 'type' | 'field' | 'storage'>,
  currentVersions = '1.10+'
): Array<FamilyEntry<F>> {
  return [
    { name: current, ...entry, rank: 2, versions: currentVersions },
    { name: before, ...entry, rank: 1, versions: '≤1.9' },
  ];
}

/**
 * The scope of cilium_endpoint_regeneration_time_stats_seconds that measures a whole regeneration: "total" since
 * 1.10; 1.9 agents have no "total" and their "buildDuration" covers the same span.
 */
export const REGENERATION_TIME_SCOPES: readonly string[] = ['total', 'buildDuration'];

export const AGENT_CATALOGUE: ReadonlyArray<FamilyEntry<AgentField>> = [
  {
    name: 'cilium_version',
    type: 'gauge',
    field: 'ciliumVersion',
    rank: 1,
    versions: 'all',
    storage: { kind: 'version', label: 'version' },
  },
  ...newNameSince1_10('cilium_endpoint', 'cilium_endpoint_count', {
    type: 'gauge',
    field: 'endpoints',
    storage: SCALAR,
  }),
  {
    name: 'cilium_endpoint_state',
    type: 'gauge',
    field: 'endpointStates',
    rank: 1,
    versions: 'all',
    storage: { kind: 'byLabel', label: 'endpoint_state', output: RECORD },
  },
  ...newNameSince1_10('cilium_endpoint_regenerations_total', 'cilium_endpoint_regenerations', {
    type: 'counter',
    field: 'regenerations',
    storage: { kind: 'byLabel', label: 'outcome', output: RECORD },
  }),
  {
    name: 'cilium_endpoint_regeneration_time_stats_seconds',
    type: 'histogram',
    field: 'regenerationTime',
    rank: 1,
    versions: 'all (scope "total" 1.10+, "buildDuration" on 1.9)',
    storage: { kind: 'histogram', scopes: REGENERATION_TIME_SCOPES },
  },
  {
    name: 'cilium_forward_count_total',
    type: 'counter',
    field: 'forwarded',
    rank: 1,
    versions: 'all',
    storage: { kind: 'traffic', part: 'packets' },
  },
  {
    name: 'cilium_forward_bytes_total',
    type: 'counter',
    field: 'forwarded',
    rank: 1,
    versions: 'all',
    storage: { kind: 'traffic', part: 'bytes' },
  },
  {
    name: 'cilium_drop_count_total',
    type: 'counter',
    field: 'dropped',
    rank: 1,
    versions: 'all',
    storage: { kind: 'drops', part: 'packets' },
  },
  {
    name: 'cilium_drop_bytes_total',
    type: 'counter',
    field: 'dropped',
    rank: 1,
    versions: 'all',
    storage: { kind: 'drops', part: 'bytes' },
  },
  ...newNameSince1_10('cilium_policy', 'cilium_policy_count', { type: 'gauge', field: 'policies', storage: SCALAR }),
  {
    name: 'cilium_policy_max_revision',
    type: 'gauge',
    field: 'policyMaxRevision',
    rank: 1,
    versions: 'all',
    storage: SCALAR,
  },
  {
    name: 'cilium_policy_change_total',
    type: 'counter',
    field: 'policyImportErrors',
    rank: 3,
    versions: '1.14+',
    storage: { kind: 'byLabel', label: 'outcome', output: { as: 'pick', value: 'failure' } },
  },
  ...newNameSince1_10(
    'cilium_policy_import_errors_total',
    'cilium_policy_import_errors',
    { type: 'counter', field: 'policyImportErrors', storage: SCALAR },
    '1.10–1.14 (deprecated 1.14, removed 1.15)'
  ),
  {
    name: 'cilium_policy_endpoint_enforcement_status',
    type: 'gauge',
    field: 'enforcement',
    rank: 1,
    versions: 'all',
    storage: { kind: 'byLabel', label: 'enforcement', output: RECORD },
  },
  ...newNameSince1_10('cilium_identity', 'cilium_identity_count', {
    type: 'gauge',
    field: 'identities',
    storage: { kind: 'byLabel', label: 'type', output: { as: 'sum' } },
  }),
  {
    name: 'cilium_unreachable_nodes',
    type: 'gauge',
    field: 'unreachableNodes',
    rank: 1,
    versions: 'all',
    storage: SCALAR,
  },
  {
    name: 'cilium_unreachable_health_endpoints',
    type: 'gauge',
    field: 'unreachableHealthEndpoints',
    rank: 1,
    versions: 'all',
    storage: SCALAR,
  },
  {
    name: 'cilium_controllers_failing',
    type: 'gauge',
    field: 'controllersFailing',
    rank: 1,
    versions: 'all',
    storage: SCALAR,
  },
  {
    name: 'cilium_bpf_map_pressure',
    type: 'gauge',
    field: 'bpfMapPressure',
    rank: 1,
    versions: '1.14+',
    storage: { kind: 'byLabel', label: 'map_name', output: RECORD },
  },
  {
    name: 'cilium_ip_addresses',
    type: 'gauge',
    field: 'ipAddresses',
    rank: 1,
    versions: 'all',
    storage: { kind: 'byLabel', label: 'family', output: RECORD },
  },
  {
    name: 'cilium_process_start_time_seconds',
    type: 'gauge',
    field: 'processStartTimeSeconds',
    rank: 1,
    versions: 'all',
    storage: SCALAR,
  },
];

export const OPERATOR_CATALOGUE: ReadonlyArray<FamilyEntry<OperatorField>> = [
  {
    name: 'cilium_operator_unmanaged_pods',
    type: 'gauge',
    field: 'unmanagedPods',
    rank: 1,
    versions: '1.17+',
    storage: SCALAR,
  },
  {
    name: 'cilium_operator_ipam_ips',
    type: 'gauge',
    field: 'ipamIps',
    rank: 3,
    versions: '1.9+ (deprecated 1.14)',
    storage: { kind: 'byLabel', label: 'type', output: RECORD },
  },
  {
    name: 'cilium_operator_eni_ips',
    type: 'gauge',
    field: 'ipamIps',
    rank: 2,
    versions: '≤1.8 (AWS ENI)',
    storage: { kind: 'byLabel', label: 'type', output: RECORD },
  },
  // The per-node replacements of ipam_ips (1.14+), summed over target_node, for operators that dropped ipam_ips.
  {
    name: 'cilium_operator_ipam_available_ips',
    type: 'gauge',
    field: 'ipamIps',
    rank: 1,
    versions: '1.14+',
    storage: { kind: 'byLabel', label: 'target_node', output: { as: 'sumInto', key: 'available' } },
  },
  {
    name: 'cilium_operator_ipam_used_ips',
    type: 'gauge',
    field: 'ipamIps',
    rank: 1,
    versions: '1.14+',
    storage: { kind: 'byLabel', label: 'target_node', output: { as: 'sumInto', key: 'used' } },
  },
  {
    name: 'cilium_operator_ipam_needed_ips',
    type: 'gauge',
    field: 'ipamIps',
    rank: 1,
    versions: '1.14+',
    storage: { kind: 'byLabel', label: 'target_node', output: { as: 'sumInto', key: 'needed' } },
  },
  {
    name: 'cilium_operator_ipam_nodes',
    type: 'gauge',
    field: 'ipamNodes',
    rank: 2,
    versions: '1.9+',
    storage: { kind: 'byLabel', label: 'category', output: RECORD },
  },
  {
    name: 'cilium_operator_eni_nodes',
    type: 'gauge',
    field: 'ipamNodes',
    rank: 1,
    versions: '≤1.8 (AWS ENI)',
    storage: { kind: 'byLabel', label: 'category', output: RECORD },
  },
  {
    name: 'cilium_operator_identity_gc_entries',
    type: 'gauge',
    field: 'identityGcEntries',
    rank: 1,
    versions: '1.11+',
    storage: { kind: 'byLabel', label: 'status', output: RECORD },
  },
  {
    name: 'cilium_operator_identity_gc_runs',
    type: 'gauge',
    field: 'identityGcRuns',
    rank: 1,
    versions: '1.11+',
    storage: { kind: 'byLabel', label: 'outcome', output: RECORD },
  },
  {
    name: 'cilium_operator_process_start_time_seconds',
    type: 'gauge',
    field: 'processStartTimeSeconds',
    rank: 1,
    versions: 'all',
    storage: SCALAR,
  },
];

/** Which part of a family a sample name carries; only histograms have more than one. */
export type SamplePart = 'value' | 'bucket' | 'sum' | 'count';

export interface Route {
  /** Index into the component's catalogue. */
  entry: number;
  part: SamplePart;
}

/** Sample name → where it goes. Counters are listed under their full `_total` sample name. */
export function buildRoutes<F extends string>(catalogue: ReadonlyArray<FamilyEntry<F>>): ReadonlyMap<string, Route> {
  const routes = new Map<string, Route>();
  catalogue.forEach((family, entry) => {
    const add = (name: string, part: SamplePart): void => {
      if (routes.has(name)) {
        throw new Error(`Cilium catalogue lists the sample name ${name} twice`);
      }
      routes.set(name, { entry, part });
    };
    if (family.type === 'histogram') {
      add(`${family.name}_bucket`, 'bucket');
      add(`${family.name}_sum`, 'sum');
      add(`${family.name}_count`, 'count');
    } else {
      add(family.name, 'value');
    }
  });
  return routes;
}

/**
 * Every name under which the parser may ask about a family we need: the family as the text format's `# TYPE`
 * names it, its sample names (for pages without TYPE lines), and for counters the OpenMetrics family name
 * without `_total` (and an old un-suffixed counter's OpenMetrics sample name with it).
 */
function familyNames<F extends string>(catalogue: ReadonlyArray<FamilyEntry<F>>): ReadonlySet<string> {
  const names = new Set<string>();
  for (const family of catalogue) {
    names.add(family.name);
    if (family.type === 'histogram') {
      for (const suffix of ['_bucket', '_sum', '_count']) {
        names.add(family.name + suffix);
      }
    } else if (family.type === 'counter') {
      if (family.name.endsWith('_total')) {
        names.add(family.name.slice(0, -'_total'.length));
      } else {
        names.add(`${family.name}_total`);
      }
    }
  }
  return names;
}

export const AGENT_ROUTES = buildRoutes(AGENT_CATALOGUE);
export const OPERATOR_ROUTES = buildRoutes(OPERATOR_CATALOGUE);

const AGENT_KEEP = familyNames(AGENT_CATALOGUE);
const OPERATOR_KEEP = familyNames(OPERATOR_CATALOGUE);

/** Whether the agent normaliser needs this family (a family name or a bare sample name); for the parser. */
export function keepAgentFamily(name: string): boolean {
  return AGENT_KEEP.has(name);
}

/** Whether the operator normaliser needs this family (a family name or a bare sample name); for the parser. */
export function keepOperatorFamily(name: string): boolean {
  return OPERATOR_KEEP.has(name);
}

export const keepFamily: Readonly<Record<Component, (name: string) => boolean>> = {
  agent: keepAgentFamily,
  operator: keepOperatorFamily,
};
