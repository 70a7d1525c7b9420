/**
 * The Kubernetes side when things go wrong, against the simulator's API server: watches that drop, 410 Gone, the
 * API server down (stale marks, recovery without restart), the CiliumEndpoint CRD absent (counts fallback), rejected
 * credentials; and discovery following agent pods, static targets mixed in, sharding.
 */
import { shardOf } from '../../exporter/scrape/shard';
import type { NodesResponse, StatusResponse } from '../../src/contract';
import { type Pair, converged, getJson, metrics, startPair, unmanaged, waitFor } from './kube-support';

const status = async (pair: Pair) => (await getJson<StatusResponse>(`${pair.exporter.url}/api/v1/status`)).kubernetes;

describe('watch faults', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await startPair({ scenario: 'kube-hard-cases' });
    await pair.exporter.kube!.whenSynced(10_000);
    await pair.exporter.scrapeNow();
    await converged(pair);
  });
  afterAll(() => pair?.close());

  test('watches cut abruptly or cleanly resume from their resourceVersion: exact again, no relist', async () => {
    const before = await metrics(pair.exporter);
    for (const abrupt of [true, false]) {
      pair.sim.setKubeFault({ kind: 'watchDrop', abrupt });
      pair.sim.tick();
      pair.sim.setKubeFault('none');
      await converged(pair);
    }
    // Every watch ends after one event: the exporter keeps up anyway.
    pair.sim.setKubeFault({ kind: 'watchDrop', afterEvents: 1 });
    for (let i = 0; i < 3; i++) {
      pair.sim.tick();
      await converged(pair);
    }
    pair.sim.setKubeFault('none');
    const after = await metrics(pair.exporter);
    expect(after.get('ciliumscope_kube_watch_restarts_total{resource="pods"}')!).toBeGreaterThan(
      before.get('ciliumscope_kube_watch_restarts_total{resource="pods"}') ?? 0
    );
    expect(after.get('ciliumscope_kube_lists_total{resource="pods"}')).toBe(
      before.get('ciliumscope_kube_lists_total{resource="pods"}')
    );
    expect(after.get('ciliumscope_kube_lists_total{resource="ciliumendpoints"}')).toBe(
      before.get('ciliumscope_kube_lists_total{resource="ciliumendpoints"}')
    );
  });

  test('410 Gone, as an ERROR event on open watches and as HTTP 410 answers: relist, then exact again', async () => {
    const lists = async () => (await metrics(pair.exporter)).get('ciliumscope_kube_lists_total{resource="pods"}')!;
    const before = await lists();
    pair.sim.setKubeFault('gone');
    pair.sim.tick();
    await converged(pair);
    await waitFor('a relist', lists, (n) => n > before);
    const afterEvent = await lists();
    pair.sim.setKubeFault({ kind: 'gone', http410: 3 });
    pair.sim.tick();
    await converged(pair);
    await waitFor('another relist', lists, (n) => n > afterEvent);
    pair.sim.setKubeFault('none');
    pair.sim.tick();
    await converged(pair);
    expect((await status(pair)).synced).toBe(true);
  });
});

describe('the API server away', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await startPair({ scenario: 'kube-hard-cases' }, { staleAfterMs: 1500 });
    await pair.exporter.kube!.whenSynced(10_000);
    await pair.exporter.scrapeNow();
    await converged(pair);
  });
  afterAll(() => pair?.close());

  test('stale marks while down, still ready, last data kept; recovers by itself', async () => {
    const good = await unmanaged(pair.exporter);
    pair.sim.setKubeFault({ kind: 'down', reset: false });
    pair.sim.tick();
    pair.sim.tick();
    const away = await waitFor(
      'staleness',
      () => unmanaged(pair.exporter),
      (a) => a.stale,
      6000
    );
    expect(away.pods).toEqual(good.pods);
    expect(away.notice).toMatch(/stale/);
    const s = await status(pair);
    expect(s.lastSyncAgeSeconds!).toBeGreaterThan(1.5);
    expect(s.error).toMatch(/503/);
    expect(s.synced).toBe(true);
    expect((await fetch(`${pair.exporter.url}/readyz`)).status).toBe(200);
    await pair.exporter.scrapeNow();
    const m = await metrics(pair.exporter);
    expect(
      [...m.keys()].some((k) => k.startsWith('ciliumscope_unmanaged_pods{') || k.startsWith('ciliumscope_pods{'))
    ).toBe(false);
    expect(m.get('ciliumscope_kube_last_sync_age_seconds{resource="pods"}')!).toBeGreaterThan(1.5);
    expect(m.get('ciliumscope_kube_in_sync{resource="pods"}')).toBe(0);

    pair.sim.setKubeFault({ kind: 'down', reset: true });
    await new Promise((r) => setTimeout(r, 300));
    pair.sim.setKubeFault('none');
    const back = await converged(pair, 10_000);
    expect(back.stale).toBe(false);
    expect(back.notice).toBeNull();
    const recovered = await waitFor(
      'a fresh status',
      () => status(pair),
      (x) => x.lastSyncAgeSeconds === 0 && x.error === null
    );
    expect(recovered.synced).toBe(true);
    await pair.exporter.scrapeNow();
    expect((await metrics(pair.exporter)).has(`ciliumscope_pods{node="${back.pods[0].node}"}`)).toBe(true);
  });
});

