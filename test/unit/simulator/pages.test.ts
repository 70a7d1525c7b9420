import { SimulatedCluster } from '../../../simulator/cluster';
import { KNOWN_DROP_REASONS } from '../../../simulator/drop-reasons';
import { AgentPageRenderer } from '../../../simulator/render/agent-page';
import { operatorUnmanagedPods, renderOperatorPage } from '../../../simulator/render/operator-page';
import { clusterTruth } from '../../../simulator/truth';
import { readPage, readReference } from '../../support/fixtures';
import { agentSampleFromPage, operatorSampleFromPage, parsePage, type ParsedFamily } from './page-parser';

const thirdPartyParse = require('parse-prometheus-text-format') as (text: string) => unknown[];

function build(
  version: string,
  pageKB = 60,
  nodes = 4,
  seed = 17
): { cluster: SimulatedCluster; renderer: AgentPageRenderer } {
  const cluster = new SimulatedCluster({ nodes, seed, ciliumVersion: version });
  return { cluster, renderer: new AgentPageRenderer(cluster, pageKB) };
}

function pageText(renderer: AgentPageRenderer, cluster: SimulatedCluster, node: string): string {
  const page = renderer.render(cluster.requireNode(node));
  const body = Buffer.concat(page.chunks);
  expect(body.length).toBe(page.length);
  return body.toString('utf8');
}

const VERSIONS = ['1.9', '1.11', '1.14', '1.16', '1.18'];

/** Names each version must show, and names of other versions it must not. */
const NAMES: Record<string, { has: string[]; hasNot: string[] }> = {
  '1.9': {
    has: [
      'cilium_endpoint_count',
      'cilium_policy_count',
      'cilium_policy_import_errors',
      'cilium_endpoint_regenerations',
      'cilium_identity_count',
      'cilium_k8s_client_api_calls_counter',
    ],
    hasNot: [
      'cilium_endpoint',
      'cilium_policy',
      'cilium_policy_import_errors_total',
      'cilium_endpoint_regenerations_total',
      'cilium_identity',
      'cilium_policy_change_total',
      'cilium_bpf_map_pressure',
    ],
  },
  '1.11': {
    has: [
      'cilium_endpoint',
      'cilium_policy',
      'cilium_policy_import_errors_total',
      'cilium_endpoint_regenerations_total',
      'cilium_identity',
      'cilium_k8s_client_api_calls_total',
    ],
    hasNot: [
      'cilium_endpoint_count',
      'cilium_policy_count',
      'cilium_policy_import_errors',
      'cilium_policy_change_total',
      'cilium_bpf_map_pressure',
    ],
  },
  '1.14': {
    has: [
      'cilium_endpoint',
      'cilium_policy_change_total',
      'cilium_policy_import_errors_total',
      'cilium_bpf_map_pressure',
      'cilium_triggers_policy_update_total',
    ],
    hasNot: ['cilium_endpoint_count', 'cilium_policy_import_errors', 'cilium_operator_unmanaged_pods'],
  },
  '1.16': {
    has: [
      'cilium_policy_change_total',
      'cilium_bpf_map_pressure',
      'cilium_policy_regeneration_time_stats_seconds',
      'cilium_k8s_workqueue_depth',
    ],
    hasNot: [
      'cilium_policy_import_errors_total',
      'cilium_policy_import_errors',
      'cilium_endpoint_count',
      'cilium_identity_cache_timer_duration',
    ],
  },
  '1.18': {
    has: [
      'cilium_policy_change_total',
      'cilium_bpf_map_pressure',
      'cilium_identity_cache_timer_duration',
      'cilium_hive_jobs_timer_run_seconds',
    ],
    hasNot: [
      'cilium_policy_import_errors_total',
      'cilium_policy_regeneration_time_stats_seconds',
      'cilium_triggers_policy_update_total',
      'cilium_endpoint_count',
      'cilium_policy_count',
    ],
  },
};

