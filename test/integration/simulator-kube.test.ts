/**
 * The simulator's Kubernetes API over loopback HTTP: list and watch with resourceVersions, selectors, pagination,
 * get, discovery and the CiliumEndpoints it serves. Faults, access and the truth are in simulator-kube-*.test.ts.
 */
import { type RunningSimulator, startSimulator } from '../../simulator';
import {
  type KubeObject,
  type WatchLine,
  type WatchReader,
  get,
  keyOf,
  openWatch,
  post,
  rvOf,
} from './simulator-kube-helpers';

/** Applies watch events to a listed state, as an informer's cache does. */
function apply(state: Map<string, KubeObject>, lines: WatchLine[]): void {
  for (const line of lines) {
    if (line.type === 'ADDED' || line.type === 'MODIFIED') {
      state.set(keyOf(line.object), line.object);
    } else if (line.type === 'DELETED') {
      state.delete(keyOf(line.object));
    }
  }
}

/**
 * Waits until the watch has reached the store's current resourceVersion: its last event, or the bookmark that
 * follows every sync (bookmarkIntervalMs 0) when the last change was another kind's.
 */
async function caughtUp(sim: RunningSimulator, watch: WatchReader): Promise<void> {
  const rv = sim.kubeStats().resourceVersion;
  await watch.until((l) => rvOf(l.object) >= rv);
}

