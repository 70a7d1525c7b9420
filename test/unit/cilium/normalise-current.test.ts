/** Pages with the current (1.14+ / 1.18) names, written by hand; expected values worked out in the comments. */
import { AgentNormaliser, normaliseAgentPage, normaliseOperatorPage } from '../../../exporter/cilium/normalise';
import { keepAgentFamily } from '../../../exporter/cilium/catalogue';
import { parseText } from '../../../exporter/scrape/textparse';

const LE = ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '+Inf'];

function histogramLines(name: string, labels: string, counts: number[], sum: number, count: number): string {
  const buckets = LE.map((le, i) => `${name}_bucket{${labels},le="${le}"} ${counts[i]}`);
  return [...buckets, `${name}_sum{${labels}} ${sum}`, `${name}_count{${labels}} ${count}`].join('\n');
}

const REGEN = 'cilium_endpoint_regeneration_time_stats_seconds';

const AGENT_1_18 = `# HELP cilium_version Cilium version
# TYPE cilium_version gauge
cilium_version{arch="amd64",revision="4a8c3d1e",version="1.18.2"} 1
# TYPE cilium_endpoint gauge
cilium_endpoint 12
# TYPE cilium_endpoint_state gauge
cilium_endpoint_state{endpoint_state="ready"} 10
cilium_endpoint_state{endpoint_state="regenerating"} 1
cilium_endpoint_state{endpoint_state="waiting-for-identity"} 1
# TYPE cilium_endpoint_regenerations_total counter
cilium_endpoint_regenerations_total{outcome="failure"} 3
cilium_endpoint_regenerations_total{outcome="success"} 340
# TYPE ${REGEN} histogram
${histogramLines(REGEN, 'scope="bpfCompilation",status="success"', [9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9], 1, 9)}
${histogramLines(REGEN, 'scope="total",status="failure"', [0, 0, 0, 0, 0, 1, 1, 2, 3, 3, 3, 3], 4.25, 3)}
${histogramLines(REGEN, 'scope="total",status="success"', [0, 4, 20, 100, 250, 320, 335, 338, 340, 340, 340, 340], 55.5, 340)}
# TYPE cilium_forward_count_total counter
cilium_forward_count_total{direction="EGRESS"} 5000
cilium_forward_count_total{direction="INGRESS"} 7000
# TYPE cilium_forward_bytes_total counter
cilium_forward_bytes_total{direction="EGRESS"} 640000
cilium_forward_bytes_total{direction="INGRESS"} 910000
# TYPE cilium_drop_count_total counter
cilium_drop_count_total{direction="INGRESS",reason="Policy denied"} 17
cilium_drop_count_total{direction="EGRESS",reason="Policy denied"} 2
cilium_drop_count_total{direction="SERVICE",reason="Service backend not found"} 4
cilium_drop_count_total{direction="INGRESS",reason="CT: Map insertion failed"} 1
# TYPE cilium_drop_bytes_total counter
cilium_drop_bytes_total{direction="INGRESS",reason="Policy denied"} 1020
cilium_drop_bytes_total{direction="EGRESS",reason="Policy denied"} 148
cilium_drop_bytes_total{direction="SERVICE",reason="Service backend not found"} 296
cilium_drop_bytes_total{direction="INGRESS",reason="CT: Map insertion failed"} 60
# TYPE cilium_policy gauge
cilium_policy 7
# TYPE cilium_policy_max_revision gauge
cilium_policy_max_revision 42
# TYPE cilium_policy_change_total counter
cilium_policy_change_total{outcome="failure"} 2
cilium_policy_change_total{outcome="success"} 40
# TYPE cilium_policy_endpoint_enforcement_status gauge
cilium_policy_endpoint_enforcement_status{enforcement="both"} 3
cilium_policy_endpoint_enforcement_status{enforcement="none"} 9
# TYPE cilium_identity gauge
cilium_identity{type="cluster_local"} 30
cilium_identity{type="node_local"} 4
cilium_identity{type="reserved"} 9
# TYPE cilium_unreachable_nodes gauge
cilium_unreachable_nodes 0
# TYPE cilium_unreachable_health_endpoints gauge
cilium_unreachable_health_endpoints 1
# TYPE cilium_controllers_failing gauge
cilium_controllers_failing 2
# TYPE cilium_bpf_map_pressure gauge
cilium_bpf_map_pressure{map_name="cilium_ct4_global"} 0.12
cilium_bpf_map_pressure{map_name="cilium_policy_v2"} 0.31
# TYPE cilium_ip_addresses gauge
cilium_ip_addresses{family="ipv4"} 11
cilium_ip_addresses{family="ipv6"} 11
# TYPE cilium_process_start_time_seconds gauge
cilium_process_start_time_seconds 1.7e+09
# TYPE cilium_policy_l7_total counter
cilium_policy_l7_total{proxy_type="fqdn",rule="received"} 99
`;