describe('agent pages', () => {
  test.each(VERSIONS)('Cilium %s: valid text format whose values are exactly the ground truth', (version) => {
    const { cluster, renderer } = build(version);
    cluster.tick(15);
    cluster.restartAgent('node-003');
    const truth = clusterTruth(cluster, () => 'none', 'none');
    for (const node of cluster.nodeNames()) {
      const text = pageText(renderer, cluster, node);
      const families = parsePage(text);
      expect(agentSampleFromPage(families)).toEqual(truth.nodes[node].agent);
    }
    // An independent parser accepts the page too.
    expect(thirdPartyParse(pageText(renderer, cluster, 'node-000')).length).toBeGreaterThan(40);
  });

  test.each(VERSIONS)("Cilium %s: the page uses that version's names and not the others'", (version) => {
    const { cluster, renderer } = build(version);
    const families = parsePage(pageText(renderer, cluster, 'node-001'));
    for (const name of NAMES[version].has) {
      expect({ name, present: (families.get(name)?.samples.length ?? 0) > 0 }).toEqual({ name, present: true });
    }
    for (const name of NAMES[version].hasNot) {
      expect({ name, present: families.has(name) }).toEqual({ name, present: false });
    }
  });

  test('the whole-regeneration scope is buildDuration on 1.9 and total later', () => {
    for (const [version, scope, other] of [
      ['1.9', 'buildDuration', 'total'],
      ['1.18', 'total', 'buildDuration'],
    ]) {
      const { cluster, renderer } = build(version);
      const samples = parsePage(pageText(renderer, cluster, 'node-000')).get(
        'cilium_endpoint_regeneration_time_stats_seconds'
      )!.samples;
      expect(samples.some((s) => s.labels.scope === scope)).toBe(true);
      expect(samples.some((s) => s.labels.scope === other)).toBe(false);
      expect(new Set(samples.map((s) => s.labels.scope)).size).toBeGreaterThan(8);
    }
  });

  test('families are sorted by name, label pairs by label name, and the relevant ones spread through the page', () => {
    const { cluster, renderer } = build('1.18', 300);
    const text = pageText(renderer, cluster, 'node-002');
    const families = [...parsePage(text).keys()];
    expect(families).toEqual([...families].sort());
    const unsorted = text.split('\n').filter((line) => {
      const labels = /\{(.*)\}/.exec(line)?.[1];
      const names = labels
        ? [...labels.matchAll(/([a-z_]+)="(?:[^"\\]|\\.)*"/g)].map((m) => m[1]).filter((n) => n !== 'le')
        : [];
      return names.join(',') !== [...names].sort().join(',');
    });
    expect(unsorted).toEqual([]);
    const at = (name: string): number => text.indexOf(`# TYPE ${name} `) / text.length;
    expect(at('cilium_bpf_map_pressure')).toBeGreaterThan(0.05);
    expect(at('cilium_drop_count_total')).toBeGreaterThan(0.2);
    expect(at('cilium_endpoint_state')).toBeGreaterThan(0.2);
    expect(at('cilium_policy_change_total')).toBeGreaterThan(0.6);
    expect(at('cilium_unreachable_nodes')).toBeGreaterThan(0.9);
  });

  test.each([100, 300, 500])('a %d KiB page is within 10%% of that size', (kb) => {
    const { cluster, renderer } = build('1.18', kb, 2);
    for (const node of cluster.nodeNames()) {
      const size = renderer.render(cluster.requireNode(node)).length;
      expect(size).toBeGreaterThan(kb * 1024 * 0.9);
      expect(size).toBeLessThan(kb * 1024 * 1.1);
    }
  });

  test('the same seed renders byte-identical pages; another seed different ones; nodes differ', () => {
    const render = (seed: number): string[] => {
      const { cluster, renderer } = build('1.16', 120, 3, seed);
      cluster.tick(7);
      return cluster.nodeNames().map((n) => pageText(renderer, cluster, n));
    };
    const a = render(5);
    expect(render(5)).toEqual(a);
    expect(render(6)[0]).not.toEqual(a[0]);
    expect(a[1]).not.toEqual(a[0]);
  });

  test('the page changes at every tick and only then', () => {
    const { cluster, renderer } = build('1.18');
    const first = pageText(renderer, cluster, 'node-000');
    expect(pageText(renderer, cluster, 'node-000')).toBe(first);
    cluster.tick();
    expect(pageText(renderer, cluster, 'node-000')).not.toBe(first);
  });

  test('emitted drop reasons are the agent strings, every direction upper case', () => {
    const { cluster, renderer } = build('1.18', 40, 10);
    cluster.tick(50);
    const reasons = new Set<string>();
    for (const node of cluster.nodeNames()) {
      for (const s of parsePage(pageText(renderer, cluster, node)).get('cilium_drop_count_total')?.samples ?? []) {
        reasons.add(s.labels.reason);
        expect(['INGRESS', 'EGRESS']).toContain(s.labels.direction);
      }
    }
    expect(reasons.size).toBeGreaterThanOrEqual(5);
    for (const reason of reasons) {
      expect(KNOWN_DROP_REASONS).toContain(reason);
    }
  });
});

