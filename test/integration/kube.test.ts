/**
 * The Kubernetes side end to end, through the real client library against the simulator's API server over loopback:
 * discovery, every hard case of the unmanaged-pod join, the API and /metrics against the simulator's truth, and
 * churn followed watch event by watch event.
 */
import type { NodesResponse, StatusResponse } from '../../src/contract';
import {
  type Pair,
  comparable,
  converged,
  getJson,
  metrics,
  startPair,
  truthComparable,
  unmanaged,
  waitFor,
} from './kube-support';

let pair: Pair;

beforeAll(async () => {
  pair = await startPair({ scenario: 'kube-hard-cases', nodes: 6 });
  await pair.exporter.kube!.whenSynced(10_000);
  const stats = await pair.exporter.scrapeNow();
  expect(stats.failed).toBe(0);
});
afterAll(() => pair?.close());

test('discovery finds one agent per node that runs one, and the operator, and scrapes them', async () => {
  const withAgent = pair.sim.cluster.nodes.filter((n) => n.agent !== null).map((n) => n.name);
  expect(withAgent.length).toBe(5);
  const nodes = await getJson<NodesResponse>(`${pair.exporter.url}/api/v1/nodes`);
  expect(nodes.nodes.map((n) => n.name)).toEqual(withAgent);
  expect(nodes.nodes.every((n) => n.up && n.source === 'kubernetes')).toBe(true);
  const m = await metrics(pair.exporter);
  expect(m.get('ciliumscope_discovered_targets{component="agent"}')).toBe(5);
  expect(m.get('ciliumscope_discovered_targets{component="operator"}')).toBe(1);
  expect(
    m.get(
      'ciliumscope_target_up{component="operator",node="' + pair.exporter.model.operator()!.target.target.node + '"}'
    )
  ).toBe(1);
});

test('every hard case is classified as the truth says, via the API', async () => {
  const answer = await converged(pair);
  expect(answer.source).toBe('ciliumendpoints');
  expect(answer.notice).toBeNull();
  expect(answer.stale).toBe(false);
  expect(answer.syncedAt).not.toBeNull();
  const cases = pair.sim.truth().unmanaged.cases;
  expect(cases.length).toBeGreaterThanOrEqual(14);
  const listed = new Set(answer.pods.map((p) => `${p.namespace}/${p.name}`));
  const terminating = new Set(answer.terminating.map((p) => `${p.namespace}/${p.name}`));
  for (const c of cases) {
    expect(c.actual).toBe(c.expected);
    const key = `${c.namespace}/${c.name}`;
    const where =
      c.expected === 'no-agent'
        ? answer.nodesWithoutAgent.some((n) => n.node === c.node) && !listed.has(key)
        : c.expected === 'unmanaged'
          ? listed.has(key) && !terminating.has(key)
          : c.expected === 'terminating'
            ? terminating.has(key) && !listed.has(key)
            : !listed.has(key) && !terminating.has(key);
    if (!where) {
      throw new Error(`case ${c.case} (${key} on ${c.node}) expected ${c.expected}: ${c.note}`);
    }
  }
  // The prefix and look-alike names: exact matching, no substring or regex.
  expect(listed.has('default/web')).toBe(true);
  expect(listed.has('default/web-1')).toBe(false);
  expect(listed.has('default/api.v2')).toBe(true);
  expect(listed.has('default/api-v2')).toBe(false);
});

test('/metrics per node equals the truth: pods, unmanaged, terminating, delta, node without agent', async () => {
  await converged(pair);
  const truth = pair.sim.truth().unmanaged;
  const m = await metrics(pair.exporter);
  const orphan = pair.sim.cluster.nodes.find((n) => n.agent === null)!.name;
  for (const c of truth.countsByNode) {
    const node = `{node="${c.node}"}`;
    expect([c.node, m.get(`ciliumscope_pods${node}`)]).toEqual([c.node, c.pods]);
    expect([c.node, m.get(`ciliumscope_unmanaged_pods${node}`)]).toEqual([
      c.node,
      truth.pods.filter((p) => p.node === c.node).length,
    ]);
    expect([c.node, m.get(`ciliumscope_terminating_pods${node}`)]).toEqual([
      c.node,
      truth.terminating.filter((p) => p.node === c.node).length,
    ]);
    expect([c.node, m.get(`ciliumscope_endpoint_pod_delta${node}`)]).toEqual([c.node, c.delta]);
    expect([c.node, m.get(`ciliumscope_pod_endpoints${node}`)]).toEqual([c.node, c.podEndpoints]);
    expect(m.get(`ciliumscope_node_without_agent${node}`)).toBe(0);
  }
  const withoutAgent = truth.nodesWithoutAgent.find((n) => n.node === orphan)!;
  expect(m.get(`ciliumscope_node_without_agent{node="${orphan}"}`)).toBe(1);
  expect(m.has(`ciliumscope_unmanaged_pods{node="${orphan}"}`)).toBe(false);
  expect(m.get(`ciliumscope_pods{node="${orphan}"}`)).toBe(
    withoutAgent.pods + truth.terminating.filter((p) => p.node === orphan).length
  );
  expect(m.get('ciliumscope_unmanaged_pods_source{source="ciliumendpoints"}')).toBe(1);
  for (const resource of ['pods', 'ciliumendpoints', 'agent-pods', 'operator-pods']) {
    expect([resource, m.get(`ciliumscope_kube_synced{resource="${resource}"}`)]).toEqual([resource, 1]);
    expect(m.get(`ciliumscope_kube_last_sync_age_seconds{resource="${resource}"}`)).toBe(0);
    expect(m.get(`ciliumscope_kube_lists_total{resource="${resource}"}`)).toBe(1);
  }
  expect(m.get('ciliumscope_kube_objects{resource="pods"}')).toBe(pair.sim.cluster.listPods().length);
});

