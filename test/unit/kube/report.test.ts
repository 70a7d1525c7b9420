/** Per-node numbers and the unmanaged-pods answer: agents, shards, filters, the counts fallback. */
import { PodJoin } from '../../../exporter/kube/join';
import type { SlimPod } from '../../../exporter/kube/objects';
import { type JoinView, nodeNumbers, unmanagedPodsAnswer } from '../../../exporter/kube/report';

function pod(namespace: string, name: string, node: string, over: Partial<SlimPod> = {}): SlimPod {
  return {
    metadata: { namespace, name },
    node,
    phase: 'Running',
    hostNetwork: false,
    terminating: false,
    podIP: '10.0.0.1',
    owner: 'ReplicaSet/x',
    startedAt: '2024-05-01T00:00:00Z',
    ...over,
  };
}

function cluster(): PodJoin {
  const j = new PodJoin();
  // n1: 3 pods, 1 unmanaged, 1 terminating. n2: 2 pods, both unmanaged (agent silent). n3: no agent, 1 + 1 terminating.
  j.upsertPod(pod('a', 'p1', 'n1'));
  j.upsertPod(pod('b', 'p2', 'n1'));
  j.upsertPod(pod('b', 'p3', 'n1', { phase: 'Pending', owner: null }));
  j.upsertPod(pod('a', 'gone', 'n1', { terminating: true }));
  j.upsertPod(pod('a', 'q1', 'n2'));
  j.upsertPod(pod('a', 'q2', 'n2'));
  j.upsertPod(pod('c', 'r1', 'n3'));
  j.upsertPod(pod('c', 'r2', 'n3', { terminating: true }));
  for (const key of ['a/p1', 'b/p2']) {
    const [namespace, name] = key.split('/');
    j.upsertEndpoint({ metadata: { namespace, name } });
  }
  return j;
}

function view(over: Partial<JoinView> = {}): JoinView {
  return {
    join: cluster(),
    source: 'ciliumendpoints',
    notice: null,
    inShard: () => true,
    agentNodes: () => ['n1', 'n2', 'n4'],
    agentSilent: (node) => node === 'n2',
    podEndpoints: (node) => ({ n1: 3, n4: 0 })[node] ?? null,
    syncedAt: 1000,
    stale: false,
    ...over,
  };
}

describe('nodeNumbers', () => {
  test('nodes with pods or an agent; pods include terminating ones; unmanaged only where an agent answers', () => {
    expect(nodeNumbers(view())).toEqual([
      { node: 'n1', pods: 4, terminating: 1, hasAgent: true, unmanaged: 1, podEndpoints: 3, delta: 1 },
      { node: 'n2', pods: 2, terminating: 0, hasAgent: false, unmanaged: null, podEndpoints: null, delta: null },
      { node: 'n3', pods: 2, terminating: 1, hasAgent: false, unmanaged: null, podEndpoints: null, delta: null },
      { node: 'n4', pods: 0, terminating: 0, hasAgent: true, unmanaged: 0, podEndpoints: 0, delta: 0 },
    ]);
  });

  test('counts mode: unmanaged is the positive part of the delta, unknown without endpoint numbers', () => {
    const numbers = nodeNumbers(view({ source: 'counts', podEndpoints: (n) => ({ n1: 1, n4: 2 })[n] ?? null }));
    expect(numbers.find((n) => n.node === 'n1')).toMatchObject({ pods: 4, unmanaged: 3, delta: 3 });
    expect(numbers.find((n) => n.node === 'n4')).toMatchObject({ unmanaged: 0, delta: -2 });
    const unknown = nodeNumbers(view({ source: 'counts', podEndpoints: () => null }));
    expect(unknown.find((n) => n.node === 'n1')).toMatchObject({ unmanaged: null, delta: null });
  });

  test('a shard keeps only its nodes', () => {
    expect(nodeNumbers(view({ inShard: (n) => n === 'n1' || n === 'n3' })).map((n) => n.node)).toEqual(['n1', 'n3']);
  });
});

describe('unmanagedPodsAnswer', () => {
  test('names the unmanaged pods, the nodes without agent and the terminating pods', () => {
    const answer = unmanagedPodsAnswer(view(), { node: null, namespace: null });
    expect(answer).toEqual({
      pods: [
        { namespace: 'b', name: 'p3', node: 'n1', phase: 'Pending', owner: null, startedAt: '2024-05-01T00:00:00Z' },
      ],
      source: 'ciliumendpoints',
      notice: null,
      countsByNode: [],
      nodesWithoutAgent: [
        { node: 'n2', pods: 2 },
        { node: 'n3', pods: 1 },
      ],
      terminating: [
        { namespace: 'a', name: 'gone', node: 'n1' },
        { namespace: 'c', name: 'r2', node: 'n3' },
      ],
      syncedAt: 1000,
      stale: false,
    });
  });

  test('node and namespace filters', () => {
    const v = view({ agentSilent: () => false, agentNodes: () => ['n1', 'n2', 'n3'] });
    const byNode = unmanagedPodsAnswer(v, { node: new Set(['n2']), namespace: null });
    expect(byNode.pods.map((p) => p.name)).toEqual(['q1', 'q2']);
    expect(byNode.terminating).toEqual([]);
    const byNs = unmanagedPodsAnswer(v, { node: null, namespace: new Set(['a', 'c']) });
    expect(byNs.pods.map((p) => `${p.node}/${p.namespace}/${p.name}`)).toEqual(['n2/a/q1', 'n2/a/q2', 'n3/c/r1']);
    expect(byNs.terminating.map((p) => p.name)).toEqual(['gone', 'r2']);
  });

  test('counts mode lists per-node counts and no names; before the first sync the answer is empty', () => {
    const counts = unmanagedPodsAnswer(view({ source: 'counts', notice: 'CRD absent' }), {
      node: null,
      namespace: null,
    });
    expect(counts.pods).toEqual([]);
    expect(counts.notice).toBe('CRD absent');
    expect(counts.countsByNode).toEqual([
      { node: 'n1', pods: 4, podEndpoints: 3, delta: 1 },
      { node: 'n4', pods: 0, podEndpoints: 0, delta: 0 },
    ]);
    const none = unmanagedPodsAnswer(view({ source: 'none', syncedAt: null, notice: 'waiting' }), {
      node: null,
      namespace: null,
    });
    expect(none).toMatchObject({
      pods: [],
      nodesWithoutAgent: [],
      terminating: [],
      source: 'none',
      notice: 'waiting',
      syncedAt: null,
    });
  });
});
