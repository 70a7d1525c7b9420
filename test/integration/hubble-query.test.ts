/**
 * The workloadDrops query type against the simulator's truth, for each context form of the Hubble pages: the top
 * pairs (ranked by their mean drop rate over the range) and their rates point by point, "other pairs", the table's
 * node × pair rows with their share of the node's drops, the namespace, workload, reason and direction filters, and
 * the variables' lists. The exporter's clock is on simulated time, so rates are exact (test/support/hubble-rates.ts).
 */
import { type RunningExporter, startExporter } from '../../exporter/app';
import type { BareValueReading } from '../../exporter/hubble/context';
import { type RunningSimulator, type SimContextForm, type SimulatorTruth, startSimulator } from '../../simulator';
import type { DataFrameJSON, QueryResponse, ScopeQuery, WorkloadsResponse } from '../../src/contract';
import { testConfig } from '../support/config';
import { hubbleSettings } from '../support/hubble';
import { WINDOW_TICKS, mean, nodeOf, pairOf, rowRates, sumRows } from '../support/hubble-rates';

const TICKS = 14;
/** The points of the range: every scrape whose rate window starts at a scrape. */
const POINTS = Array.from({ length: TICKS - WINDOW_TICKS + 1 }, (_, i) => i + WINDOW_TICKS);

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));

interface Run {
  sim: RunningSimulator;
  exporter: RunningExporter;
  truths: SimulatorTruth[];
  query(queries: Array<Omit<ScopeQuery, 'refId'>>): Promise<DataFrameJSON[][]>;
}

