/**
 * The real pages in test/fixtures/pages, normalised. Every expected number below was read from the raw page text
 * (line numbers given), not from the normaliser's output.
 */
import {
  AgentNormaliser,
  OperatorNormaliser,
  normaliseAgentPage,
  normaliseOperatorPage,
} from '../../../exporter/cilium/normalise';
import { keepAgentFamily, keepOperatorFamily } from '../../../exporter/cilium/catalogue';
import type { AgentSample, OperatorSample } from '../../../exporter/cilium/sample';
import { parseText } from '../../../exporter/scrape/textparse';
import { readPage } from '../../support/fixtures';

const BOUNDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, Infinity];

describe('agent-1.9.10.prom (old names)', () => {
  const expected: AgentSample = {
    ciliumVersion: '1.9.10', // l.1087, value 0
    endpoints: 2, // cilium_endpoint_count l.369
    endpointStates: {
      disconnecting: 0,
      ready: 2,
      regenerating: 0,
      restoring: 0,
      'waiting-for-identity': 0,
      'waiting-to-regenerate': 0,
    }, // l.559-564
    regenerations: { success: 2 }, // cilium_endpoint_regenerations l.556
    regenerationTime: {
      // scope="buildDuration",status="success" l.428-441 (no scope="total" on 1.9)
      upperBounds: BOUNDS,
      cumulativeCounts: [0, 0, 0, 0, 0, 1, 1, 2, 2, 2, 2, 2],
      sum: 0.9776691049999999,
      count: 2,
    },
    forwarded: [
      { direction: 'EGRESS', packets: 1390438, bytes: 188478540 }, // l.579, l.575
      { direction: 'INGRESS', packets: 1455756, bytes: 457802092 }, // l.580, l.576
    ],
    dropped: [
      { direction: 'EGRESS', reason: 'Unsupported L2 protocol', packets: 5, bytes: 570 }, // l.364, l.359
      { direction: 'EGRESS', reason: 'Unsupported L3 protocol', packets: 323, bytes: 22650 }, // l.365, l.360
      { direction: 'INGRESS', reason: 'Stale or unroutable IP', packets: 3, bytes: 502 }, // l.366, l.361
    ],
    policies: 0, // cilium_policy_count l.947
    policyMaxRevision: 0, // l.971
    policyImportErrors: 0, // cilium_policy_import_errors l.956
    enforcement: { both: 0, egress: 0, ingress: 0, none: 2 }, // l.950-953
    identities: 13, // cilium_identity_count l.586
    unreachableNodes: 1, // l.1084
    unreachableHealthEndpoints: 0, // l.1081
    controllersFailing: 0, // l.290
    bpfMapPressure: {}, // not on 1.9
    ipAddresses: { ipv4: 3, ipv6: 0 }, // l.589-590
    processStartTimeSeconds: 1569529048.44, // l.1033
  };

  test('normalises to the values on the page', () => {
    expect(normaliseAgentPage(readPage('agent-1.9.10.prom'))).toEqual(expected);
  });

  test('reads the same from a string body', () => {
    expect(normaliseAgentPage(readPage('agent-1.9.10.prom').toString('utf8'))).toEqual(expected);
  });

  test('names the old families it used', () => {
    const normaliser = new AgentNormaliser();
    parseText(readPage('agent-1.9.10.prom'), normaliser.accept, { keepFamily: keepAgentFamily });
    normaliser.finish();
    expect(normaliser.sources()).toMatchObject({
      ciliumVersion: 'cilium_version',
      endpoints: 'cilium_endpoint_count',
      regenerations: 'cilium_endpoint_regenerations',
      regenerationTime: 'cilium_endpoint_regeneration_time_stats_seconds{scope="buildDuration"}',
      forwarded: 'cilium_forward_count_total + cilium_forward_bytes_total',
      dropped: 'cilium_drop_count_total + cilium_drop_bytes_total',
      policies: 'cilium_policy_count',
      policyImportErrors: 'cilium_policy_import_errors',
      identities: 'cilium_identity_count',
    });
    expect(normaliser.sources()).not.toHaveProperty('bpfMapPressure');
  });

  test('the family filter lets through only what the normaliser reads', () => {
    const names = new Set<string>();
    parseText(readPage('agent-1.9.10.prom'), (name) => names.add(name), {
      keepFamily: keepAgentFamily,
    });
    expect(names.has('cilium_endpoint_count')).toBe(true);
    expect(names.has('cilium_endpoint_regeneration_time_stats_seconds_bucket')).toBe(true);
    expect(names.has('cilium_policy_regeneration_time_stats_seconds_bucket')).toBe(false);
    expect(names.has('cilium_k8s_client_api_calls_counter')).toBe(false);
  });
});

