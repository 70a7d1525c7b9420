/** The simulator's Kubernetes API on the hard cases: what it serves agrees with its ground truth of unmanaged pods. */
import { startSimulator } from '../../simulator';
import { type KubeObject, get, keyOf, openWatch, rvOf } from './simulator-kube-helpers';

describe('simulator Kubernetes API: hard cases agree with the truth', () => {
  test('automatic ticks reach open watches without any request', async () => {
    const sim = await startSimulator({
      nodes: 3,
      seed: 4,
      pageKB: 20,
      podsPerNode: 10,
      scenario: 'kube-hard-cases',
      autoTickMs: 50,
    });
    try {
      const rv = Number((await get(`${sim.url}/api/v1/pods?limit=1`)).json.metadata.resourceVersion);
      const watch = await openWatch(`${sim.url}/api/v1/pods?watch=1&resourceVersion=${rv}`);
      const event = await watch.until((l) => l.type === 'ADDED', 5000);
      expect(rvOf(event.object)).toBeGreaterThan(rv);
      watch.close();
    } finally {
      await sim.close();
    }
  });

  test('a join over the served pods and CEPs gives exactly the truth of unmanaged pods, tick after tick', async () => {
    const sim = await startSimulator({ nodes: 5, seed: 21, pageKB: 20, podsPerNode: 16, scenario: 'kube-hard-cases' });
    try {
      for (let round = 0; round < 4; round++) {
        sim.tick(3);
        const pods = (await get(`${sim.url}/api/v1/pods`)).json.items as KubeObject[];
        const ceps = new Set(
          ((await get(`${sim.url}/apis/cilium.io/v2/ciliumendpoints`)).json.items as KubeObject[]).map(keyOf)
        );
        const truth = (await get(`${sim.url}/truth`)).json.unmanaged;
        const agentNodes = new Set(
          pods.filter((p) => p.metadata.labels['k8s-app'] === 'cilium').map((p) => p.spec.nodeName)
        );
        const unmanaged: KubeObject[] = [];
        const terminating: KubeObject[] = [];
        const withoutAgent = new Map<string, number>();
        for (const pod of pods) {
          if (!pod.spec.nodeName || pod.spec.hostNetwork || !['Running', 'Pending'].includes(pod.status.phase)) {
            continue;
          }
          const node = pod.spec.nodeName;
          if (pod.metadata.deletionTimestamp) {
            terminating.push({ namespace: pod.metadata.namespace, name: pod.metadata.name, node });
          } else if (!agentNodes.has(node)) {
            withoutAgent.set(node, (withoutAgent.get(node) ?? 0) + 1);
          } else if (!ceps.has(keyOf(pod))) {
            const owner = pod.metadata.ownerReferences?.find((o: KubeObject) => o.controller);
            unmanaged.push({
              namespace: pod.metadata.namespace,
              name: pod.metadata.name,
              node,
              phase: pod.status.phase,
              owner: owner ? `${owner.kind}/${owner.name}` : null,
              startedAt: new Date(pod.status.startTime ?? pod.metadata.creationTimestamp).toISOString(),
            });
          }
        }
        const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
        const order = (a: KubeObject, b: KubeObject): number =>
          cmp(a.node, b.node) || cmp(a.namespace, b.namespace) || cmp(a.name, b.name);
        expect(truth.pods).toEqual(unmanaged.sort(order));
        expect(truth.terminating).toEqual(terminating.sort(order));
        expect(truth.nodesWithoutAgent).toEqual([...withoutAgent].map(([node, n]) => ({ node, pods: n })));
        expect(truth.nodesWithoutAgent.map((n: KubeObject) => n.node)).toEqual(['node-004']);
        expect((await get(`${sim.url}/agents/node-004/metrics`)).status).toBe(404);
        for (const c of truth.cases) {
          expect({ case: c.case, name: c.name, actual: c.actual }).toEqual({
            case: c.case,
            name: c.name,
            actual: c.expected,
          });
        }
        const names = truth.pods.map((p: KubeObject) => `${p.namespace}/${p.name}`);
        expect(names).toEqual(expect.arrayContaining(['default/web', 'default/api.v2']));
        expect(names).not.toContain('default/web-1');
        expect(names).not.toContain('default/api-v2');
      }
    } finally {
      await sim.close();
    }
  });
});
