import { SimulatedCluster, ClusterOptionsError } from '../../../simulator/cluster';
import { podKey } from '../../../simulator/model';
import { Prng, hashSeed } from '../../../simulator/prng';
import { clusterTruth, type SimulatorTruth } from '../../../simulator/truth';

const truthOf = (cluster: SimulatedCluster): SimulatorTruth => clusterTruth(cluster, () => 'none', 'none');

describe('Prng', () => {
  test('the same seed gives the same stream, another seed another', () => {
    const a = new Prng(42);
    const b = new Prng(42);
    const c = new Prng(43);
    const sa = Array.from({ length: 20 }, () => a.nextUint32());
    expect(Array.from({ length: 20 }, () => b.nextUint32())).toEqual(sa);
    expect(Array.from({ length: 20 }, () => c.nextUint32())).not.toEqual(sa);
  });

  test('floats are uniform in [0, 1) and Poisson counts have the asked mean', () => {
    const rng = new Prng(hashSeed(7, 'stats'));
    let sum = 0;
    let min = 1;
    let max = 0;
    for (let i = 0; i < 20000; i++) {
      const x = rng.float();
      sum += x;
      min = Math.min(min, x);
      max = Math.max(max, x);
    }
    expect(sum / 20000).toBeCloseTo(0.5, 1);
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    for (const lambda of [0.3, 4, 50]) {
      let total = 0;
      for (let i = 0; i < 5000; i++) {
        total += rng.poisson(lambda);
      }
      expect(total / 5000).toBeGreaterThan(lambda * 0.9);
      expect(total / 5000).toBeLessThan(lambda * 1.1);
    }
  });
});

