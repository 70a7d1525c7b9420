/**
 * Scale-out with --shard N/M: three replicas on one simulator together export every node exactly once (and the
 * operator once, from shard 0), the way Prometheus combines them (sum by node over all replicas) gives the same
 * numbers as one unsharded exporter, and a replica losing its agents leaves the others' nodes untouched.
 */
import { type RunningExporter, startExporter } from '../../exporter/app';
import { shardOf } from '../../exporter/scrape/shard';
import { type RunningSimulator, startSimulator } from '../../simulator';
import type { NodesResponse } from '../../src/contract';
import { testConfig } from '../support/config';
import { readExposition, seriesId } from '../support/exposition';

const NODES = 30;
const REPLICAS = 3;
let sim: RunningSimulator;
let whole: RunningExporter;
const shards: RunningExporter[] = [];

beforeAll(async () => {
  sim = await startSimulator({ nodes: NODES, seed: 41, autoTickMs: 0, pageKB: 16 });
  const config = (shard: { index: number; count: number } | null) =>
    testConfig({
      agents: sim.nodes.map((node) => ({ node, url: sim.agentUrl(node) })),
      operator: { node: '', url: sim.operatorUrl },
      scrapeIntervalMs: sim.cluster.tickSeconds * 1000,
      staleAfterMs: 3 * sim.cluster.tickSeconds * 1000,
      shard,
    });
  const now = () => sim.cluster.nowSeconds * 1000;
  whole = await startExporter(config(null), { autoScrape: false, now });
  for (let index = 0; index < REPLICAS; index++) {
    shards.push(await startExporter(config({ index, count: REPLICAS }), { autoScrape: false, now }));
  }
  for (let k = 0; k < 3; k++) {
    sim.tick();
    await Promise.all([whole, ...shards].map((e) => e.scrapeNow()));
  }
});

afterAll(async () => {
  await Promise.all([whole, ...shards].map((e) => e?.close()));
  await sim?.close();
});

const exposition = async (e: RunningExporter) => readExposition(await (await fetch(`${e.url}/metrics`)).text());

test('every node is scraped and exported by exactly one replica, the one its name hashes to', async () => {
  const owners = new Map<string, number[]>();
  for (const [index, e] of shards.entries()) {
    const nodes = ((await (await fetch(`${e.url}/api/v1/nodes`)).json()) as NodesResponse).nodes;
    for (const n of nodes) {
      owners.set(n.name, [...(owners.get(n.name) ?? []), index]);
      expect(shardOf(n.name, REPLICAS)).toBe(index);
    }
    const m = await exposition(e);
    const exported = [...m.keys()].filter(
      (id) => id.startsWith('ciliumscope_target_up{') && id.includes('component="agent"')
    );
    expect(exported.length).toBe(nodes.length);
  }
  expect([...owners.keys()].sort()).toEqual([...sim.nodes].sort());
  expect([...owners.values()].every((o) => o.length === 1)).toBe(true);
  // A hash split this size is never badly lopsided.
  const sizes = shards.map((_, i) => [...owners.values()].filter((o) => o[0] === i).length);
  expect(Math.min(...sizes)).toBeGreaterThan(0);
});

test('only shard 0 scrapes the operator', async () => {
  const ops = await Promise.all(
    shards.map(async (e) =>
      (await exposition(e)).get(seriesId('ciliumscope_target_up', { node: '', component: 'operator' }))
    )
  );
  expect(ops).toEqual([1, undefined, undefined]);
  const status = await Promise.all(
    shards.map(async (e) => (await (await fetch(`${e.url}/api/v1/status`)).json()) as { shard: unknown })
  );
  expect(status.map((s) => s.shard)).toEqual(shards.map((_, index) => ({ index, count: REPLICAS })));
});

test('summing the replicas by node gives what one unsharded exporter exports, series for series', async () => {
  const single = await exposition(whole);
  // Series a sharded and an unsharded exporter need not share: their own cycles and history, drop anomaly state, and
  // scrape timeouts, which depend on the machine's load at the moment of a scrape, not on how targets are sharded.
  const compares = (id: string) =>
    id.startsWith('ciliumscope_') &&
    !/^ciliumscope_(scrape_cycle|history|build_info|scrape_cycles|target_scrape_duration|drop_)/.test(id) &&
    !id.includes('kind="timeout"');
  const union = new Map<string, number>();
  for (const e of shards) {
    for (const [id, v] of await exposition(e)) {
      if (!compares(id)) {
        continue;
      }
      expect(union.has(id)).toBe(false);
      union.set(id, v);
    }
  }
  let compared = 0;
  for (const [id, v] of single) {
    if (!compares(id)) {
      continue;
    }
    expect([id, union.get(id)]).toEqual([id, v]);
    compared++;
  }
  expect(compared).toBeGreaterThan(NODES * 10);
  // And cluster totals add up: sum over replicas of the forwarded packets equals the simulator's truth.
  const truth = sim.truth();
  const total = sim.nodes.reduce((a, n) => a + truth.nodes[n].agent!.forwarded.reduce((b, f) => b + f.packets, 0), 0);
  const summed = [...union.entries()]
    .filter(([id]) => id.startsWith('ciliumscope_forwarded_packets_total{'))
    .reduce((a, [, v]) => a + v, 0);
  expect(summed).toBe(total);
});

test("one replica's agents failing leaves the other replicas' nodes exact", async () => {
  const victims = sim.nodes.filter((n) => shardOf(n, REPLICAS) === 1);
  for (const n of victims) {
    sim.setFault(n, 'down');
  }
  try {
    sim.tick();
    const stats = await Promise.all(shards.map((e) => e.scrapeNow()));
    expect(stats[1].failed).toBe(victims.length);
    expect(stats[0].failed + stats[2].failed).toBe(0);
    const truth = sim.truth();
    for (const index of [0, 2]) {
      const m = await exposition(shards[index]);
      for (const n of sim.nodes.filter((x) => shardOf(x, REPLICAS) === index)) {
        expect(m.get(seriesId('ciliumscope_endpoints_total', { node: n }))).toBe(truth.nodes[n].agent!.endpoints);
      }
    }
  } finally {
    for (const n of victims) {
      sim.setFault(n, 'none');
    }
  }
});