test("filters, namespaces, the node list's pod counts and the status", async () => {
  const answer = await converged(pair);
  const truth = truthComparable(pair.sim);
  const node = answer.pods[0].node;
  const byNode = await unmanaged(pair.exporter, `?node=${encodeURIComponent(node)},no-such-node`);
  expect(byNode.pods).toEqual(truth.pods.filter((p) => p.node === node));
  const byNs = await unmanaged(pair.exporter, '?namespace=default,shop');
  expect(byNs.pods).toEqual(truth.pods.filter((p) => p.namespace === 'default' || p.namespace === 'shop'));
  expect(byNs.terminating).toEqual(
    truth.terminating.filter((p) => p.namespace === 'default' || p.namespace === 'shop')
  );

  const namespaces = await getJson<{ namespaces: string[] }>(`${pair.exporter.url}/api/v1/namespaces`);
  expect(namespaces.namespaces).toEqual([...new Set(pair.sim.cluster.listPods().map((p) => p.namespace))].sort());

  const nodes = await getJson<NodesResponse>(`${pair.exporter.url}/api/v1/nodes`);
  const counts = pair.sim.truth().unmanaged.countsByNode;
  for (const n of nodes.nodes) {
    expect({ node: n.name, pods: n.pods, unmanaged: n.unmanagedPods }).toEqual({
      node: n.name,
      pods: counts.find((c) => c.node === n.name)!.pods,
      unmanaged: truth.pods.filter((p) => p.node === n.name).length,
    });
  }

  const status = await getJson<StatusResponse>(`${pair.exporter.url}/api/v1/status`);
  expect(status.kubernetes).toEqual({
    enabled: true,
    synced: true,
    lastSyncAgeSeconds: 0,
    error: null,
    unmanagedSource: 'ciliumendpoints',
  });
  const ready = await fetch(`${pair.exporter.url}/readyz`);
  expect(ready.status).toBe(200);
});

test("churn: every tick's changes are followed from watch events alone, no scrape cycle needed", async () => {
  const cyclesBefore = pair.exporter.model.cycleCount();
  let changed = 0;
  for (let tick = 0; tick < 12; tick++) {
    const before = JSON.stringify(truthComparable(pair.sim));
    pair.sim.tick();
    if (JSON.stringify(truthComparable(pair.sim)) !== before) {
      changed++;
    }
    await converged(pair, 5000);
  }
  // The scenario adds and removes a short-lived pod every tick, so the list really moved.
  expect(changed).toBeGreaterThan(3);
  expect(pair.exporter.model.cycleCount()).toBe(cyclesBefore);
  const m = await metrics(pair.exporter);
  expect(m.get('ciliumscope_kube_lists_total{resource="pods"}')).toBe(1);
  expect(m.get('ciliumscope_kube_watch_restarts_total{resource="pods"}')).toBe(0);
});

test('the history records pods, unmanaged pods and the delta per node each cycle (podEndpointDelta query)', async () => {
  for (let i = 0; i < 2; i++) {
    pair.sim.tick();
    await converged(pair);
    await pair.exporter.scrapeNow();
  }
  const truth = pair.sim.truth().unmanaged;
  const now = Date.now();
  const res = await fetch(`${pair.exporter.url}/api/v1/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      from: now - 120_000,
      to: now + 1000,
      maxDataPoints: 200,
      queries: [{ refId: 'A', queryType: 'podEndpointDelta', groupBy: 'node' }],
    }),
  });
  const body = (await res.json()) as {
    results: Record<
      string,
      {
        frames: Array<{
          schema: {
            fields: Array<{ name: string; labels?: Record<string, string>; config?: { displayNameFromDS?: string } }>;
          };
          data: { values: unknown[][] };
        }>;
      }
    >;
  };
  const frames = body.results.A.frames;
  const last = (display: string) => {
    const f = frames.find((fr) => fr.schema.fields[1]?.config?.displayNameFromDS === display);
    const values = (f?.data.values[1] ?? []).filter((v) => v !== null);
    return values[values.length - 1];
  };
  const c = truth.countsByNode[0];
  expect(last(`${c.node} pods`)).toBe(c.pods);
  expect(last(`${c.node} pod endpoints`)).toBe(c.podEndpoints);
  expect(last(`${c.node} delta`)).toBe(c.delta);
  await waitFor(
    'same answer',
    () => unmanaged(pair.exporter),
    (a) => JSON.stringify(comparable(a)) === JSON.stringify(truthComparable(pair.sim))
  );
});
