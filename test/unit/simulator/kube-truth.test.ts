import { SimulatedCluster } from '../../../simulator/cluster';
import { classifyPod, unmanagedTruth } from '../../../simulator/kube/truth';
import { isKubeCaseScenario } from '../../../simulator/scenarios';
import { clusterTruth } from '../../../simulator/truth';

const hardCases = (nodes = 5, seed = 3): SimulatedCluster =>
  new SimulatedCluster({ nodes, seed, podsPerNode: 16, scenario: 'kube-hard-cases' });

describe('kube-hard-cases scenario', () => {
  test('every labelled case is what it claims, at setup and after churn', () => {
    const cluster = hardCases();
    expect(isKubeCaseScenario(cluster.scenario)).toBe(true);
    for (let round = 0; round < 4; round++) {
      const truth = unmanagedTruth(cluster, true);
      expect(truth.cases.length).toBe(15);
      for (const c of truth.cases) {
        expect({ case: c.case, name: c.name, actual: c.actual }).toEqual({
          case: c.case,
          name: c.name,
          actual: c.expected,
        });
      }
      cluster.tick(25);
    }
    const cases = new Set(unmanagedTruth(cluster, true).cases.map((c) => c.case));
    for (const name of [
      'prefix-name-without-cep',
      'prefix-name-with-cep',
      'dot-in-name-without-cep',
      'dot-lookalike-with-cep',
      'started-before-cilium',
      'host-network',
      'job-succeeded',
      'job-failed',
      'pending-scheduled-without-cep',
      'pending-unscheduled',
      'terminating-endpoint-gone',
      'terminating-endpoint-disconnecting',
      'node-without-agent',
      'pod-on-node-without-agent',
    ]) {
      expect(cases).toContain(name);
    }
  });

  test('the node without an agent has pods but no agent, no agent pod, and counts apart', () => {
    const cluster = hardCases();
    cluster.tick(3);
    const orphan = cluster.nodes[4];
    expect(orphan.agent).toBeNull();
    const pods = [...orphan.pods.values()];
    expect(pods.some((p) => p.labels['k8s-app'] === 'cilium')).toBe(false);
    expect(pods.every((p) => p.endpoint === null)).toBe(true);
    for (const node of cluster.nodes.slice(0, 4)) {
      const agents = [...node.pods.values()].filter((p) => p.labels['k8s-app'] === 'cilium');
      expect(agents).toHaveLength(1);
      expect(agents[0]).toMatchObject({ hostNetwork: true, podIP: node.internalIP, nodeName: node.name });
    }
    const truth = unmanagedTruth(cluster, true);
    const eligible = pods.filter((p) => classifyPod(p, orphan) === 'no-agent').length;
    expect(eligible).toBeGreaterThan(0);
    expect(truth.nodesWithoutAgent).toEqual([{ node: orphan.name, pods: eligible }]);
    expect(truth.pods.some((p) => p.node === orphan.name)).toBe(false);
    expect(truth.countsByNode.map((c) => c.node)).toEqual(cluster.nodes.slice(0, 4).map((n) => n.name));
    expect(clusterTruth(cluster, () => 'none', 'none').nodes[orphan.name].agent).toBeNull();
  });

  test('per node, the count delta is the unmanaged pods plus the terminating ones whose endpoint is gone', () => {
    const cluster = hardCases(6, 11);
    cluster.tick(7);
    const truth = unmanagedTruth(cluster, true);
    for (const row of truth.countsByNode) {
      const node = cluster.requireNode(row.node);
      const unmanaged = truth.pods.filter((p) => p.node === row.node).length;
      const goneEndpoints = truth.terminating.filter(
        (t) => t.node === row.node && node.pods.get(`${t.namespace}/${t.name}`)!.endpoint === null
      ).length;
      expect(row.delta).toBe(unmanaged + goneEndpoints);
      expect(row.podEndpoints).toBe(node.agent!.endpoints.size - 2);
    }
  });

  test('unmanaged pods are described as the contract describes them', () => {
    const cluster = hardCases();
    const truth = unmanagedTruth(cluster, true);
    const web = truth.pods.find((p) => p.namespace === 'default' && p.name === 'web')!;
    expect(web).toEqual({
      namespace: 'default',
      name: 'web',
      node: 'node-001',
      phase: 'Running',
      owner: null,
      startedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/),
    });
    const pending = truth.pods.find((p) => p.phase === 'Pending')!;
    expect(pending.owner).toMatch(/^ReplicaSet\/checkout-/);
    const sorted = [...truth.pods].sort((a, b) =>
      a.node + a.namespace + a.name < b.node + b.namespace + b.name ? -1 : 1
    );
    expect(truth.pods.map((p) => p.node)).toEqual(sorted.map((p) => p.node));
    expect(unmanagedTruth(cluster, false).source).toBe('counts');
    expect(unmanagedTruth(cluster, true, 'node-002').pods.every((p) => p.node === 'node-002')).toBe(true);
  });

  test('small clusters get the cases that fit; the default scenario has none', () => {
    for (const nodes of [1, 2]) {
      const truth = unmanagedTruth(hardCases(nodes), true);
      expect(truth.nodesWithoutAgent).toEqual([]);
      expect(truth.cases.every((c) => c.actual === c.expected)).toBe(true);
    }
    const plain = unmanagedTruth(new SimulatedCluster({ nodes: 3, seed: 1, podsPerNode: 10 }), true);
    expect(plain.cases).toEqual([]);
    expect(plain.nodesWithoutAgent).toEqual([]);
  });

  test('the short-lived pod of each tick is gone by the next tick', () => {
    const cluster = hardCases(3);
    const before = new Set(cluster.listPods().map((p) => p.uid));
    cluster.tick(1);
    const born = cluster.listPods().filter((p) => !before.has(p.uid) && p.labels.app === 'web-canary');
    expect(born.length).toBeGreaterThanOrEqual(1);
    cluster.tick(1);
    const alive = new Set(cluster.listPods().map((p) => p.uid));
    expect(born.filter((p) => alive.has(p.uid)).length).toBeLessThan(born.length);
  });
});