async function start(form: SimContextForm, reading: BareValueReading): Promise<Run> {
  const sim = await startSimulator({ nodes: 3, seed: 31, autoTickMs: 0, pageKB: 20, hubbleContext: form, kube: false });
  // Policy denials both ways on every node, so pairs drop at most ticks.
  for (const direction of ['INGRESS', 'EGRESS']) {
    sim.spike({ node: '*', direction, reason: 'Policy denied', factor: 4, ticks: 1000 });
  }
  const tickMs = sim.cluster.tickSeconds * 1000;
  const exporter = await startExporter(
    testConfig({
      agents: sim.nodes.map((node) => ({ node, url: sim.agentUrl(node) })),
      scrapeIntervalMs: tickMs,
      scrapeTimeoutMs: 2000,
      staleAfterMs: 1_000_000,
      hubble: hubbleSettings(sim, { context: reading }),
    }),
    { autoScrape: false, now: () => sim.cluster.nowSeconds * 1000 }
  );
  const truths: SimulatorTruth[] = [];
  for (let k = 0; k <= TICKS; k++) {
    if (k > 0) {
      sim.tick();
    }
    truths.push(sim.truth());
    expect((await exporter.scrapeNow()).failed).toBe(0);
  }
  const query = async (queries: Array<Omit<ScopeQuery, 'refId'>>) => {
    const body = {
      from: truths[WINDOW_TICKS].timeSeconds * 1000,
      to: truths[TICKS].timeSeconds * 1000,
      intervalMs: tickMs,
      maxDataPoints: 1000,
      queries: queries.map((q, i) => ({ refId: String.fromCharCode(65 + i), ...q })),
    };
    const res = await fetch(`${exporter.url}/api/v1/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
    const json = (await res.json()) as QueryResponse;
    return body.queries.map((q) => {
      expect(json.results[q.refId].error).toBeUndefined();
      return json.results[q.refId].frames;
    });
  };
  return { sim, exporter, truths, query };
}

/** A series' or row's pair in the truth's key order: reason|direction|srcNs|srcWl|dstNs|dstWl. */
const pairKeyOf = (l: Record<string, string>) =>
  [l.reason, l.direction, l.source_namespace, l.source_workload, l.destination_namespace, l.destination_workload].join(
    '|'
  );

const tableRows = (frame: DataFrameJSON) => {
  const names = frame.schema.fields.map((f) => f.name);
  return (frame.data.values[0] as unknown[]).map(
    (_, i) => Object.fromEntries(names.map((n, c) => [n, frame.data.values[c][i]])) as Record<string, string | number>
  );
};

/** "ns/wl", either alone, or "(not a workload)": the table's Source and Destination. */
const endpointText = (namespace: string, workload: string) =>
  namespace && workload ? `${namespace}/${workload}` : namespace || workload || '(not a workload)';
const rowKeyOfTable = (r: Record<string, string | number>, truthKeys: Map<string, string>) =>
  truthKeys.get([r.Node, r.Reason, r.Direction, r.Source, r.Destination].join('|'));

/**
 * Checks a pairs answer against the expected pair sums: the pairs drawn are the first n by mean rate (ties by labels,
 * as the exporter takes them), each with the expected rates, and "other pairs" is the rest.
 */
function checkPairs(frames: DataFrameJSON[], expected: Map<string, Array<number | null>>, n: number): void {
  const drawn = frames.filter((f) => f.schema.fields[1].labels?.others === undefined);
  const others = frames.find((f) => f.schema.fields[1].labels?.others === 'pairs');
  const ranked = [...expected]
    .map(([key, values]) => ({ key, values, mean: mean(values) ?? 0 }))
    .filter((e) => e.mean > 0)
    .sort((a, b) => b.mean - a.mean);
  expect(drawn.length).toBe(Math.min(n, ranked.length));
  drawn.forEach((f, i) => {
    const key = pairKeyOf(f.schema.fields[1].labels!);
    const values = expected.get(key);
    expect([key, values !== undefined]).toEqual([key, true]);
    // The i-th drawn has the i-th mean (pairs with the same mean may come in either order here).
    expect([i, key, close(mean(values!)!, ranked[i].mean)]).toEqual([i, key, true]);
    (f.data.values[1] as Array<number | null>).forEach((v, p) =>
      expect([key, p, v === null || values![p] === null ? v === values![p] : close(v, values![p]!)]).toEqual([
        key,
        p,
        true,
      ])
    );
  });
  const shown = new Set(drawn.map((f) => pairKeyOf(f.schema.fields[1].labels!)));
  const rest = ranked.filter((r) => !shown.has(r.key));
  if (rest.length) {
    expect(others).toBeDefined();
    const got = others!.data.values[1] as Array<number | null>;
    POINTS.forEach((_, p) => {
      const want = [...expected].filter(([key]) => !shown.has(key)).reduce((s, [, values]) => s + (values[p] ?? 0), 0);
      expect([p, close(got[p] ?? 0, want) || got[p]]).toEqual([p, true]);
    });
  } else {
    expect(others).toBeUndefined();
  }
}

describe.each<[SimContextForm, BareValueReading]>([
  ['pod', 'auto'],
  ['namespace', 'auto'],
  ['workload', 'workload-name'],
  ['labels', 'auto'],
])('workloadDrops on Hubble pages in %s context', (form, reading) => {
  let run: Run;
  beforeAll(async () => {
    run = await start(form, reading);
  }, 60_000);
  afterAll(async () => {
    await run?.exporter.close();
    await run?.sim.close();
  });

  test('the top pairs and "other pairs" have the truth\'s rates, point by point', async () => {
    const rows = rowRates(run.truths, run.sim.nodes, POINTS);
    const pairs = sumRows(rows, pairOf);
    expect([...pairs.values()].filter((values) => (mean(values) ?? 0) > 0).length).toBeGreaterThan(5);
    const [[top5], [top50]] = await Promise.all([
      run.query([{ queryType: 'workloadDrops', topN: 5, others: true }]),
      run.query([{ queryType: 'workloadDrops', topN: 50 }]),
    ]);
    checkPairs(top5, pairs, 5);
    checkPairs(top50, pairs, 50);
    expect(top5[0].schema.meta?.notices?.[0].text).toMatch(
      /^The 5 workload pairs with the highest mean drop rate over the range, summed over the selected nodes; every other pair/
    );
  });

  test("the table: node × pair rows by mean rate, their share of the node's drops", async () => {
    const rows = rowRates(run.truths, run.sim.nodes, POINTS);
    const [[table]] = await run.query([{ queryType: 'workloadDrops', view: 'table', limit: 1000 }]);
    expect(table.schema.meta?.type).toBe('table');
    // No Relay here: the policy column is empty, and the panel says why.
    expect(table.schema.meta?.notices?.[0].text).toMatch(/Denying policies are not known here/);
    const truthKeys = new Map(
      rows.map((r) => {
        const [node, reason, direction, sns, swl, dns, dwl] = r.key.split('|');
        return [[node, reason, direction, endpointText(sns, swl), endpointText(dns, dwl)].join('|'), r.key];
      })
    );
    const got = tableRows(table);
    const byNode = sumRows(rows, nodeOf);
    const expectedRows = rows.filter((r) => (mean(r.values) ?? 0) > 0);
    expect(got.length).toBe(expectedRows.length);
    for (const r of got) {
      const key = rowKeyOfTable(r, truthKeys);
      const e = rows.find((x) => x.key === key);
      expect([r.Node, r.Source, r.Destination, e !== undefined]).toEqual([r.Node, r.Source, r.Destination, true]);
      expect(r['Denying policy']).toBe('');
      expect([key, close(r['Drop rate'] as number, mean(e!.values)!)]).toEqual([key, true]);
      const node = byNode.get(nodeOf(key!))!;
      expect([key, close(r['Share of node drops'] as number, mean(e!.values)! / mean(node)!)]).toEqual([key, true]);
    }
    const rates = got.map((r) => r['Drop rate'] as number);
    expect(rates).toEqual([...rates].sort((a, b) => b - a));
  });

  test('namespace, workload, reason and direction filters select pairs by either end', async () => {
    const rows = rowRates(run.truths, run.sim.nodes, POINTS);
    const all = sumRows(rows, pairOf);
    const busiest = [...all].sort((a, b) => (mean(b[1]) ?? 0) - (mean(a[1]) ?? 0)).map(([key]) => key.split('|'));
    const [reason, direction, , , dns, dwl] = busiest.find(([, , , , ns, wl]) => ns !== '' || wl !== '')!;
    // The busiest pair's destination namespace (or, without namespaces, its workload), matched at either end.
    const filter: Partial<ScopeQuery> = dns ? { namespace: dns } : { workload: dwl };
    const matches = (key: string) => {
      const [, , a, b, c, d] = key.split('|');
      return dns ? a === dns || c === dns : b === dwl || d === dwl;
    };
    const [[pairs], [byReason]] = await Promise.all([
      run.query([{ queryType: 'workloadDrops', topN: 1000, others: true, ...filter }]),
      run.query([{ queryType: 'workloadDrops', topN: 1000, reason, direction }]),
    ]);
    checkPairs(
      pairs,
      sumRows(rows, (k) => (matches(pairOf(k)) ? pairOf(k) : null)),
      1000
    );
    checkPairs(
      byReason,
      sumRows(rows, (k) => (pairOf(k).startsWith(`${reason}|${direction}|`) ? pairOf(k) : null)),
      1000
    );
    expect(pairs.length).toBeGreaterThan(0);
    // Top N beyond the series an answer may hold is cut to fit, and the panel says so.
    expect(pairs[0].schema.meta?.notices?.map((n) => [n.severity, n.text])).toContainEqual([
      'warning',
      "Top N 1000 exceeds the exporter's limit of 200 series per query: at most 199 pairs are drawn.",
    ]);
  });

  test('the variables list the ends of the pairs with drops', async () => {
    const ends = new Set<string>();
    for (const key of rowRates(run.truths, run.sim.nodes, POINTS).map((r) => r.key)) {
      const [, , , sns, swl, dns, dwl] = key.split('|');
      ends.add(`${sns}/${swl}`).add(`${dns}/${dwl}`);
    }
    const get = async <T>(path: string) => (await (await fetch(`${run.exporter.url}${path}`)).json()) as T;
    const range = `from=${run.truths[0].timeSeconds * 1000}&to=${run.truths[TICKS].timeSeconds * 1000}`;
    const workloads = await get<WorkloadsResponse>(`/api/v1/workloads?${range}`);
    const namespaces = await get<{ namespaces: string[] }>(`/api/v1/namespaces?dropped=true&${range}`);
    const expectedWorkloads = [...ends].map((e) => e.split('/')).filter(([, w]) => w !== '');
    expect(workloads.workloads.map((w) => `${w.namespace}/${w.workload}`).sort()).toEqual(
      expectedWorkloads.map((e) => e.join('/')).sort()
    );
    expect(namespaces.namespaces).toEqual(
      [...new Set([...ends].map((e) => e.split('/')[0]).filter((n) => n !== ''))].sort()
    );
    if (namespaces.namespaces.length) {
      const ns = namespaces.namespaces[0];
      const inNs = await get<WorkloadsResponse>(`/api/v1/workloads?namespace=${encodeURIComponent(ns)}&${range}`);
      expect(inNs.workloads.map((w) => w.workload).sort()).toEqual(
        expectedWorkloads
          .filter(([n]) => n === ns)
          .map(([, w]) => w)
          .sort()
      );
    }
  });
});

describe('invalid workloadDrops queries and variable requests get a 400 naming the field', () => {
  let run: Run;
  beforeAll(async () => {
    run = await start('pod', 'auto');
  }, 60_000);
  afterAll(async () => {
    await run?.exporter.close();
    await run?.sim.close();
  });

  test.each<[string, Record<string, unknown>, string]>([
    ['queries[0].view', { view: 'bands' }, 'queries[0].view for workloadDrops must be one of pairs, table'],
    [
      'queries[0].groupBy',
      { groupBy: 'node' },
      'queries[0].groupBy for workloadDrops must be cluster: pairs are summed over the selected nodes (set node to see one node, or use the table view, which has a row per node)',
    ],
    [
      'queries[0].unit',
      { unit: 'bytes' },
      'queries[0].unit for workloadDrops must be packets: Hubble counts dropped packets, not bytes',
    ],
    ['queries[0].topN', { topN: 0 }, 'queries[0].topN must be at least 1'],
    ['queries[0].limit', { view: 'table', limit: 5000 }, 'queries[0].limit must be at most 1000'],
    [
      'queries[0].workload[0]',
      { workload: ['x'.repeat(300)] },
      'queries[0].workload[0] must be at most 256 characters',
    ],
    ['queries[0].namespace', { namespace: 7 }, 'queries[0].namespace'],
  ])('%s', async (field, query, message) => {
    const res = await fetch(`${run.exporter.url}/api/v1/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from: 0, to: 1, queries: [{ refId: 'A', queryType: 'workloadDrops', ...query }] }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; field: string };
    expect(body.field).toBe(field);
    expect(body.error.startsWith(message)).toBe(true);
  });

  test.each([
    ['/api/v1/workloads?from=10', 'to', 'to is required with from'],
    ['/api/v1/workloads?from=10&to=5', 'to', 'to must not be before from'],
    ['/api/v1/namespaces?dropped=true&from=yesterday&to=5', 'from', 'from must be a time in Unix milliseconds'],
    [
      '/api/v1/workloads?from=0&to=9999999999999',
      'to',
      'to must be within 31 days of from (the longest range a query may ask for)',
    ],
  ])('%s', async (path, field, error) => {
    const res = await fetch(`${run.exporter.url}${path}`);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error, field });
  });
});
