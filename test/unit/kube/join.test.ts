/** The incremental join: the reference's rules, exact name matching, and agreement with a full recompute under churn. */
import fc from 'fast-check';
import { PodJoin, classifyPod } from '../../../exporter/kube/join';
import type { SlimPod } from '../../../exporter/kube/objects';

function pod(namespace: string, name: string, over: Partial<SlimPod> = {}): SlimPod {
  return {
    metadata: { namespace, name, resourceVersion: '1' },
    node: 'n1',
    phase: 'Running',
    hostNetwork: false,
    terminating: false,
    podIP: '10.0.0.1',
    owner: null,
    startedAt: null,
    ...over,
  };
}
const cep = (namespace: string, name: string) => ({ metadata: { namespace, name } });
const unmanagedNames = (j: PodJoin, node: string) => [...(j.tally(node)?.unmanaged.keys() ?? [])].sort();

describe('classifyPod', () => {
  test.each([
    ['Running', {}, 'counted'],
    ['Pending', {}, 'counted'],
    ['Succeeded', {}, 'ignored'],
    ['Failed', {}, 'ignored'],
    ['Unknown', {}, 'ignored'],
    ['', {}, 'ignored'],
    ['Running', { hostNetwork: true }, 'ignored'],
    ['Pending', { node: '' }, 'ignored'],
    ['Running', { terminating: true }, 'terminating'],
    ['Running', { terminating: true, hostNetwork: true }, 'ignored'],
    ['Succeeded', { terminating: true }, 'ignored'],
  ] as Array<[string, Partial<SlimPod>, string]>)('phase %s %j is %s', (phase, over, expected) => {
    expect(classifyPod(pod('ns', 'p', { phase, ...over }))).toBe(expected);
  });
});