describe('operator page', () => {
  test.each(VERSIONS)('Cilium %s: valid and exactly the ground truth', (version) => {
    const { cluster } = build(version);
    cluster.tick(3);
    const families = parsePage(renderOperatorPage(cluster).toString('utf8'));
    const truth = clusterTruth(cluster, () => 'none', 'none');
    expect(operatorSampleFromPage(families)).toEqual(truth.operator.sample);
    expect(families.has('cilium_operator_unmanaged_pods')).toBe(Number(version.split('.')[1]) >= 17);
    expect(families.has('cilium_operator_ipam_ips')).toBe(Number(version.split('.')[1]) <= 14);
    expect(families.has('cilium_operator_ipam_used_ips')).toBe(Number(version.split('.')[1]) >= 14);
    expect(families.get('cilium_operator_ipam_nodes')!.samples.find((s) => s.labels.category === 'total')!.value).toBe(
      4
    );
  });

  test('the unmanaged gauge counts only Running kube-dns pods without an endpoint', () => {
    const { cluster } = build('1.18');
    expect(operatorUnmanagedPods(cluster)).toBe(0);
    const coredns = cluster.listPods().filter((p) => p.labels['k8s-app'] === 'kube-dns');
    const node = cluster.requireNode(coredns[0].nodeName!);
    node.agent!.removeEndpoint(coredns[0].endpoint!);
    coredns[0].endpoint = null;
    // Another unmanaged pod that is not kube-dns does not count.
    const other = [...node.pods.values()].find((p) => p.endpoint && p.labels['k8s-app'] === undefined)!;
    node.agent!.removeEndpoint(other.endpoint!);
    other.endpoint = null;
    cluster.generation++;
    const value = (f: Map<string, ParsedFamily>): number => f.get('cilium_operator_unmanaged_pods')!.samples[0].value;
    expect(value(parsePage(renderOperatorPage(cluster).toString('utf8')))).toBe(1);
    const truth = clusterTruth(cluster, () => 'none', 'none');
    expect(truth.nodes[node.name].pods.unmanagedPods.map((p) => p.name)).toEqual(
      expect.arrayContaining([coredns[0].name, other.name])
    );
  });
});

describe('pages against real agent pages', () => {
  test.each([
    ['1.9', 'agent-1.9.10.prom'],
    ['1.11', 'agent-1.11.0.prom'],
  ])('Cilium %s: every family both pages have shares HELP and TYPE with %s', (version, file) => {
    const real = parsePage(readPage(file).toString('utf8'));
    const { cluster, renderer } = build(version, 100, 1);
    const ours = parsePage(pageText(renderer, cluster, 'node-000'));
    let shared = 0;
    for (const [name, family] of ours) {
      const theirs = real.get(name);
      if (!theirs || theirs.samples.length === 0) {
        continue;
      }
      shared++;
      expect({ name, help: family.help, type: family.type }).toEqual({ name, help: theirs.help, type: theirs.type });
      const labelNames = (f: ParsedFamily): string[] =>
        [...new Set(f.samples.flatMap((s) => Object.keys(s.labels)))].filter((l) => l !== 'le').sort();
      expect({ name, labels: labelNames(family) }).toEqual({ name, labels: labelNames(theirs) });
    }
    expect(shared).toBeGreaterThan(45);
  });

  test('every drop reason the simulator knows is an agent reason string from the reference table', () => {
    const table = readReference('drop_reasons.tsv');
    const agentReasons = new Set(
      table
        .split('\n')
        .slice(1)
        .map((line) => line.split('\t')[2])
    );
    for (const reason of KNOWN_DROP_REASONS) {
      expect({ reason, known: agentReasons.has(reason) }).toEqual({ reason, known: true });
    }
  });
});
