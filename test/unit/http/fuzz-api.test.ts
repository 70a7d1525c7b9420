/**
 * The query API under random input (CI-sized; bench/fuzz-api.ts runs the same generators for long): valid,
 * mutated and random bodies against a real exporter on loopback with data from a small simulated cluster. Never a
 * 5xx, never a hang, always JSON, and a 4xx is `{ error, field? }` without a stack trace.
 */
import fc from 'fast-check';
import { type RunningExporter, startExporter } from '../../../exporter/app';
import { type RunningSimulator, startSimulator } from '../../../simulator';
import { type FuzzArbitraries, arbitraries, checkResponse } from '../../support/api-fuzz';
import { testConfig } from '../../support/config';

const RUNS = Number(process.env.FUZZ_API_RUNS ?? 250);
const REQUEST_TIMEOUT_MS = 5000;
let sim: RunningSimulator;
let exporter: RunningExporter;
let gens: FuzzArbitraries;
const statuses = new Map<number, number>();

beforeAll(async () => {
  sim = await startSimulator({ nodes: 4, seed: 3, autoTickMs: 0, pageKB: 8 });
  exporter = await startExporter(
    testConfig({
      agents: sim.nodes.map((node) => ({ node, url: sim.agentUrl(node) })),
      operator: { node: '', url: sim.operatorUrl },
      scrapeIntervalMs: sim.cluster.tickSeconds * 1000,
      staleAfterMs: 10 * sim.cluster.tickSeconds * 1000,
    }),
    { autoScrape: false, now: () => sim.cluster.nowSeconds * 1000 }
  );
  for (let i = 0; i < 4; i++) {
    sim.tick();
    await exporter.scrapeNow();
  }
  const truth = sim.truth();
  const reasons = [...new Set(Object.values(truth.nodes).flatMap((n) => n.agent?.dropped.map((d) => d.reason) ?? []))];
  gens = arbitraries({ now: truth.timeSeconds * 1000, nodes: sim.nodes, reasons });
});

afterAll(async () => {
  await exporter?.close();
  await sim?.close();
  console.log(`fuzz-api statuses: ${JSON.stringify(Object.fromEntries(statuses))}`);
});

async function send(body: string, contentType = 'application/json'): Promise<string | null> {
  const res = await fetch(`${exporter.url}/api/v1/query`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body,
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await res.text();
  statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
  return checkResponse(res.status, res.headers.get('content-type'), text);
}

const property = (arb: () => fc.Arbitrary<string>) => async () => {
  await fc.assert(
    fc.asyncProperty(arb(), async (body) => {
      const problem = await send(body);
      if (problem) {
        throw new Error(`${problem}\nbody: ${body.slice(0, 500)}`);
      }
    }),
    { numRuns: RUNS }
  );
};

test(
  'valid requests of every query type answer 200 with frames',
  property(() => gens.validRequest),
  60_000
);

test(
  'mutated requests: 200 or a 4xx naming the field, never a 5xx',
  property(() => gens.mutatedRequest),
  60_000
);

test(
  'random JSON, text and bytes: a JSON 4xx, never a crash',
  property(() => gens.randomBody),
  60_000
);

test('other content types and methods are refused cleanly', async () => {
  for (const type of [
    'text/plain',
    'application/x-www-form-urlencoded',
    'application/json; charset=utf-16',
    'multipart/form-data; boundary=x',
  ]) {
    expect([type, await send('{"from":0,"to":1,"queries":[]}', type)]).toEqual([type, null]);
  }
  for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) {
    const res = await fetch(`${exporter.url}/api/v1/query`, {
      method,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    expect([method, res.status]).toEqual([method, 404]);
    expect(((await res.json()) as { error: string }).error).toMatch(/no such API route/);
  }
});

test('the exporter still answers after the fuzzing', async () => {
  expect((await fetch(`${exporter.url}/healthz`)).status).toBe(200);
  expect((await exporter.scrapeNow()).failed).toBe(0);
});