describe('SimulatedCluster', () => {
  test('is deterministic: same options and calls give the same state', () => {
    const run = (): SimulatorTruth => {
      const cluster = new SimulatedCluster({ nodes: 6, seed: 99, ciliumVersion: '1.16' });
      cluster.tick(20);
      cluster.restartAgent('node-002');
      cluster.addSpike({ node: 'node-001', direction: 'INGRESS', reason: 'Policy denied', factor: 50, ticks: 3 });
      cluster.tick(10);
      return truthOf(cluster);
    };
    const first = run();
    expect(run()).toEqual(first);
    const other = new SimulatedCluster({ nodes: 6, seed: 100, ciliumVersion: '1.16' });
    other.tick(30);
    expect(truthOf(other).nodes['node-000']).not.toEqual(first.nodes['node-000']);
  });

  test('Hubble is off unless asked for; on, it attributes every drop and changes nothing the agents show', () => {
    const off = new SimulatedCluster({ nodes: 3, seed: 31 });
    const on = new SimulatedCluster({ nodes: 3, seed: 31, hubble: true });
    expect(off.hubble).toBeNull();
    expect(new SimulatedCluster({ nodes: 1, seed: 31, hubbleContext: 'labels' }).hubble).not.toBeNull();
    off.tick(15);
    on.tick(15);
    const [offTruth, onTruth] = [truthOf(off), truthOf(on)];
    expect(offTruth.hubble).toEqual({});
    expect(onTruth.nodes).toEqual(offTruth.nodes);
    for (const node of on.nodeNames()) {
      const agentDrops = onTruth.nodes[node].agent!.dropped.filter(
        (d) => d.direction === 'INGRESS' || d.direction === 'EGRESS'
      );
      const attributed = onTruth.hubble[node].flows.reduce((sum, f) => sum + f.packets, 0);
      expect(attributed).toBe(agentDrops.reduce((sum, d) => sum + d.packets, 0));
      expect(attributed).toBeGreaterThan(0);
    }
  });

  test('a spike on one node leaves every other node unchanged', () => {
    const plain = new SimulatedCluster({ nodes: 4, seed: 5 });
    const spiked = new SimulatedCluster({ nodes: 4, seed: 5 });
    spiked.addSpike({ node: 'node-003', direction: 'EGRESS', reason: 'Policy denied', factor: 100, ticks: 5 });
    plain.tick(8);
    spiked.tick(8);
    const a = truthOf(plain);
    const b = truthOf(spiked);
    for (const node of ['node-000', 'node-001', 'node-002']) {
      expect(b.nodes[node]).toEqual(a.nodes[node]);
    }
    const drops = (t: SimulatorTruth): number =>
      t.nodes['node-003'].agent!.dropped.find((d) => d.direction === 'EGRESS' && d.reason === 'Policy denied')
        ?.packets ?? 0;
    // Factor 100 over five ticks of 5 s adds at least 99 packets/s on top of the background.
    expect(drops(b) - drops(a)).toBeGreaterThan(99 * 5 * 5 * 0.8);
  });

  test('counters only grow across ticks, and endpoint states always sum to the endpoint total', () => {
    const cluster = new SimulatedCluster({ nodes: 6, seed: 3, podsPerNode: 40 });
    let previous = truthOf(cluster);
    let sawTransientState = false;
    const violations: string[] = [];
    const check = (ok: boolean, what: string): void => {
      if (!ok) {
        violations.push(`tick ${cluster.tickCount}: ${what}`);
      }
    };
    for (let i = 0; i < 50; i++) {
      cluster.tick();
      const now = truthOf(cluster);
      for (const [name, node] of Object.entries(now.nodes)) {
        const agent = node.agent!;
        const before = previous.nodes[name].agent!;
        const endpoints = agent.endpoints!;
        const states = Object.values(agent.endpointStates).reduce((a, b) => a + b, 0);
        check(states === endpoints, `${name} states sum ${states} != ${endpoints}`);
        // Pod endpoints plus the host and health endpoints.
        check(
          endpoints === node.pods.managed + node.pods.terminatingManaged + 2,
          `${name} endpoints ${endpoints} vs pods`
        );
        check(agent.ipAddresses.ipv4 === endpoints, `${name} ipv4`);
        check(Object.values(agent.enforcement).reduce((a, b) => a + b, 0) === endpoints, `${name} enforcement sum`);
        sawTransientState ||= agent.endpointStates.ready < endpoints;
        for (const outcome of Object.keys(before.regenerations)) {
          check(
            agent.regenerations[outcome] >= before.regenerations[outcome],
            `${name} regenerations ${outcome} decreased`
          );
        }
        for (const f of before.forwarded) {
          const after = agent.forwarded.find((x) => x.direction === f.direction)!;
          check(after.packets > f.packets && after.bytes! > f.bytes!, `${name} forwarded ${f.direction} did not grow`);
        }
        for (const d of before.dropped) {
          const after = agent.dropped.find((x) => x.direction === d.direction && x.reason === d.reason);
          check(
            after !== undefined && after.packets >= d.packets && after.bytes! >= d.bytes!,
            `${name} drops ${d.reason} decreased`
          );
        }
        check(agent.regenerationTime!.count >= before.regenerationTime!.count, `${name} regeneration histogram shrank`);
        check(agent.policyImportErrors! >= before.policyImportErrors!, `${name} import errors decreased`);
        check(agent.processStartTimeSeconds === before.processStartTimeSeconds, `${name} restarted`);
      }
      previous = now;
    }
    expect(violations).toEqual([]);
    expect(sawTransientState).toBe(true);
  });

  test('drops are bursty and mostly zero per tick', () => {
    const cluster = new SimulatedCluster({ nodes: 10, seed: 11 });
    let zero = 0;
    let nonZero = 0;
    let maxBurst = 0;
    let before = truthOf(cluster);
    for (let i = 0; i < 60; i++) {
      cluster.tick();
      const after = truthOf(cluster);
      for (const name of Object.keys(after.nodes)) {
        const old = new Map(before.nodes[name].agent!.dropped.map((d) => [`${d.direction}|${d.reason}`, d.packets]));
        for (const d of after.nodes[name].agent!.dropped) {
          const delta = d.packets - (old.get(`${d.direction}|${d.reason}`) ?? 0);
          if (delta === 0) {
            zero++;
          } else {
            nonZero++;
            maxBurst = Math.max(maxBurst, delta);
          }
        }
      }
      before = after;
    }
    expect(zero).toBeGreaterThan(nonZero * 3);
    expect(nonZero).toBeGreaterThan(10);
    expect(maxBurst).toBeGreaterThan(10);
  });

  test('a restart resets counters and moves the process start time to now', () => {
    const cluster = new SimulatedCluster({ nodes: 3, seed: 8 });
    cluster.tick(10);
    const before = truthOf(cluster).nodes['node-001'].agent!;
    cluster.restartAgent('node-001');
    const after = truthOf(cluster).nodes['node-001'].agent!;
    expect(after.processStartTimeSeconds!).toBeGreaterThan(before.processStartTimeSeconds!);
    expect(after.processStartTimeSeconds!).toBeGreaterThanOrEqual(cluster.nowSeconds);
    expect(after.forwarded.every((f) => f.packets === 0)).toBe(true);
    expect(after.dropped).toEqual([]);
    expect(after.regenerations.success).toBe(0);
    expect(after.regenerationTime).toBeNull();
    expect(after.endpointStates.restoring).toBe(after.endpoints);
    cluster.tick();
    const restored = truthOf(cluster).nodes['node-001'].agent!;
    expect(restored.endpointStates.restoring).toBe(0);
    expect(restored.regenerations.success + restored.regenerations.failure).toBeGreaterThanOrEqual(
      after.endpoints! - 2
    );
    expect(restored.forwarded[0].packets).toBeGreaterThan(0);
    expect(restored.processStartTimeSeconds).toBe(after.processStartTimeSeconds);
  });

  test('pods look like a real cluster and agree with the CiliumEndpoints', () => {
    const cluster = new SimulatedCluster({ nodes: 20, seed: 21, podsPerNode: 30 });
    cluster.tick(30);
    const pods = cluster.listPods();
    expect(new Set(pods.map(podKey)).size).toBe(pods.length);
    expect(pods.some((p) => /^frontend-[a-z0-9]{9,10}-[a-z0-9]{5}$/.test(p.name) && p.ownerKind === 'ReplicaSet')).toBe(
      true
    );
    expect(pods.some((p) => /^kafka-\d+$/.test(p.name) && p.ownerKind === 'StatefulSet')).toBe(true);
    expect(pods.some((p) => p.name.startsWith('cilium-') && p.hostNetwork && p.ownerKind === 'DaemonSet')).toBe(true);
    expect(pods.some((p) => p.ownerKind === 'Job' && p.phase === 'Succeeded')).toBe(true);
    expect(pods.some((p) => p.nodeName === null && p.phase === 'Pending')).toBe(true);
    expect(pods.filter((p) => p.labels['k8s-app'] === 'kube-dns')).toHaveLength(2);
    const ceps = cluster.listCiliumEndpoints();
    const cepKeys = new Set(ceps.map((c) => `${c.namespace}/${c.name}`));
    for (const pod of pods) {
      expect(cepKeys.has(podKey(pod))).toBe(pod.endpoint !== null);
      if (pod.endpoint) {
        expect(pod.hostNetwork).toBe(false);
        expect(['Running', 'Pending']).toContain(pod.phase);
      }
    }
    const truth = truthOf(cluster);
    const unmanaged = Object.values(truth.nodes).flatMap((n) => n.pods.unmanagedPods);
    expect(unmanaged.length).toBeGreaterThan(0);
    for (const u of unmanaged) {
      expect(cepKeys.has(`${u.namespace}/${u.name}`)).toBe(false);
    }
    expect(ceps.every((c) => c.nodeIP === cluster.node(c.nodeName)!.internalIP)).toBe(true);
    expect(new Set(pods.filter((p) => p.podIP && !p.hostNetwork).map((p) => p.podIP)).size).toBe(
      pods.filter((p) => p.podIP && !p.hostNetwork).length
    );
  });

  test('pods churn over time', () => {
    const cluster = new SimulatedCluster({ nodes: 5, seed: 2 });
    const before = new Set(cluster.listPods().map(podKey));
    cluster.tick(200);
    const after = cluster.listPods().map(podKey);
    expect(after.filter((k) => !before.has(k)).length).toBeGreaterThan(10);
    expect(Math.abs(after.length - before.size)).toBeLessThan(before.size * 0.2);
  });

  test('rejects bad options with a clear message', () => {
    expect(() => new SimulatedCluster({ nodes: 0 })).toThrow(ClusterOptionsError);
    expect(() => new SimulatedCluster({ nodes: 2, ciliumVersion: '2.0' })).toThrow(/unsupported Cilium version "2.0"/);
    expect(() => new SimulatedCluster({ nodes: 2, scenario: 'nope' })).toThrow(
      /unknown scenario "nope": known scenarios are default/
    );
    expect(() => new SimulatedCluster({ nodes: 2, podsPerNode: 1.5 })).toThrow(/podsPerNode must be an integer/);
    const cluster = new SimulatedCluster({ nodes: 2 });
    expect(() => cluster.restartAgent('node-9')).toThrow(/unknown node "node-9"/);
    expect(() => cluster.addSpike({ node: 'node-000', direction: 'in', reason: 'x', factor: 2, ticks: 1 })).toThrow(
      /direction/
    );
    expect(() =>
      cluster.addSpike({ node: 'node-000', direction: 'INGRESS', reason: 'x', factor: 2, ticks: 0 })
    ).toThrow(/ticks/);
  });
});