describe('PodJoin', () => {
  test('a pod is managed only by a CiliumEndpoint of exactly its namespace and name', () => {
    const j = new PodJoin();
    for (const name of ['web', 'web-1', 'web.1', 'webx1', 'api']) {
      j.upsertPod(pod('default', name));
    }
    j.upsertPod(pod('other', 'api'));
    // CEPs whose names contain or regex-match other pods' names must not mark those pods managed.
    j.upsertEndpoint(cep('default', 'web-1'));
    j.upsertEndpoint(cep('default', 'web.1'));
    j.upsertEndpoint(cep('other', 'api'));
    expect(unmanagedNames(j, 'n1')).toEqual(['default/api', 'default/web', 'default/webx1']);
    expect(j.tally('n1')!.pods).toBe(6);
  });

  test('CiliumEndpoints before or after their pod give the same answer; deleting one makes its pod unmanaged again', () => {
    const before = new PodJoin();
    before.upsertEndpoint(cep('a', 'p'));
    before.upsertPod(pod('a', 'p'));
    const after = new PodJoin();
    after.upsertPod(pod('a', 'p'));
    after.upsertEndpoint(cep('a', 'p'));
    expect(unmanagedNames(before, 'n1')).toEqual([]);
    expect(unmanagedNames(after, 'n1')).toEqual([]);
    after.deleteEndpoint(cep('a', 'p'));
    expect(unmanagedNames(after, 'n1')).toEqual(['a/p']);
    after.deleteEndpoint(cep('a', 'p'));
    expect(unmanagedNames(after, 'n1')).toEqual(['a/p']);
  });

  test('hostNetwork, completed and unscheduled pods are not counted; terminating pods are counted apart', () => {
    const j = new PodJoin();
    j.upsertPod(pod('kube-system', 'cilium-x', { hostNetwork: true }));
    j.upsertPod(pod('batch', 'job-ok', { phase: 'Succeeded' }));
    j.upsertPod(pod('batch', 'job-bad', { phase: 'Failed' }));
    j.upsertPod(pod('web', 'waiting', { phase: 'Pending', node: '' }));
    j.upsertPod(pod('web', 'leaving', { terminating: true }));
    j.upsertPod(pod('web', 'starting', { phase: 'Pending' }));
    expect(j.tally('n1')!.pods).toBe(1);
    expect(unmanagedNames(j, 'n1')).toEqual(['web/starting']);
    expect([...j.tally('n1')!.terminating.keys()]).toEqual(['web/leaving']);
    expect([...j.nodes()]).toEqual(['n1']);
    expect(j.namespaces()).toEqual(['batch', 'kube-system', 'web']);
  });

  test('updates move a pod between classes and nodes; deletes clean up nodes and namespaces', () => {
    const j = new PodJoin();
    j.upsertPod(pod('a', 'p', { phase: 'Pending', node: '' }));
    expect([...j.nodes()]).toEqual([]);
    j.upsertPod(pod('a', 'p', { phase: 'Pending', node: 'n2' }));
    expect(unmanagedNames(j, 'n2')).toEqual(['a/p']);
    j.upsertEndpoint(cep('a', 'p'));
    j.upsertPod(pod('a', 'p', { phase: 'Running', node: 'n2' }));
    expect(j.tally('n2')).toMatchObject({ pods: 1 });
    expect(unmanagedNames(j, 'n2')).toEqual([]);
    j.upsertPod(pod('a', 'p', { phase: 'Running', node: 'n2', terminating: true }));
    expect(j.tally('n2')!.pods).toBe(0);
    expect(j.tally('n2')!.terminating.size).toBe(1);
    j.upsertPod(pod('a', 'p', { phase: 'Succeeded', node: 'n2', terminating: true }));
    expect(j.tally('n2')).toBeUndefined();
    j.deletePod(pod('a', 'p'));
    expect(j.namespaces()).toEqual([]);
    expect(j.podCount).toBe(0);
    expect(j.endpointCount).toBe(1);
  });

  test('clearEndpoints makes every counted pod unmanaged', () => {
    const j = new PodJoin();
    j.upsertPod(pod('a', 'p1'));
    j.upsertPod(pod('a', 'p2', { node: 'n2' }));
    j.upsertEndpoint(cep('a', 'p1'));
    j.upsertEndpoint(cep('a', 'p2'));
    j.clearEndpoints();
    expect(unmanagedNames(j, 'n1')).toEqual(['a/p1']);
    expect(unmanagedNames(j, 'n2')).toEqual(['a/p2']);
    expect(j.endpointCount).toBe(0);
  });

  test('the version changes with every effective change only', () => {
    const j = new PodJoin();
    const v0 = j.version;
    j.upsertPod(pod('a', 'p'));
    const v1 = j.version;
    j.deletePod(pod('a', 'missing'));
    j.deleteEndpoint(cep('a', 'missing'));
    expect(j.version).toBe(v1);
    j.upsertEndpoint(cep('a', 'p'));
    j.upsertEndpoint(cep('a', 'p'));
    expect(v1).toBeGreaterThan(v0);
    expect(j.version).toBe(v1 + 1);
  });

  test('after any sequence of events the incremental tallies equal a full recompute', () => {
    const names = ['web', 'web-1', 'web.1', 'db', 'db-0'];
    const event = fc.oneof(
      fc.record({
        kind: fc.constant('pod' as const),
        ns: fc.constantFrom('a', 'b'),
        name: fc.constantFrom(...names),
        node: fc.constantFrom('', 'n1', 'n2', 'n3'),
        phase: fc.constantFrom('Running', 'Pending', 'Succeeded', 'Failed'),
        hostNetwork: fc.boolean(),
        terminating: fc.boolean(),
      }),
      fc.record({
        kind: fc.constant('delpod' as const),
        ns: fc.constantFrom('a', 'b'),
        name: fc.constantFrom(...names),
      }),
      fc.record({
        kind: fc.constantFrom('cep' as const, 'delcep' as const),
        ns: fc.constantFrom('a', 'b'),
        name: fc.constantFrom(...names),
      })
    );
    fc.assert(
      fc.property(fc.array(event, { maxLength: 80 }), (events) => {
        const j = new PodJoin();
        const pods = new Map<string, SlimPod>();
        const ceps = new Set<string>();
        for (const e of events) {
          const key = `${e.ns}/${e.name}`;
          if (e.kind === 'pod') {
            const p = pod(e.ns, e.name, {
              node: e.node,
              phase: e.phase,
              hostNetwork: e.hostNetwork,
              terminating: e.terminating,
            });
            pods.set(key, p);
            j.upsertPod(p);
          } else if (e.kind === 'delpod') {
            pods.delete(key);
            j.deletePod(pod(e.ns, e.name));
          } else if (e.kind === 'cep') {
            ceps.add(key);
            j.upsertEndpoint(cep(e.ns, e.name));
          } else {
            ceps.delete(key);
            j.deleteEndpoint(cep(e.ns, e.name));
          }
        }
        const expected = new Map<string, { pods: number; unmanaged: string[]; terminating: string[] }>();
        for (const [key, p] of pods) {
          const cls = classifyPod(p);
          if (cls === 'ignored') {
            continue;
          }
          const t = expected.get(p.node) ?? { pods: 0, unmanaged: [], terminating: [] };
          expected.set(p.node, t);
          if (cls === 'terminating') {
            t.terminating.push(key);
          } else {
            t.pods++;
            if (!ceps.has(key)) {
              t.unmanaged.push(key);
            }
          }
        }
        const actual = new Map(
          [...j.nodes()].map((n) => {
            const t = j.tally(n)!;
            return [
              n,
              {
                pods: t.pods,
                unmanaged: [...t.unmanaged.keys()].sort(),
                terminating: [...t.terminating.keys()].sort(),
              },
            ] as const;
          })
        );
        for (const t of expected.values()) {
          t.unmanaged.sort();
          t.terminating.sort();
        }
        expect(actual).toEqual(expected);
        expect(j.namespaces()).toEqual([...new Set([...pods.values()].map((p) => p.metadata.namespace))].sort());
      }),
      { numRuns: 300 }
    );
  });
});