describe('agent-1.11.0.prom (1.10+ names)', () => {
  const expected: AgentSample = {
    ciliumVersion: '1.11.0', // l.1023, value 0
    endpoints: 2, // cilium_endpoint l.344
    endpointStates: { ready: 2, regenerating: 0, 'waiting-for-identity': 0, 'waiting-to-regenerate': 0 }, // l.534-537
    regenerations: { success: 2 }, // cilium_endpoint_regenerations_total l.531
    regenerationTime: {
      // scope="total",status="success" l.487-500: every finite bucket 0, +Inf 2
      upperBounds: BOUNDS,
      cumulativeCounts: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2],
      sum: 32.361329,
      count: 2,
    },
    forwarded: [
      { direction: 'EGRESS', packets: 918, bytes: 150970 }, // l.553, l.549
      { direction: 'INGRESS', packets: 1105, bytes: 195973 }, // l.554, l.550
    ],
    dropped: [], // no cilium_drop_* family on this page
    policies: 0, // cilium_policy l.879
    policyMaxRevision: 0, // l.906
    policyImportErrors: 0, // cilium_policy_import_errors_total l.891
    enforcement: {
      'audit-both': 0,
      'audit-egress': 0,
      'audit-ingress': 0,
      both: 0,
      egress: 0,
      ingress: 0,
      none: 2,
    }, // l.882-888
    identities: 7, // cilium_identity l.560
    unreachableNodes: 0, // l.1020
    unreachableHealthEndpoints: 0, // l.1017
    controllersFailing: 0, // l.260
    bpfMapPressure: {},
    ipAddresses: { ipv4: 2, ipv6: 0 }, // l.563-564
    processStartTimeSeconds: 1640119920.31, // l.968
  };

  test('normalises to the values on the page', () => {
    expect(normaliseAgentPage(readPage('agent-1.11.0.prom'))).toEqual(expected);
  });

  test('names the 1.10+ families it used', () => {
    const normaliser = new AgentNormaliser();
    parseText(readPage('agent-1.11.0.prom'), normaliser.accept, { keepFamily: keepAgentFamily });
    normaliser.finish();
    expect(normaliser.sources()).toMatchObject({
      endpoints: 'cilium_endpoint',
      regenerations: 'cilium_endpoint_regenerations_total',
      regenerationTime: 'cilium_endpoint_regeneration_time_stats_seconds{scope="total"}',
      policies: 'cilium_policy',
      policyImportErrors: 'cilium_policy_import_errors_total',
      identities: 'cilium_identity',
    });
    expect(normaliser.sources()).not.toHaveProperty('dropped');
  });
});

describe('operator-stacked.prom (concatenated dumps)', () => {
  const expected: OperatorSample = {
    unmanagedPods: null, // not on any dump (1.17+)
    // cilium_operator_ipam_ips appears twice (l.736-738, l.1074-1076): the last wins, and it is preferred over
    // cilium_operator_eni_ips (l.265-267: 17 / 0 / 6) which the page also carries.
    ipamIps: { available: 24, needed: 0, used: 26 },
    // cilium_operator_ipam_nodes l.779-781 then l.1117-1119 (total 2, then 3); eni_nodes l.308-310 ignored.
    ipamNodes: { 'at-capacity': 0, 'in-deficit': 0, total: 3 },
    identityGcEntries: { alive: 1, deleted: 0 }, // l.600-601
    identityGcRuns: { success: 291 }, // l.604
    processStartTimeSeconds: 1632397815, // l.328 1.573700277e+09, then l.1189 1.632397815e+09
  };

  test('normalises to the last value of each repeated series', () => {
    expect(normaliseOperatorPage(readPage('operator-stacked.prom'))).toEqual(expected);
  });

  test('uses the IPAM families, not the ENI ones', () => {
    const normaliser = new OperatorNormaliser();
    parseText(readPage('operator-stacked.prom'), normaliser.accept, {
      keepFamily: keepOperatorFamily,
    });
    normaliser.finish();
    expect(normaliser.sources()).toEqual({
      ipamIps: 'cilium_operator_ipam_ips',
      ipamNodes: 'cilium_operator_ipam_nodes',
      identityGcEntries: 'cilium_operator_identity_gc_entries',
      identityGcRuns: 'cilium_operator_identity_gc_runs',
      processStartTimeSeconds: 'cilium_operator_process_start_time_seconds',
    });
  });

  test('an agent page read as an operator page gives an empty operator sample', () => {
    expect(normaliseOperatorPage(readPage('agent-1.11.0.prom'))).toEqual({
      unmanagedPods: null,
      ipamIps: {},
      ipamNodes: {},
      identityGcEntries: {},
      identityGcRuns: {},
      processStartTimeSeconds: null,
    });
  });
});
