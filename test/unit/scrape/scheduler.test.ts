import type { ScrapeOutcome } from '../../../exporter/scrape/client';
import { type CycleStats, ScrapeScheduler } from '../../../exporter/scrape/scheduler';
import {
  type ScrapeTarget,
  StaticTargetSource,
  CombinedTargetSource,
  makeTarget,
} from '../../../exporter/scrape/targets';

const agents = (n: number) => Array.from({ length: n }, (_, i) => ({ node: `n${i}`, url: `http://x/${i}` }));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function recordingSink() {
  const records: Array<{ node: string; ok: boolean; at: number }> = [];
  const cycles: CycleStats[] = [];
  return {
    records,
    cycles,
    beginCycle: () => undefined,
    recordScrape: (t: ScrapeTarget, o: ScrapeOutcome<number>, at: number) =>
      records.push({ node: t.node, ok: o.ok, at }),
    endCycle: (s: CycleStats) => cycles.push(s),
  };
}

test('never runs more scrapes at once than maxConcurrency', async () => {
  let active = 0;
  let peak = 0;
  const sink = recordingSink();
  const s = new ScrapeScheduler<number>({
    source: new StaticTargetSource(agents(20), null),
    sink,
    intervalMs: 1000,
    maxConcurrency: 3,
    scrape: async () => {
      active++;
      peak = Math.max(peak, active);
      await sleep(5);
      active--;
      return { ok: true, value: 1, durationMs: 5, bytes: 1, contentType: undefined };
    },
  });
  const stats = await s.runCycle();
  expect(peak).toBe(3);
  expect(stats).toMatchObject({ targets: 20, succeeded: 20, failed: 0 });
  expect(sink.records).toHaveLength(20);
});

test('a slow target holds one slot: the others finish long before it', async () => {
  const sink = recordingSink();
  const started = Date.now();
  const s = new ScrapeScheduler<number>({
    source: new StaticTargetSource(agents(10), null),
    sink,
    intervalMs: 5000,
    maxConcurrency: 2,
    scrape: async (t) => {
      await sleep(t.node === 'n0' ? 400 : 5);
      return t.node === 'n0'
        ? { ok: false, kind: 'timeout', error: 'timed out', durationMs: 400 }
        : { ok: true, value: 1, durationMs: 5, bytes: 1, contentType: undefined };
    },
  });
  await s.runCycle();
  const others = sink.records.filter((r) => r.node !== 'n0');
  expect(others).toHaveLength(9);
  expect(Math.max(...others.map((r) => r.at - started))).toBeLessThan(250);
  expect(sink.records.find((r) => r.node === 'n0')).toMatchObject({ ok: false });
});

test('a scrape function that throws is recorded as a failure, the cycle goes on', async () => {
  const sink = recordingSink();
  const s = new ScrapeScheduler<number>({
    source: new StaticTargetSource(agents(3), null),
    sink,
    intervalMs: 1000,
    maxConcurrency: 2,
    scrape: async (t) => {
      if (t.node === 'n1') {
        throw new Error('boom');
      }
      return { ok: true, value: 1, durationMs: 1, bytes: 1, contentType: undefined };
    },
  });
  expect(await s.runCycle()).toMatchObject({ succeeded: 2, failed: 1 });
});

test('the loop runs cycles at the interval, never overlapping, and counts overruns', async () => {
  const sink = recordingSink();
  let active = 0;
  let overlapped = false;
  const s = new ScrapeScheduler<number>({
    source: new StaticTargetSource(agents(1), null),
    sink,
    intervalMs: 40,
    maxConcurrency: 1,
    scrape: async () => {
      active++;
      overlapped ||= active > 1;
      await sleep(sink.cycles.length === 1 ? 70 : 2);
      active--;
      return { ok: true, value: 1, durationMs: 1, bytes: 1, contentType: undefined };
    },
  });
  s.start();
  await sleep(300);
  await s.stop();
  expect(overlapped).toBe(false);
  expect(sink.cycles.length).toBeGreaterThanOrEqual(4);
  expect(sink.cycles[sink.cycles.length - 1].overruns).toBe(1);
});

test("a sharding filter keeps only this replica's targets", async () => {
  const sink = recordingSink();
  const s = new ScrapeScheduler<number>({
    source: new StaticTargetSource(agents(6), null),
    sink,
    intervalMs: 1000,
    maxConcurrency: 4,
    filter: (t) => Number(t.node.slice(1)) % 2 === 0,
    scrape: async () => ({ ok: true, value: 1, durationMs: 1, bytes: 1, contentType: undefined }),
  });
  await s.runCycle();
  expect(sink.records.map((r) => r.node).sort()).toEqual(['n0', 'n2', 'n4']);
});

test('combined sources: a static agent wins over a discovered one on the same node; one operator', () => {
  const discovered = {
    targets: () => [
      makeTarget('agent', 'n0', 'http://10.0.0.1:9962/metrics', 'kubernetes'),
      makeTarget('agent', 'n9', 'http://10.0.0.9:9962/metrics', 'kubernetes'),
      makeTarget('operator', 'cp', 'http://10.0.0.2:9963/metrics', 'kubernetes'),
    ],
  };
  const combined = new CombinedTargetSource([
    new StaticTargetSource(agents(1), { node: '', url: 'http://op/metrics' }),
    discovered,
  ]);
  const list = combined.targets();
  expect(list.map((t) => `${t.component}:${t.node}:${t.source}`)).toEqual([
    'agent:n0:static',
    'agent:n9:kubernetes',
    'operator::static',
  ]);
});
