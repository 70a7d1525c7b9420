import { SimulatedCluster } from '../../../simulator/cluster';
import type { SimPod } from '../../../simulator/model';
import { KubeStore, type StoreEvent, type StoreSubscriber } from '../../../simulator/kube/store';

describe('KubeStore', () => {
  test('does nothing until first used, then assigns every object a resourceVersion without logging events', () => {
    const cluster = new SimulatedCluster({ nodes: 3, seed: 4, podsPerNode: 10 });
    const store = new KubeStore(cluster, { ciliumEndpointCRD: true });
    cluster.tick(2);
    expect(store.resourceVersion).toBe(0);
    store.sync();
    const pods = store.resource('pods')!;
    const ceps = store.resource('ciliumendpoints')!;
    const nodes = store.resource('nodes')!;
    expect(pods.records().length).toBe(cluster.listPods().length);
    expect(ceps.records().length).toBe(cluster.listCiliumEndpoints().length);
    expect(nodes.records().length).toBe(3);
    expect(store.resourceVersion).toBe(pods.records().length + ceps.records().length + 3);
    const rvs = [...pods.records(), ...ceps.records(), ...nodes.records()].map((r) => r.rv).sort((a, b) => a - b);
    expect(new Set(rvs).size).toBe(rvs.length);
    expect(pods.log).toEqual([]);
    expect(pods.compactedThrough).toBe(store.resourceVersion);
    store.close();
  });

  test('ticks become ADDED, MODIFIED and DELETED events in resourceVersion order, across kinds', () => {
    const cluster = new SimulatedCluster({ nodes: 4, seed: 9, podsPerNode: 16, scenario: 'kube-hard-cases' });
    const store = new KubeStore(cluster, { ciliumEndpointCRD: true });
    store.sync();
    const start = store.resourceVersion;
    const pods = store.resource('pods')!;
    const ceps = store.resource('ciliumendpoints')!;
    const seen: StoreEvent[] = [];
    const syncs: number[] = [];
    const subscriber: StoreSubscriber = { events: (b) => seen.push(...b), synced: (rv) => syncs.push(rv) };
    pods.subscribers.add(subscriber);
    ceps.subscribers.add(subscriber);
    cluster.tick(10);
    expect(syncs.length).toBeGreaterThanOrEqual(10);
    const rvs = seen.map((e) => e.rv);
    expect(rvs.every((rv, i) => rv > start && (i === 0 || rv !== rvs[i - 1]))).toBe(true);
    expect([...rvs].sort((a, b) => a - b)).toEqual(rvs.slice().sort((a, b) => a - b));
    expect(new Set(seen.map((e) => e.type))).toEqual(new Set(['ADDED', 'MODIFIED', 'DELETED']));
    for (const e of seen) {
      expect(e.record.rv).toBe(e.rv);
      if (e.type === 'MODIFIED') {
        expect(e.previous!.rv).toBeLessThan(e.rv);
        expect(e.previous!.uid).toBe(e.record.uid);
      }
    }
    // The records now are what the model shows.
    const live = new Map(cluster.listPods().map((p) => [`${p.namespace}/${p.name}`, p]));
    expect(new Set(pods.records().map((r) => r.key))).toEqual(new Set(live.keys()));
    for (const r of pods.records()) {
      expect((r.state as { phase: string }).phase).toBe(live.get(r.key)!.phase);
    }
    expect(new Set(ceps.records().map((r) => r.key))).toEqual(
      new Set(cluster.listCiliumEndpoints().map((c) => `${c.namespace}/${c.name}`))
    );
    store.close();
  });

  test('a pod deleted and created again under the same name between syncs is DELETED then ADDED', () => {
    const cluster = new SimulatedCluster({ nodes: 2, seed: 2, podsPerNode: 12 });
    const store = new KubeStore(cluster, { ciliumEndpointCRD: true });
    store.sync();
    const stateful = cluster.listPods().find((p) => p.ownerKind === 'StatefulSet' && p.nodeName !== null) as SimPod;
    const node = cluster.requireNode(stateful.nodeName!);
    const workload = cluster.workload(stateful);
    const oldUid = stateful.uid;
    cluster.removePod(node, stateful);
    const again = cluster.createPod(node, workload, {
      phase: 'Pending',
      managed: true,
      ageSeconds: 0,
      identity: { name: stateful.name },
    });
    const seen: StoreEvent[] = [];
    store.resource('pods')!.subscribers.add({ events: (b) => seen.push(...b), synced: () => undefined });
    store.sync();
    const mine = seen.filter((e) => e.record.name === stateful.name);
    expect(mine.map((e) => [e.type, e.record.uid])).toEqual([
      ['DELETED', oldUid],
      ['ADDED', again.uid],
    ]);
    store.close();
  });

  test('the event log is bounded; watches from before it, or from the future, are expired', () => {
    const cluster = new SimulatedCluster({ nodes: 3, seed: 6, podsPerNode: 10, scenario: 'kube-hard-cases' });
    const store = new KubeStore(cluster, { ciliumEndpointCRD: true, eventLogSize: 5 });
    store.sync();
    const pods = store.resource('pods')!;
    const start = store.resourceVersion;
    expect(store.watchFrom(pods, start)).toEqual({ events: [] });
    cluster.tick(6);
    expect(pods.log.length).toBe(5);
    expect(store.watchFrom(pods, start)).toEqual({
      expired: expect.stringMatching(/^too old resource version: \d+ \(\d+\)$/),
    });
    const fromLog = store.watchFrom(pods, pods.compactedThrough);
    expect('events' in fromLog && fromLog.events).toEqual(pods.log);
    expect(store.watchFrom(pods, store.resourceVersion + 5)).toEqual({ expired: expect.stringMatching(/too large/) });
    const now = store.resourceVersion;
    store.compact();
    expect(store.watchFrom(pods, now - 1)).toHaveProperty('expired');
    expect(store.watchFrom(pods, now)).toEqual({ events: [] });
    expect(() => new KubeStore(cluster, { ciliumEndpointCRD: true, eventLogSize: 0 })).toThrow(/eventLogSize/);
    store.close();
  });

  test('without the CRD there is no CiliumEndpoint resource; after close the store stops following ticks', () => {
    const cluster = new SimulatedCluster({ nodes: 2, seed: 1, podsPerNode: 8 });
    const store = new KubeStore(cluster, { ciliumEndpointCRD: false });
    expect(store.resource('ciliumendpoints')).toBeUndefined();
    store.sync();
    store.close();
    const rv = store.resourceVersion;
    cluster.tick(5);
    expect(store.resourceVersion).toBe(rv);
  });

  test('the same seed and calls give the same objects and resourceVersions', () => {
    const run = (): string[] => {
      const cluster = new SimulatedCluster({ nodes: 3, seed: 17, podsPerNode: 10, scenario: 'kube-hard-cases' });
      const store = new KubeStore(cluster, { ciliumEndpointCRD: true });
      store.sync();
      cluster.tick(5);
      const out = ['pods', 'ciliumendpoints', 'nodes'].flatMap((r) =>
        store
          .resource(r as 'pods')!
          .records()
          .map((rec) => store.resource(r as 'pods')!.type.toJson(rec))
      );
      store.close();
      return out;
    };
    expect(run()).toEqual(run());
  });
});
