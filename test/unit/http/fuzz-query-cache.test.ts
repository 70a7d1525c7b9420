/**
 * The per-cycle answer cache of POST /api/v1/query and /api/v1/annotations must be invisible: for random valid
 * requests (ranges, steps, filters, every query type and annotation kind), asked once, asked again (a hit), and
 * asked after more scrape cycles, the body is byte for byte what running the queries directly gives at that moment.
 */
import fc from 'fast-check';
import { type RunningExporter, startExporter } from '../../../exporter/app';
import { annotationEvents } from '../../../exporter/http/annotations';
import { runQueries } from '../../../exporter/http/query';
import { parseAnnotationsRequest, parseQueryRequest } from '../../../exporter/http/query/validate';
import { type RunningSimulator, startSimulator } from '../../../simulator';
import { arbitraries } from '../../support/api-fuzz';
import { testConfig } from '../../support/config';

let sim: RunningSimulator;
let exporter: RunningExporter;

beforeAll(async () => {
  sim = await startSimulator({ nodes: 5, seed: 17, autoTickMs: 0, pageKB: 8 });
  exporter = await startExporter(
    testConfig({
      agents: sim.nodes.map((node) => ({ node, url: sim.agentUrl(node) })),
      operator: { node: '', url: sim.operatorUrl },
      scrapeIntervalMs: sim.cluster.tickSeconds * 1000,
      staleAfterMs: 10 * sim.cluster.tickSeconds * 1000,
    }),
    { autoScrape: false, now: () => sim.cluster.nowSeconds * 1000 }
  );
});

afterAll(async () => {
  await exporter?.close();
  await sim?.close();
});

async function cycle() {
  sim.tick();
  await exporter.scrapeNow();
}

async function direct(body: string): Promise<string> {
  const request = parseQueryRequest(JSON.parse(body));
  const base = { history: exporter.backend.reader(), cluster: exporter.cluster, kube: exporter.kube?.queries ?? null };
  return JSON.stringify({ results: await runQueries(request, base, exporter.backend.intervalMs) });
}

async function viaApi(body: string, path = '/api/v1/query'): Promise<string> {
  const res = await fetch(`${exporter.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  return res.text();
}

test('cached answers equal direct ones, before and after new cycles', async () => {
  for (let round = 0; round < 4; round++) {
    await cycle();
    await cycle();
    const now = sim.cluster.nowSeconds * 1000;
    const gens = arbitraries({ now, nodes: sim.nodes });
    await fc.assert(
      fc.asyncProperty(
        gens.validRequest,
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: -40_000, max: 40_000 }),
        async (body, shift, stretch) => {
          const expected = await direct(body);
          expect(await viaApi(body)).toBe(expected);
          expect(await viaApi(body)).toBe(expected);
          // The same range moved a little: the same grid, or another one; either way the exact answer.
          const moved = JSON.parse(body);
          moved.from += shift;
          moved.to += shift;
          const movedBody = JSON.stringify(moved);
          expect(await viaApi(movedBody)).toBe(await direct(movedBody));
          // The same queries over another range (other steps, other points) must not get the first answer.
          const other = JSON.parse(body);
          other.from = Math.max(0, Math.min(other.to, other.from + stretch));
          const otherBody = JSON.stringify(other);
          expect(await viaApi(otherBody)).toBe(await direct(otherBody));
          const later = { ...other, to: other.to - 5000 * shift };
          later.from = Math.min(later.from, later.to);
          expect(await viaApi(JSON.stringify(later))).toBe(await direct(JSON.stringify(later)));
        }
      ),
      { numRuns: 40 }
    );
  }
}, 60_000);

test('cached annotations equal direct ones, before and after new cycles', async () => {
  for (let round = 0; round < 3; round++) {
    await cycle();
    const now = sim.cluster.nowSeconds * 1000;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('policyImportErrors', 'dropAnomalies', 'agentRestarts'),
        fc.integer({ min: 1000, max: 3_600_000 }),
        fc.integer({ min: -60_000, max: 120_000 }),
        fc.option(fc.subarray(sim.nodes, { minLength: 1 }), { nil: undefined }),
        async (kind, span, back, node) => {
          const request = parseAnnotationsRequest({
            from: now - back - span,
            to: now - back,
            kind,
            ...(node ? { node } : {}),
          });
          const direct = JSON.stringify({
            annotations: await annotationEvents(exporter.backend.reader(), request, exporter.backend.intervalMs),
          });
          expect(await viaApi(JSON.stringify(request), '/api/v1/annotations')).toBe(direct);
          expect(await viaApi(JSON.stringify(request), '/api/v1/annotations')).toBe(direct);
        }
      ),
      { numRuns: 30 }
    );
  }
}, 60_000);

test('a request mixing cached and new queries answers each in order', async () => {
  await cycle();
  const to = sim.cluster.nowSeconds * 1000;
  const one = { from: to - 600_000, to, queries: [{ refId: 'B', queryType: 'drops' }] };
  const both = {
    from: to - 600_000,
    to,
    queries: [
      { refId: 'A', queryType: 'endpoints' },
      { refId: 'B', queryType: 'drops' },
      { refId: 'C', queryType: 'unmanagedPods' },
    ],
  };
  await viaApi(JSON.stringify(one));
  const text = await viaApi(JSON.stringify(both));
  expect(text).toBe(await direct(JSON.stringify(both)));
  expect(Object.keys(JSON.parse(text).results)).toEqual(['A', 'B', 'C']);
});
