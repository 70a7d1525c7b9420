#!/usr/bin/env node
/**
 * Long fuzzing of the query API: valid, mutated and random bodies (bench/scale/api-fuzz.js, the generators of
 * test/unit/http/fuzz-api.test.ts) against a real exporter on loopback, with data from a small simulated cluster,
 * --runs requests per kind over --connections concurrent clients. Every answer must be JSON, never a 5xx, a 4xx
 * `{ error, field? }` without a stack, within the request timeout. Prints requests/s, statuses and the first
 * counterexample (exit code 1) if any.
 *
 * Usage: npm run build:exporter && node bench/fuzz-api.js [--runs 50000] [--connections 8] [--seed S] [--quick]
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');
const fc = require('fast-check');
const { arbitraries, checkResponse } = require('./scale/api-fuzz');
const { describeMachine } = require('./scale/proc');
const { benchExporterConfig } = require('./scale/exporter-config');

const ROOT = path.resolve(__dirname, '..');
const TIMEOUT_MS = 5000;

async function main() {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string' },
      connections: { type: 'string', default: '8' },
      seed: { type: 'string', default: String(Date.now() % 2 ** 31) },
      quick: { type: 'boolean' },
    },
  });
  for (const file of ['build/exporter/app.js', 'build/simulator/index.js']) {
    if (!fs.existsSync(path.join(ROOT, file))) {
      console.error(`${file} is missing: run \`npm run build:exporter\` first`);
      process.exit(1);
    }
  }
  const runs = Number(values.runs ?? (values.quick ? 3000 : 50_000));
  const connections = Number(values.connections);
  const seed = Number(values.seed);
  const { startExporter } = require(path.join(ROOT, 'build', 'exporter', 'app.js'));
  const { startSimulator } = require(path.join(ROOT, 'build', 'simulator', 'index.js'));
  const { QUERY_TYPES, VIEWS_BY_TYPE } = require(path.join(ROOT, 'build', 'exporter', 'http', 'query', 'validate.js'));
  console.log(`fuzz-api: ${runs} requests per kind, ${connections} connections, seed ${seed}`);
  console.log(`machine: ${describeMachine()}`);

  const sim = await startSimulator({ nodes: 8, seed: 3, autoTickMs: 0, pageKB: 8 });
  const interval = sim.cluster.tickSeconds * 1000;
  const exporter = await startExporter(
    benchExporterConfig(path.join(ROOT, 'build'), {
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
  let failure = null;
  const totals = { requests: 0, statuses: {} };
  try {
    for (let i = 0; i < 6; i++) {
      sim.tick();
      await exporter.scrapeNow();
    }
    const truth = sim.truth();
    const reasons = [
      ...new Set(Object.values(truth.nodes).flatMap((n) => n.agent?.dropped.map((d) => d.reason) ?? [])),
    ];
    const gens = arbitraries(fc, {
      now: truth.timeSeconds * 1000,
      nodes: sim.nodes,
      reasons,
      queryTypes: QUERY_TYPES,
      viewsByType: VIEWS_BY_TYPE,
    });
    for (const kind of ['validRequest', 'mutatedRequest', 'randomBody']) {
      const bodies = fc.sample(gens[kind], { numRuns: runs, seed: seed + kind.length });
      const started = Date.now();
      let next = 0;
      const statuses = {};
      await Promise.all(
        Array.from({ length: connections }, async () => {
          while (next < bodies.length && !failure) {
            const body = bodies[next++];
            let problem;
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
              problem = `no answer within ${TIMEOUT_MS} ms or connection error: ${err.message}`;
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
    console.log(`FAILED (${failure.kind}, seed ${seed}): ${failure.problem}\nbody: ${failure.body ?? ''}`);
    process.exit(1);
  }
  console.log('no 5xx, no hang, every 4xx a JSON { error, field? } without a stack');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