describe('an agent page with 1.18 names', () => {
  test('normalises every field', () => {
    expect(normaliseAgentPage(AGENT_1_18)).toEqual({
      ciliumVersion: '1.18.2',
      endpoints: 12,
      endpointStates: { ready: 10, regenerating: 1, 'waiting-for-identity': 1 },
      regenerations: { failure: 3, success: 340 },
      // scope="total", status failure + success, bucket by bucket; scope bpfCompilation is left out.
      regenerationTime: {
        upperBounds: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, Infinity],
        cumulativeCounts: [0, 4, 20, 100, 250, 321, 336, 340, 343, 343, 343, 343],
        sum: 59.75,
        count: 343,
      },
      forwarded: [
        { direction: 'EGRESS', packets: 5000, bytes: 640000 },
        { direction: 'INGRESS', packets: 7000, bytes: 910000 },
      ],
      // Sorted by direction, then reason; label values exactly as written.
      dropped: [
        { direction: 'EGRESS', reason: 'Policy denied', packets: 2, bytes: 148 },
        { direction: 'INGRESS', reason: 'CT: Map insertion failed', packets: 1, bytes: 60 },
        { direction: 'INGRESS', reason: 'Policy denied', packets: 17, bytes: 1020 },
        { direction: 'SERVICE', reason: 'Service backend not found', packets: 4, bytes: 296 },
      ],
      policies: 7,
      policyMaxRevision: 42,
      policyImportErrors: 2, // policy_change_total{outcome="failure"}
      enforcement: { both: 3, none: 9 },
      identities: 43, // 30 + 4 + 9 over `type`
      unreachableNodes: 0,
      unreachableHealthEndpoints: 1,
      controllersFailing: 2,
      bpfMapPressure: { cilium_ct4_global: 0.12, cilium_policy_v2: 0.31 },
      ipAddresses: { ipv4: 11, ipv6: 11 },
      processStartTimeSeconds: 1.7e9,
    });
  });

  test('reports the 1.14+ policy family as the source of import errors', () => {
    const normaliser = new AgentNormaliser();
    parseText(AGENT_1_18, normaliser.accept, { keepFamily: keepAgentFamily });
    normaliser.finish();
    expect(normaliser.sources().policyImportErrors).toBe('cilium_policy_change_total');
    expect(normaliser.sources().bpfMapPressure).toBe('cilium_bpf_map_pressure');
  });
});

describe('policy import errors across the 1.14 transition', () => {
  test('1.14 exposes both families: policy_change_total{outcome="failure"} wins', () => {
    const page = `# TYPE cilium_policy_import_errors_total counter
cilium_policy_import_errors_total 5
# TYPE cilium_policy_change_total counter
cilium_policy_change_total{outcome="success"} 12
cilium_policy_change_total{outcome="failure"} 3
`;
    expect(normaliseAgentPage(page).policyImportErrors).toBe(3);
  });

  test('the order on the page does not matter', () => {
    const page = `cilium_policy_change_total{outcome="failure"} 3
cilium_policy_import_errors_total 5
`;
    expect(normaliseAgentPage(page).policyImportErrors).toBe(3);
  });

  test('policy_change_total without a failure series yet means no failures, not the old family', () => {
    const page = `cilium_policy_import_errors_total 5
cilium_policy_change_total{outcome="success"} 12
`;
    expect(normaliseAgentPage(page).policyImportErrors).toBe(0);
  });

  test('older agents fall back to import_errors_total, then import_errors', () => {
    expect(
      normaliseAgentPage('cilium_policy_import_errors_total 4\ncilium_policy_import_errors 9\n').policyImportErrors
    ).toBe(4);
    expect(normaliseAgentPage('cilium_policy_import_errors 9\n').policyImportErrors).toBe(9);
    expect(normaliseAgentPage('cilium_policy 1\n').policyImportErrors).toBeNull();
  });
});

