/** Missing families, non-finite values, repeated series and format variants. */
import { AgentNormaliser, normaliseAgentPage, normaliseOperatorPage } from '../../../exporter/cilium/normalise';
import type { AgentSample } from '../../../exporter/cilium/sample';
import { ParseError } from '../../../exporter/scrape/textparse';

const EMPTY_AGENT: AgentSample = {
  ciliumVersion: null,
  endpoints: null,
  endpointStates: {},
  regenerations: {},
  regenerationTime: null,
  forwarded: [],
  dropped: [],
  policies: null,
  policyMaxRevision: null,
  policyImportErrors: null,
  enforcement: {},
  identities: null,
  unreachableNodes: null,
  unreachableHealthEndpoints: null,
  controllersFailing: null,
  bpfMapPressure: {},
  ipAddresses: {},
  processStartTimeSeconds: null,
};

describe('missing families', () => {
  test('an empty page gives nulls and empty collections', () => {
    expect(normaliseAgentPage('')).toEqual(EMPTY_AGENT);
    expect(normaliseOperatorPage(Buffer.alloc(0))).toEqual({
      unmanagedPods: null,
      ipamIps: {},
      ipamNodes: {},
      identityGcEntries: {},
      identityGcRuns: {},
      processStartTimeSeconds: null,
    });
  });

  test('a page of unrelated families gives the same', () => {
    const page = '# TYPE go_goroutines gauge\ngo_goroutines 12\ncilium_policy_l7_total{rule="received"} 3\n';
    expect(normaliseAgentPage(page)).toEqual(EMPTY_AGENT);
  });

  test('a family declared without samples counts as absent', () => {
    const page = '# TYPE cilium_endpoint gauge\n# TYPE cilium_endpoint_count gauge\ncilium_endpoint_count 4\n';
    expect(normaliseAgentPage(page).endpoints).toBe(4);
  });

  test('drop packets without a byte family give bytes null', () => {
    const page = 'cilium_drop_count_total{direction="INGRESS",reason="Policy denied"} 8\n';
    expect(normaliseAgentPage(page).dropped).toEqual([
      { direction: 'INGRESS', reason: 'Policy denied', packets: 8, bytes: null },
    ]);
  });

  test('a series missing from the byte family gets bytes null; bytes without packets are left out', () => {
    const page = `cilium_drop_count_total{direction="INGRESS",reason="Policy denied"} 8
cilium_drop_count_total{direction="EGRESS",reason="Policy denied"} 1
cilium_drop_bytes_total{direction="INGRESS",reason="Policy denied"} 640
cilium_drop_bytes_total{direction="INGRESS",reason="Invalid packet"} 90
cilium_forward_count_total{direction="INGRESS"} 10
`;
    const sample = normaliseAgentPage(page);
    expect(sample.dropped).toEqual([
      { direction: 'EGRESS', reason: 'Policy denied', packets: 1, bytes: null },
      { direction: 'INGRESS', reason: 'Policy denied', packets: 8, bytes: 640 },
    ]);
    expect(sample.forwarded).toEqual([{ direction: 'INGRESS', packets: 10, bytes: null }]);
  });

  test('samples missing the label a field is keyed on are ignored', () => {
    const page = `cilium_drop_count_total{direction="INGRESS"} 8
cilium_forward_count_total 3
cilium_endpoint_state 4
`;
    const sample = normaliseAgentPage(page);
    expect(sample.dropped).toEqual([]);
    expect(sample.forwarded).toEqual([]);
    expect(sample.endpointStates).toEqual({});
  });
});

