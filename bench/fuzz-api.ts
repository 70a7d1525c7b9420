/**
 * Long fuzzing of the query API: valid, mutated and random bodies (test/support/api-fuzz.ts, the generators of
 * test/unit/http/fuzz-api.test.ts) against a real exporter on loopback, with data from a small simulated cluster,
 * --runs requests per kind over --connections concurrent clients. Every answer must be JSON, never a 5xx, a 4xx
 * `{ error, field? }` without a stack, within the request timeout. Prints requests/s, statuses and the first
 * counterexample (exit code 1) if any. The exporter and simulator run from their TypeScript sources.
 *
 * Usage: npx ts-node bench/fuzz-api.ts [--runs 50000] [--connections 8] [--seed S] [--quick]
 */
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { startExporter } from '../exporter/app';
import { startSimulator } from '../simulator';
import { type FuzzArbitraries, arbitraries, checkResponse } from '../test/support/api-fuzz';
import { testConfig } from '../test/support/config';

const { describeMachine } = require('./scale/proc') as { describeMachine: () => string };

const TIMEOUT_MS = 5000;

interface Failure {
  kind: string;
  problem: string;
  body?: string;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string' },
      connections: { type: 'string', default: '8' },
      seed: { type: 'string', default: String(Date.now() % 2 ** 31) },
      quick: { type: 'boolean' },
    },
  });
  const runs = Number(values.runs ?? (values.quick ? 3000 : 50_000));
  const connections = Number(values.connections);
  const seed = Number(values.seed);
  console.log(`fuzz-api: ${runs} requests per kind, ${connections} connections, seed ${seed}`);
  console.log(`machine: ${describeMachine()}`);

  const sim = await startSimulator({ nodes: 8, seed: 3, autoTickMs: 0, pageKB: 8 });
  const interval = sim.cluster.tickSeconds * 1000;
  const exporter = await startExporter(
    testConfig({
      agents: sim.nodes.map((node) => ({ node, url: sim.agentUrl(node) })),
      operator: { node: '', url: sim.operatorUrl },
      scrapeIntervalMs: interval,
      scrapeTimeoutMs: 2000,
      maxConcurrency: 8,
      maxBodyBytes: 16 * 1024 * 1024,
      staleAfterMs: 10 * interval,
      history: { retentionMs: 3_600_000, maxBytes: 64 * 1024 * 1024 },
    }),
    { autoScrape: false, now: () => sim.cluster.nowSeconds * 1000 }
  );
  // Set from the clients' loops, so not narrowed to null here.
  let failure = null as Failure | null;
  const totals: { requests: number; statuses: Record<string, number> } = { requests: 0, statuses: {} };
  try {
    for (let i = 0; i < 6; i++) {
      sim.tick();
      await exporter.scrapeNow();
    }
    const truth = sim.truth();
    const reasons = [
      ...new Set(Object.values(truth.nodes).flatMap((n) => n.agent?.dropped.map((d) => d.reason) ?? [])),
    ];
    const gens = arbitraries({ now: truth.timeSeconds * 1000, nodes: sim.nodes, reasons });
    const kinds: Array<keyof FuzzArbitraries> = ['validRequest', 'mutatedRequest', 'randomBody'];
    for (const kind of kinds) {
      const bodies = fc.sample(gens[kind], { numRuns: runs, seed: seed + kind.length });
      const started = Date.now();
      let next = 0;
      const statuses: Record<string, number> = {};
      await Promise.all(
        Array.from({ length: connections }, async () => {
          while (next < bodies.length && !failure) {
            const body = bodies[next++];
            let problem: string | null;
            try {
              const res = await fetch(`${exporter.url}/api/v1/query`, {
                method: 'POST',
                headers: { 'content-type': 'application/json' },
                body,
                signal: AbortSignal.timeout(TIMEOUT_MS),
              });
              const text = await res.text();
              statuses[res.status] = (statuses[res.status] ?? 0) + 1;
              problem = checkResponse(res.status, res.headers.get('content-type'), text);
            } catch (err) {
              problem = `no answer within ${TIMEOUT_MS} ms or connection error: ${(err as Error).message}`;
            }
            if (problem && !failure) {
              failure = { kind, problem, body: body.slice(0, 2000) };
            }
          }
        })
      );
      const seconds = (Date.now() - started) / 1000;
      totals.requests += next;
      for (const [s, n] of Object.entries(statuses)) {
        totals.statuses[s] = (totals.statuses[s] ?? 0) + n;
      }
      console.log(
        `  ${kind.padEnd(15)} ${String(next).padStart(7)} requests in ${seconds.toFixed(1)} s (${(next / seconds).toFixed(0)}/s), statuses ${JSON.stringify(statuses)}`
      );
      if (failure) {
        break;
      }
    }
    const alive = await fetch(`${exporter.url}/healthz`);
    if (alive.status !== 200 && !failure) {
      failure = { kind: 'after', problem: `/healthz answered ${alive.status}` };
    }
  } finally {
    await exporter.close();
    await sim.close();
  }
  console.log(`total ${totals.requests} requests, statuses ${JSON.stringify(totals.statuses)}`);
  if (failure) {
    const { kind, problem, body } = failure;
    console.log(`FAILED (${kind}, seed ${seed}): ${problem}\nbody: ${body ?? ''}`);
    process.exit(1);
  }
  console.log('no 5xx, no hang, every 4xx a JSON { error, field? } without a stack');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