describe('identities', () => {
  test('cilium_identity without a type label (1.10–1.13) is read as is', () => {
    expect(normaliseAgentPage('# TYPE cilium_identity gauge\ncilium_identity 7\n').identities).toBe(7);
  });

  test('the 1.10+ name wins over the old one', () => {
    expect(normaliseAgentPage('cilium_identity_count 13\ncilium_identity{type="global"} 5\n').identities).toBe(5);
  });
});

describe('regeneration time scope', () => {
  test('"total" wins over "buildDuration" when both are present', () => {
    const page = [
      histogramLines(REGEN, 'scope="buildDuration",status="success"', [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], 0.004, 1),
      histogramLines(REGEN, 'scope="total",status="success"', [0, 0, 0, 0, 0, 0, 0, 1, 2, 2, 2, 2], 3.5, 2),
    ].join('\n');
    const sample = normaliseAgentPage(page);
    expect(sample.regenerationTime?.count).toBe(2);
    expect(sample.regenerationTime?.sum).toBe(3.5);
    expect(sample.regenerationTime?.cumulativeCounts).toEqual([0, 0, 0, 0, 0, 0, 0, 1, 2, 2, 2, 2]);
  });

  test('other scopes alone give no regeneration time', () => {
    const page = histogramLines(
      REGEN,
      'scope="mapSync",status="success"',
      [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
      0.001,
      1
    );
    expect(normaliseAgentPage(page).regenerationTime).toBeNull();
  });
});

describe('operator pages', () => {
  test('1.17+: unmanaged pods, IPAM by type, identity GC', () => {
    const page = `# TYPE cilium_operator_unmanaged_pods gauge
cilium_operator_unmanaged_pods 2
# TYPE cilium_operator_ipam_ips gauge
cilium_operator_ipam_ips{type="available"} 120
cilium_operator_ipam_ips{type="used"} 80
cilium_operator_ipam_ips{type="needed"} 4
# TYPE cilium_operator_ipam_available_ips gauge
cilium_operator_ipam_available_ips{target_node="a"} 1
# TYPE cilium_operator_ipam_nodes gauge
cilium_operator_ipam_nodes{category="total"} 5
cilium_operator_ipam_nodes{category="in-deficit"} 1
cilium_operator_ipam_nodes{category="at-capacity"} 0
# TYPE cilium_operator_identity_gc_entries gauge
cilium_operator_identity_gc_entries{status="alive"} 60
cilium_operator_identity_gc_entries{status="deleted"} 3
# TYPE cilium_operator_identity_gc_runs gauge
cilium_operator_identity_gc_runs{outcome="success"} 10
cilium_operator_identity_gc_runs{outcome="failure"} 1
# TYPE cilium_operator_process_start_time_seconds gauge
cilium_operator_process_start_time_seconds 1.75e+09
`;
    expect(normaliseOperatorPage(page)).toEqual({
      unmanagedPods: 2,
      ipamIps: { available: 120, used: 80, needed: 4 }, // ipam_ips wins over the per-node family
      ipamNodes: { total: 5, 'in-deficit': 1, 'at-capacity': 0 },
      identityGcEntries: { alive: 60, deleted: 3 },
      identityGcRuns: { success: 10, failure: 1 },
      processStartTimeSeconds: 1.75e9,
    });
  });

  test('without ipam_ips, the per-node families are summed over target_node', () => {
    const page = `cilium_operator_ipam_available_ips{target_node="a"} 10
cilium_operator_ipam_available_ips{target_node="b"} 7
cilium_operator_ipam_used_ips{target_node="a"} 5
cilium_operator_ipam_used_ips{target_node="b"} 6
cilium_operator_ipam_needed_ips{target_node="a"} 0
cilium_operator_ipam_needed_ips{target_node="b"} 2
`;
    expect(normaliseOperatorPage(page).ipamIps).toEqual({ available: 17, used: 11, needed: 2 });
  });

  test('an ENI-era operator (≤1.8) is read from the eni families', () => {
    const page = `cilium_operator_eni_ips{type="available"} 17
cilium_operator_eni_ips{type="used"} 6
cilium_operator_eni_nodes{category="total"} 2
`;
    const sample = normaliseOperatorPage(page);
    expect(sample.ipamIps).toEqual({ available: 17, used: 6 });
    expect(sample.ipamNodes).toEqual({ total: 2 });
  });
});