describe('label values are kept exactly as the agent writes them', () => {
  test('states, directions and reasons are not case-folded or renamed', () => {
    const page = `cilium_endpoint_state{endpoint_state="creating"} 1
cilium_endpoint_state{endpoint_state="Ready"} 2
cilium_drop_count_total{direction="UNKNOWN",reason="206, 0"} 5
cilium_drop_count_total{direction="ingress",reason="Policy denied"} 1
cilium_drop_count_total{direction="INGRESS",reason="Policy \\"denied\\" \\\\ x"} 1
`;
    const sample = normaliseAgentPage(page);
    expect(sample.endpointStates).toEqual({ creating: 1, Ready: 2 });
    expect(sample.dropped.map((d) => [d.direction, d.reason])).toEqual([
      ['INGRESS', 'Policy "denied" \\ x'],
      ['UNKNOWN', '206, 0'],
      ['ingress', 'Policy denied'],
    ]);
  });
});

describe('non-finite values', () => {
  test('NaN counters are absent', () => {
    const page = `cilium_drop_count_total{direction="INGRESS",reason="Policy denied"} NaN
cilium_drop_count_total{direction="EGRESS",reason="Policy denied"} 4
cilium_drop_bytes_total{direction="EGRESS",reason="Policy denied"} NaN
cilium_endpoint_regenerations_total{outcome="success"} NaN
cilium_policy_import_errors_total NaN
cilium_forward_count_total{direction="EGRESS"} NaN
`;
    const sample = normaliseAgentPage(page);
    expect(sample.dropped).toEqual([{ direction: 'EGRESS', reason: 'Policy denied', packets: 4, bytes: null }]);
    expect(sample.regenerations).toEqual({});
    expect(sample.policyImportErrors).toBeNull();
    expect(sample.forwarded).toEqual([]);
  });

  test('a NaN counter of the new name lets the old name through', () => {
    const page =
      'cilium_endpoint_regenerations_total{outcome="success"} NaN\ncilium_endpoint_regenerations{outcome="success"} 6\n';
    expect(normaliseAgentPage(page).regenerations).toEqual({ success: 6 });
  });

  test('a NaN repeat does not erase an earlier value', () => {
    const page = 'cilium_policy_import_errors_total 2\ncilium_policy_import_errors_total NaN\n';
    expect(normaliseAgentPage(page).policyImportErrors).toBe(2);
  });

  test('gauges that are not finite are dropped', () => {
    const page = `cilium_endpoint +Inf
cilium_unreachable_nodes -Inf
cilium_controllers_failing NaN
cilium_bpf_map_pressure{map_name="cilium_ct4_global"} NaN
cilium_bpf_map_pressure{map_name="cilium_snat_v4_external"} 0.5
cilium_identity{type="global"} +Inf
cilium_identity{type="reserved"} 9
`;
    const sample = normaliseAgentPage(page);
    expect(sample.endpoints).toBeNull();
    expect(sample.unreachableNodes).toBeNull();
    expect(sample.controllersFailing).toBeNull();
    expect(sample.bpfMapPressure).toEqual({ cilium_snat_v4_external: 0.5 });
    expect(sample.identities).toBe(9);
  });

  test('cilium_version gives the version whatever its value', () => {
    expect(normaliseAgentPage('cilium_version{version="1.9.10"} 0\n').ciliumVersion).toBe('1.9.10');
    expect(normaliseAgentPage('cilium_version{version="1.16.0"} NaN\n').ciliumVersion).toBe('1.16.0');
    expect(normaliseAgentPage('cilium_version{version=""} 1\n').ciliumVersion).toBeNull();
    expect(normaliseAgentPage('cilium_version 1\n').ciliumVersion).toBeNull();
  });
});

