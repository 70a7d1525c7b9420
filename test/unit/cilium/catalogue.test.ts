import {
  AGENT_CATALOGUE,
  AGENT_ROUTES,
  OPERATOR_CATALOGUE,
  OPERATOR_ROUTES,
  buildRoutes,
  keepAgentFamily,
  keepFamily,
  keepOperatorFamily,
} from '../../../exporter/cilium/catalogue';
import { normaliseAgentPage, normaliseOperatorPage } from '../../../exporter/cilium/normalise';
import { readPage, readReference } from '../../support/fixtures';

describe('keepFamily', () => {
  test('accepts text-format family names', () => {
    for (const name of [
      'cilium_version',
      'cilium_endpoint',
      'cilium_endpoint_count',
      'cilium_drop_count_total',
      'cilium_policy_change_total',
      'cilium_endpoint_regeneration_time_stats_seconds',
      'cilium_bpf_map_pressure',
    ]) {
      expect(keepAgentFamily(name)).toBe(true);
    }
    expect(keepOperatorFamily('cilium_operator_ipam_ips')).toBe(true);
    expect(keepOperatorFamily('cilium_operator_eni_nodes')).toBe(true);
  });

  test('accepts bare sample names of pages without TYPE lines', () => {
    expect(keepAgentFamily('cilium_endpoint_regeneration_time_stats_seconds_bucket')).toBe(true);
    expect(keepAgentFamily('cilium_endpoint_regeneration_time_stats_seconds_sum')).toBe(true);
    expect(keepAgentFamily('cilium_endpoint_regeneration_time_stats_seconds_count')).toBe(true);
  });

  test('accepts OpenMetrics counter families (without _total) and old counters with _total added', () => {
    expect(keepAgentFamily('cilium_drop_count')).toBe(true);
    expect(keepAgentFamily('cilium_forward_bytes')).toBe(true);
    expect(keepAgentFamily('cilium_policy_change')).toBe(true);
    expect(keepAgentFamily('cilium_policy_import_errors_total')).toBe(true);
  });

  test('rejects what the normaliser does not read', () => {
    for (const name of [
      'cilium_policy_l7_total',
      'cilium_policy_regeneration_time_stats_seconds',
      'cilium_endpoint_regeneration_time_stats_seconds_created',
      'cilium_k8s_client_api_latency_time_seconds_bucket',
      'cilium_operator_ipam_ips',
      'go_goroutines',
      '',
    ]) {
      expect(keepAgentFamily(name)).toBe(false);
    }
    expect(keepOperatorFamily('cilium_endpoint')).toBe(false);
    expect(keepFamily.agent).toBe(keepAgentFamily);
    expect(keepFamily.operator).toBe(keepOperatorFamily);
  });
});

describe('routes', () => {
  test('histograms route their three sample names, other families their own name', () => {
    expect(AGENT_ROUTES.get('cilium_endpoint_regeneration_time_stats_seconds_bucket')?.part).toBe('bucket');
    expect(AGENT_ROUTES.get('cilium_endpoint_regeneration_time_stats_seconds_sum')?.part).toBe('sum');
    expect(AGENT_ROUTES.get('cilium_endpoint_regeneration_time_stats_seconds')).toBeUndefined();
    expect(AGENT_ROUTES.get('cilium_drop_count_total')?.part).toBe('value');
    expect(OPERATOR_ROUTES.size).toBe(OPERATOR_CATALOGUE.length);
  });

  test('a catalogue naming a sample twice is refused', () => {
    const twice = [AGENT_CATALOGUE[1], AGENT_CATALOGUE[1]];
    expect(() => buildRoutes(twice)).toThrow(/twice/);
  });

  test('each field with several families ranks them distinctly, except parts merged on purpose', () => {
    const merged = new Set(['forwarded', 'dropped', 'ipamIps']);
    for (const catalogue of [AGENT_CATALOGUE, OPERATOR_CATALOGUE] as const) {
      const seen = new Map<string, Set<number>>();
      for (const family of catalogue) {
        const ranks = seen.get(family.field) ?? new Set<number>();
        if (!merged.has(family.field)) {
          expect(ranks.has(family.rank)).toBe(false);
        }
        ranks.add(family.rank);
        seen.set(family.field, ranks);
      }
    }
  });

  test('every field of the samples has at least one family', () => {
    const agentFields = new Set(AGENT_CATALOGUE.map((f) => f.field as string));
    expect([...agentFields].sort()).toEqual(Object.keys(normaliseAgentPage('')).sort());
    const operatorFields = new Set(OPERATOR_CATALOGUE.map((f) => f.field as string));
    expect([...operatorFields].sort()).toEqual(Object.keys(normaliseOperatorPage('')).sort());
  });
});

describe('catalogue names against the reference', () => {
  // Compound rows of the reference ("cilium_process_* (…, start_time_seconds)") do not spell every name out, so
  // a name counts as known when the reference or a real page spells it.
  const known = [
    readReference('agent_metrics.tsv'),
    readReference('operator_metrics.tsv'),
    readPage('agent-1.9.10.prom').toString('utf8'),
    readPage('agent-1.11.0.prom').toString('utf8'),
    readPage('operator-stacked.prom').toString('utf8'),
  ].join('\n');
  const spelled = (name: string) => new RegExp(`(^|[^a-z_])${name}([^a-z_]|$)`, 'm').test(known);

  test.each([...AGENT_CATALOGUE, ...OPERATOR_CATALOGUE].map((f) => f.name))('%s is a real Cilium name', (name) => {
    expect(spelled(name)).toBe(true);
  });
});