describe('CiliumEndpoint CRD absent', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await startPair({ scenario: 'kube-hard-cases', kube: { token: 'sim-token', ciliumEndpointCRD: false } });
    await pair.exporter.kube!.whenSynced(10_000);
    await pair.exporter.scrapeNow();
  });
  afterAll(() => pair?.close());

  test('falls back to the count delta per node and says so', async () => {
    const truth = pair.sim.truth().unmanaged;
    expect(truth.source).toBe('counts');
    const answer = await unmanaged(pair.exporter);
    expect(answer.source).toBe('counts');
    expect(answer.notice).toMatch(/CiliumEndpoint CRD is not installed/);
    expect(answer.pods).toEqual([]);
    expect(answer.countsByNode).toEqual(truth.countsByNode);
    expect(answer.nodesWithoutAgent).toEqual(truth.nodesWithoutAgent);
    expect(answer.terminating).toEqual(truth.terminating);
    const s = await status(pair);
    expect(s).toEqual({ enabled: true, synced: true, lastSyncAgeSeconds: 0, error: null, unmanagedSource: 'counts' });
    expect((await fetch(`${pair.exporter.url}/readyz`)).status).toBe(200);
    const m = await metrics(pair.exporter);
    expect(m.get('ciliumscope_unmanaged_pods_source{source="counts"}')).toBe(1);
    expect(m.get('ciliumscope_kube_resource_absent{resource="ciliumendpoints"}')).toBe(1);
    for (const c of truth.countsByNode) {
      expect([c.node, m.get(`ciliumscope_unmanaged_pods{node="${c.node}"}`)]).toEqual([c.node, Math.max(0, c.delta)]);
      expect([c.node, m.get(`ciliumscope_endpoint_pod_delta{node="${c.node}"}`)]).toEqual([c.node, c.delta]);
    }
    // The query API's table says so too.
    const now = Date.now();
    const res = await fetch(`${pair.exporter.url}/api/v1/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from: now - 60_000, to: now, queries: [{ refId: 'U', queryType: 'unmanagedPods' }] }),
    });
    expect(JSON.stringify(await res.json())).toMatch(/CiliumEndpoint CRD is not installed/);
  });
});

describe('rejected credentials', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await startPair({}, { token: 'not-the-token' });
  });
  afterAll(() => pair?.close());

  test("not ready, with the reason in /readyz, the status and the answer's notice", async () => {
    const s = await waitFor(
      'an error',
      () => status(pair),
      (x) => x.error !== null
    );
    expect(s).toMatchObject({ enabled: true, synced: false, unmanagedSource: 'none' });
    expect(s.error).toMatch(/HTTP 401 \(the API server rejected the credentials\)/);
    await pair.exporter.scrapeNow();
    const ready = await fetch(`${pair.exporter.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.text()).toMatch(/not ready: Kubernetes pods not listed yet \(HTTP 401/);
    const answer = await unmanaged(pair.exporter);
    expect(answer).toMatchObject({ source: 'none', pods: [], syncedAt: null });
    expect(answer.notice).toMatch(/Waiting for the first list of pods.*401/);
  });
});

describe('discovery with static targets and sharding', () => {
  let pair: Pair | null = null;
  afterEach(async () => {
    await pair?.close();
    pair = null;
  });

  test('static --agent targets win over discovered ones on their node; agents that go away leave their node without agent', async () => {
    const p = await startPair(
      { scenario: 'kube-hard-cases', nodes: 8 },
      { config: (sim) => ({ agents: [{ node: sim.nodes[0], url: sim.agentUrl(sim.nodes[0]) }] }) }
    );
    pair = p;
    const staticNode = p.sim.nodes[0];
    await p.exporter.kube!.whenSynced(10_000);
    expect((await p.exporter.scrapeNow()).failed).toBe(0);
    const nodes = await getJson<NodesResponse>(`${p.exporter.url}/api/v1/nodes`);
    expect(nodes.nodes.find((n) => n.name === staticNode)).toMatchObject({ source: 'static', up: true });
    expect(nodes.nodes.filter((n) => n.source === 'kubernetes').length).toBe(6);

    // An agent pod goes away: discovery drops its target; its node's pods are reported as without agent.
    const victim = p.sim.cluster.nodes.find((n) => n.agent !== null && n.name !== staticNode)!.name;
    p.sim.cluster.removeAgent(victim);
    p.sim.tick();
    await waitFor(
      'discovery to drop the agent',
      () => p.exporter.kube!.targetSource.targets(),
      (t) => !t.some((x) => x.node === victim)
    );
    await p.exporter.scrapeNow();
    const answer = await converged(p);
    expect(answer.nodesWithoutAgent.map((n) => n.node)).toContain(victim);
    expect((await metrics(p.exporter)).get(`ciliumscope_node_without_agent{node="${victim}"}`)).toBe(1);
  });

  test('a shard reports only its nodes', async () => {
    const shard = { index: 0, count: 2 };
    const p = await startPair({ scenario: 'kube-hard-cases', nodes: 8 }, { config: () => ({ shard }) });
    pair = p;
    await p.exporter.kube!.whenSynced(10_000);
    await p.exporter.scrapeNow();
    const mine = (node: string) => shardOf(node, shard.count) === shard.index;
    expect(p.sim.nodes.filter(mine).length).toBeGreaterThan(0);
    expect(p.sim.nodes.filter((n) => !mine(n)).length).toBeGreaterThan(0);
    const answer = await converged(p, 8000, mine);
    expect(answer.pods.every((x) => mine(x.node))).toBe(true);
    const m = await metrics(p.exporter);
    const podNodes = [...m.keys()]
      .filter((k) => k.startsWith('ciliumscope_pods{'))
      .map((k) => /node="([^"]+)"/.exec(k)![1]);
    expect(podNodes.length).toBeGreaterThan(0);
    expect(podNodes.every(mine)).toBe(true);
  });
});