describe('repeated series', () => {
  test('the last occurrence wins for plain values, records and traffic', () => {
    const page = `cilium_endpoint 3
cilium_endpoint_state{endpoint_state="ready"} 3
cilium_drop_count_total{direction="INGRESS",reason="Policy denied"} 10
cilium_forward_count_total{direction="INGRESS"} 100
cilium_identity{type="global"} 4
cilium_endpoint 5
cilium_endpoint_state{endpoint_state="ready"} 5
cilium_drop_count_total{direction="INGRESS",reason="Policy denied"} 12
cilium_forward_count_total{direction="INGRESS"} 120
cilium_identity{type="global"} 6
`;
    const sample = normaliseAgentPage(page);
    expect(sample.endpoints).toBe(5);
    expect(sample.endpointStates).toEqual({ ready: 5 });
    expect(sample.dropped).toEqual([{ direction: 'INGRESS', reason: 'Policy denied', packets: 12, bytes: null }]);
    expect(sample.forwarded).toEqual([{ direction: 'INGRESS', packets: 120, bytes: null }]);
    expect(sample.identities).toBe(6); // replaced, not added
  });

  test('a repeated histogram replaces its buckets instead of adding to them', () => {
    const name = 'cilium_endpoint_regeneration_time_stats_seconds';
    const dump = (n: number, sum: number) =>
      `${name}_bucket{scope="total",status="success",le="1"} ${n}\n` +
      `${name}_bucket{scope="total",status="success",le="+Inf"} ${n}\n` +
      `${name}_sum{scope="total",status="success"} ${sum}\n` +
      `${name}_count{scope="total",status="success"} ${n}\n`;
    const page = `# TYPE ${name} histogram\n${dump(2, 0.5)}# TYPE ${name} histogram\n${dump(3, 0.75)}`;
    expect(normaliseAgentPage(page).regenerationTime).toEqual({
      upperBounds: [1, Infinity],
      cumulativeCounts: [3, 3],
      sum: 0.75,
      count: 3,
    });
  });
});

describe('page formats', () => {
  test('a page without TYPE lines is read through its bare sample names', () => {
    const page = `cilium_endpoint_count 2
cilium_endpoint_regenerations{outcome="success"} 2
cilium_endpoint_regeneration_time_stats_seconds_bucket{scope="buildDuration",status="success",le="1"} 1
cilium_endpoint_regeneration_time_stats_seconds_bucket{scope="buildDuration",status="success",le="+Inf"} 2
cilium_endpoint_regeneration_time_stats_seconds_sum{scope="buildDuration",status="success"} 1.5
cilium_endpoint_regeneration_time_stats_seconds_count{scope="buildDuration",status="success"} 2
cilium_policy_import_errors 1
`;
    const sample = normaliseAgentPage(page);
    expect(sample.endpoints).toBe(2);
    expect(sample.regenerations).toEqual({ success: 2 });
    expect(sample.regenerationTime).toEqual({
      upperBounds: [1, Infinity],
      cumulativeCounts: [1, 2],
      sum: 1.5,
      count: 2,
    });
    expect(sample.policyImportErrors).toBe(1);
  });

  test('OpenMetrics: counter families without _total, samples with it', () => {
    const page = `# TYPE cilium_drop_count counter
cilium_drop_count_total{direction="INGRESS",reason="Policy denied"} 7
cilium_drop_count_created{direction="INGRESS",reason="Policy denied"} 1.7e9
# TYPE cilium_policy_change counter
cilium_policy_change_total{outcome="failure"} 1
# TYPE cilium_endpoint gauge
cilium_endpoint 4
# EOF
`;
    const sample = normaliseAgentPage(page, { format: 'openmetrics' });
    expect(sample.dropped).toEqual([{ direction: 'INGRESS', reason: 'Policy denied', packets: 7, bytes: null }]);
    expect(sample.policyImportErrors).toBe(1);
    expect(sample.endpoints).toBe(4);
  });

  test('a malformed page fails with the parser error, not a crash', () => {
    expect(() => normaliseAgentPage('cilium_endpoint{endpoint_state="ready" 3\n')).toThrow(ParseError);
  });
});

describe('the normaliser object', () => {
  test('accept is bound and ignores names it does not route', () => {
    const normaliser = new AgentNormaliser();
    const { accept } = normaliser;
    accept('cilium_endpoint', {}, 9);
    accept('cilium_endpoint_regeneration_time_stats_seconds_created', { scope: 'total' }, 1);
    accept('unrelated', {}, 1);
    expect(normaliser.finish().endpoints).toBe(9);
    expect(normaliser.sources()).toEqual({ endpoints: 'cilium_endpoint' });
  });
});