describe('simulator Kubernetes API: list and watch', () => {
  let sim: RunningSimulator;

  beforeAll(async () => {
    sim = await startSimulator({ nodes: 4, seed: 5, pageKB: 20, podsPerNode: 14, kube: { bookmarkIntervalMs: 0 } });
  });

  afterAll(() => sim.close());

  test('a list followed by a watch from its resourceVersion reproduces every later list exactly', async () => {
    const listed = await get(`${sim.url}/api/v1/pods`);
    expect(listed.status).toBe(200);
    expect(listed.json).toMatchObject({ kind: 'PodList', apiVersion: 'v1' });
    const rv0 = Number(listed.json.metadata.resourceVersion);
    expect(listed.json.items.length).toBe(sim.cluster.listPods().length);
    for (const item of listed.json.items) {
      expect(rvOf(item)).toBeLessThanOrEqual(rv0);
      expect(item.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    }
    const ceps = await get(`${sim.url}/apis/cilium.io/v2/ciliumendpoints`);
    expect(ceps.json.kind).toBe('CiliumEndpointList');
    const cepRv0 = Number(ceps.json.metadata.resourceVersion);

    const podWatch = await openWatch(`${sim.url}/api/v1/pods?watch=1&resourceVersion=${rv0}&allowWatchBookmarks=true`);
    const cepWatch = await openWatch(
      `${sim.url}/apis/cilium.io/v2/ciliumendpoints?watch=true&resourceVersion=${cepRv0}&allowWatchBookmarks=true`
    );
    expect(podWatch.status).toBe(200);
    for (let i = 0; i < 12; i++) {
      sim.tick(1);
    }
    await caughtUp(sim, podWatch);
    await caughtUp(sim, cepWatch);

    const podEvents = podWatch.lines.filter((l) => l.type !== 'BOOKMARK');
    const cepEvents = cepWatch.lines.filter((l) => l.type !== 'BOOKMARK');
    expect(new Set(podEvents.map((l) => l.type))).toEqual(new Set(['ADDED', 'MODIFIED', 'DELETED']));
    expect(cepEvents.some((l) => l.type === 'ADDED') && cepEvents.some((l) => l.type === 'DELETED')).toBe(true);
    // One resourceVersion counter across kinds: strictly increasing per watch, never shared between kinds.
    const podRvs = podEvents.map((l) => rvOf(l.object));
    expect(podRvs[0]).toBeGreaterThan(rv0);
    expect(podRvs.every((rv, i) => i === 0 || rv > podRvs[i - 1])).toBe(true);
    const cepRvs = new Set(cepEvents.map((l) => rvOf(l.object)));
    expect(podRvs.filter((rv) => cepRvs.has(rv))).toEqual([]);

    const podState = new Map<string, KubeObject>(listed.json.items.map((o: KubeObject) => [keyOf(o), o]));
    apply(podState, podWatch.lines);
    const cepState = new Map<string, KubeObject>(ceps.json.items.map((o: KubeObject) => [keyOf(o), o]));
    apply(cepState, cepWatch.lines);
    const relisted = await get(`${sim.url}/api/v1/pods`);
    const relistedCeps = await get(`${sim.url}/apis/cilium.io/v2/ciliumendpoints`);
    const summary = (objects: Iterable<KubeObject>): string[] =>
      [...objects].map((o) => `${keyOf(o)}@${o.metadata.resourceVersion}`).sort();
    expect(summary(podState.values())).toEqual(summary(relisted.json.items));
    expect(summary(cepState.values())).toEqual(summary(relistedCeps.json.items));
    podWatch.close();
    cepWatch.close();
  });

  test('a pod being deleted is MODIFIED with a deletionTimestamp, then DELETED; its CEP goes with it', async () => {
    const start = sim.kubeStats().resourceVersion;
    const watch = await openWatch(`${sim.url}/api/v1/pods?watch=1&resourceVersion=${start}&allowWatchBookmarks=true`);
    const node = sim.cluster.nodes[1];
    const victim = [...node.pods.values()].find(
      (p) => p.endpoint && p.phase === 'Running' && p.deletionTimestamp === null
    )!;
    sim.cluster.deletePod(node, victim);
    // A request between the deletion and the tick that removes the pod lets the store see both steps.
    await get(`${sim.url}/api/v1/pods?limit=1`);
    sim.tick(1);
    await caughtUp(sim, watch);
    const mine = watch.lines.filter((l) => l.type !== 'BOOKMARK' && l.object.metadata.name === victim.name);
    expect(mine.map((l) => l.type)).toEqual(['MODIFIED', 'DELETED']);
    expect(mine[0].object.metadata.deletionTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const cep = await get(`${sim.url}/apis/cilium.io/v2/namespaces/${victim.namespace}/ciliumendpoints/${victim.name}`);
    expect(cep.status).toBe(404);
    expect(cep.json).toMatchObject({ kind: 'Status', reason: 'NotFound', code: 404 });
    watch.close();
  });

  test('a watch without a resourceVersion starts with every object as ADDED; sendInitialEvents ends with a bookmark', async () => {
    const count = sim.cluster.nodes.length;
    const plain = await openWatch(`${sim.url}/api/v1/nodes?watch=1`);
    await plain.until((_, i) => i === count - 1);
    expect(plain.lines.slice(0, count).every((l) => l.type === 'ADDED' && l.object.kind === 'Node')).toBe(true);
    plain.close();
    const listWatch = await openWatch(
      `${sim.url}/api/v1/nodes?watch=1&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan`
    );
    const end = await listWatch.until((l) => l.type === 'BOOKMARK');
    expect(end.object.metadata.annotations).toEqual({ 'k8s.io/initial-events-end': 'true' });
    expect(listWatch.lines.indexOf(end)).toBe(count);
    listWatch.close();
  });

  test('timeoutSeconds ends the stream cleanly, with a last bookmark', async () => {
    const watch = await openWatch(
      `${sim.url}/api/v1/pods?watch=1&resourceVersion=${sim.kubeStats().resourceVersion}&timeoutSeconds=1&allowWatchBookmarks=true`
    );
    expect(await watch.ended).toBe('end');
    expect(watch.lines[watch.lines.length - 1].type).toBe('BOOKMARK');
  });

  test('label and field selectors, on lists and watches', async () => {
    const agents = (await get(`${sim.url}/api/v1/namespaces/kube-system/pods?labelSelector=k8s-app%3Dcilium`)).json
      .items;
    expect(agents.map((p: KubeObject) => p.spec.nodeName).sort()).toEqual(sim.nodes);
    for (const pod of agents) {
      expect(pod.metadata.name).toMatch(/^cilium-[a-z0-9]{5}$/);
      expect(pod.spec.hostNetwork).toBe(true);
      expect(pod.status.podIP).toBe(pod.status.hostIP);
      expect(pod.metadata.ownerReferences).toEqual([
        expect.objectContaining({ kind: 'DaemonSet', name: 'cilium', controller: true }),
      ]);
    }
    const operator = (await get(`${sim.url}/api/v1/pods?labelSelector=io.cilium/app=operator,name=cilium-operator`))
      .json.items;
    expect(operator).toHaveLength(1);
    expect(operator[0].metadata.name).toMatch(/^cilium-operator-/);

    const all = (await get(`${sim.url}/api/v1/pods`)).json.items as KubeObject[];
    const expectSame = async (query: string, predicate: (p: KubeObject) => boolean): Promise<void> => {
      const got = (await get(`${sim.url}/api/v1/pods?${query}`)).json.items.map(keyOf).sort();
      const want = all.filter(predicate).map(keyOf).sort();
      expect(want.length).toBeGreaterThan(0);
      expect(got).toEqual(want);
    };
    await expectSame('fieldSelector=spec.nodeName%3Dnode-002', (p) => p.spec.nodeName === 'node-002');
    await expectSame(
      'fieldSelector=status.phase!%3DSucceeded,status.phase!%3DFailed',
      (p) => !['Succeeded', 'Failed'].includes(p.status.phase)
    );
    await expectSame(
      'fieldSelector=metadata.namespace%3Dshop,spec.nodeName%3Dnode-001',
      (p) => p.metadata.namespace === 'shop' && p.spec.nodeName === 'node-001'
    );
    await expectSame(`labelSelector=${encodeURIComponent('app in (frontend, cart)')}`, (p) =>
      ['frontend', 'cart'].includes(p.metadata.labels.app)
    );
    await expectSame(
      `labelSelector=${encodeURIComponent('app notin (frontend),!job-name,k8s-app!=cilium')}`,
      (p) =>
        p.metadata.labels.app !== 'frontend' &&
        !('job-name' in p.metadata.labels) &&
        p.metadata.labels['k8s-app'] !== 'cilium'
    );
    await expectSame('labelSelector=job-name', (p) => 'job-name' in p.metadata.labels);

    const bad = await get(`${sim.url}/api/v1/pods?labelSelector=${encodeURIComponent('app in (a')}`);
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ kind: 'Status', reason: 'BadRequest', code: 400 });
    const unsupported = await get(`${sim.url}/api/v1/pods?fieldSelector=spec.priority%3D1`);
    expect(unsupported.status).toBe(400);
    expect(unsupported.json.message).toBe('field label not supported: spec.priority');
  });

  test('a watch with a phase selector sees a completed pod as DELETED, an unfiltered one as MODIFIED', async () => {
    await get(`${sim.url}/api/v1/pods?limit=1`);
    const rv = sim.kubeStats().resourceVersion;
    const base = `${sim.url}/api/v1/pods?watch=1&resourceVersion=${rv}&allowWatchBookmarks=true`;
    const filtered = await openWatch(`${base}&fieldSelector=${encodeURIComponent('status.phase!=Succeeded')}`);
    const unfiltered = await openWatch(base);
    const node = sim.cluster.nodes[2];
    const cronJob = sim.cluster.workloads.find((w) => w.kind === 'CronJob')!;
    const job = sim.cluster.createPod(node, cronJob, { phase: 'Running', managed: true, ageSeconds: 60 });
    await get(`${sim.url}/api/v1/pods?limit=1`);
    sim.cluster.completePod(node, job, 'Succeeded');
    sim.tick(1);
    await caughtUp(sim, filtered);
    await caughtUp(sim, unfiltered);
    const typeFor = (w: WatchReader): string[] =>
      w.lines.filter((l) => l.type !== 'BOOKMARK' && l.object.metadata.name === job.name).map((l) => l.type);
    expect(typeFor(filtered)).toEqual(['ADDED', 'DELETED']);
    expect(typeFor(unfiltered)).toEqual(['ADDED', 'MODIFIED']);
    filtered.close();
    unfiltered.close();
  });

  test('limit and continue page through the list in key order', async () => {
    const full = (await get(`${sim.url}/api/v1/pods`)).json.items.map(keyOf).sort();
    const pages: string[] = [];
    let token: string | undefined;
    let first: number | undefined;
    let calls = 0;
    do {
      const page = await get(`${sim.url}/api/v1/pods?limit=7${token ? `&continue=${encodeURIComponent(token)}` : ''}`);
      expect(page.status).toBe(200);
      first ??= Number(page.json.metadata.resourceVersion);
      expect(Number(page.json.metadata.resourceVersion)).toBe(first);
      expect(page.json.items.length).toBeLessThanOrEqual(7);
      if (page.json.metadata.continue) {
        expect(page.json.metadata.remainingItemCount).toBe(full.length - pages.length - page.json.items.length);
      }
      pages.push(...page.json.items.map(keyOf));
      token = page.json.metadata.continue;
      calls++;
    } while (token && calls < 100);
    expect(pages).toEqual(full);
    expect(calls).toBe(Math.ceil(full.length / 7));
    const bad = await get(`${sim.url}/api/v1/pods?limit=7&continue=bm90LWEtdG9rZW4`);
    expect(bad.status).toBe(400);
  });

  test('get one object; unknown objects and resources are NotFound', async () => {
    const pod = sim.cluster.nodes[0].pods.values().next().value!;
    const one = await get(`${sim.url}/api/v1/namespaces/${pod.namespace}/pods/${pod.name}`);
    expect(one.status).toBe(200);
    expect(one.json.metadata).toMatchObject({ name: pod.name, namespace: pod.namespace, uid: pod.uid });
    const node = await get(`${sim.url}/api/v1/nodes/node-001`);
    expect(node.json.status.addresses).toContainEqual({ type: 'InternalIP', address: sim.cluster.nodes[1].internalIP });
    const missing = await get(`${sim.url}/api/v1/namespaces/default/pods/nope`);
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({
      reason: 'NotFound',
      message: 'pods "nope" not found',
      details: { name: 'nope', kind: 'pods' },
    });
    expect((await get(`${sim.url}/api/v1/services`)).status).toBe(404);
    expect((await get(`${sim.url}/api/v1/namespaces/%E0%A4%A/pods`)).status).toBe(404);
    expect((await get(`${sim.url}/api/v1/namespaces/a%2Fb/pods`)).status).toBe(404);
    expect((await get(`${sim.url}/apis/cilium.io/v2/ciliumnodes`)).status).toBe(404);
    const post405 = await post(`${sim.url}/api/v1/pods`, {});
    expect(post405.status).toBe(405);
  });

  test('discovery documents list what is served', async () => {
    expect((await get(`${sim.url}/version`)).json).toMatchObject({
      major: '1',
      gitVersion: expect.stringMatching(/^v1\./),
    });
    expect((await get(`${sim.url}/api`)).json).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
    const core = (await get(`${sim.url}/api/v1`)).json;
    expect(core.resources.map((r: KubeObject) => r.name).sort()).toEqual(['nodes', 'pods']);
    const groups = (await get(`${sim.url}/apis`)).json;
    expect(groups.groups.map((g: KubeObject) => g.name)).toContain('cilium.io');
    const cilium = (await get(`${sim.url}/apis/cilium.io/v2`)).json;
    expect(cilium.resources).toEqual([
      expect.objectContaining({ name: 'ciliumendpoints', kind: 'CiliumEndpoint', shortNames: ['cep', 'ciliumep'] }),
    ]);
  });

  test('CEPs carry the node IP, the owning pod and the endpoint status', async () => {
    const ceps = (await get(`${sim.url}/apis/cilium.io/v2/namespaces/shop/ciliumendpoints`)).json.items as KubeObject[];
    expect(ceps.length).toBeGreaterThan(0);
    const byIp = new Map(sim.cluster.nodes.map((n) => [n.internalIP, n]));
    for (const cep of ceps) {
      const node = byIp.get(cep.status.networking.node)!;
      expect(node).toBeDefined();
      const pod = node.pods.get(`shop/${cep.metadata.name}`)!;
      expect(cep.metadata.ownerReferences).toEqual([{ apiVersion: 'v1', kind: 'Pod', name: pod.name, uid: pod.uid }]);
      expect(cep.status).toMatchObject({
        id: pod.endpoint!.id,
        state: pod.endpoint!.state,
        identity: { id: pod.endpoint!.identity },
        networking: { addressing: [{ ipv4: pod.podIP }] },
        policy: { ingress: { enforcing: true, state: 'enforcing' }, egress: { enforcing: true } },
      });
    }
  });
});
