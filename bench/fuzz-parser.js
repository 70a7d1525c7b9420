#!/usr/bin/env node
/**
 * Long fuzzing of the text-format parser with the generators of its property tests
 * (test/unit/scrape/textparse-pages.ts, loaded through ts-node): for each format,
 *   roundtrip  random pages rendered independently read back exactly, whole and in random chunks, with and without
 *              a random keepFamily
 *   garbage    random bytes, token soup and damaged pages either parse or throw ParseError, the same in any chunking
 * Pages are shared over one worker thread per core. Prints pages/s per property and the outcome (a counterexample
 * and seed on failure, exit code 1).
 *
 * Usage: npm run build:exporter && node bench/fuzz-parser.js [--pages N] [--seed S]   (default N = 1,000,000)
 */
'use strict';

const os = require('node:os');
const { describeMachine } = require('./scale/proc');
const path = require('node:path');
const { isMainThread, parentPort, Worker, workerData } = require('node:worker_threads');

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? Number(process.argv[i + 1]) : fallback;
}
const pages = arg('--pages', 1_000_000);
const seed = arg('--seed', Date.now() % 2 ** 31);
if (!Number.isInteger(pages) || pages < 1 || !Number.isInteger(seed)) {
  console.error('usage: node bench/fuzz-parser.js [--pages N] [--seed S]');
  process.exit(2);
}

const root = path.resolve(__dirname, '..');
let parserModule;
try {
  parserModule = require(path.join(root, 'build', 'exporter', 'scrape', 'textparse.js'));
} catch {
  console.error('build/exporter/scrape/textparse.js is missing: run `npm run build:exporter` first');
  process.exit(1);
}
const { ParseError, parseText, TextParser } = parserModule;
require('ts-node').register({
  transpileOnly: true,
  skipProject: true,
  compilerOptions: { module: 'commonjs', target: 'es2022', esModuleInterop: true },
});
const fc = require('fast-check');
const { chunksOf, garbageArbitrary, pageArbitrary, splitPoints } = require(
  path.join(root, 'test', 'unit', 'scrape', 'textparse-pages.ts')
);

function parseChunks(chunks, options) {
  const samples = [];
  const parser = new TextParser((name, labels, value, ts, family, type) => {
    samples.push({ name, labels, value, ts, family, type });
  }, options);
  for (const chunk of chunks) {
    parser.write(chunk);
  }
  parser.end();
  return samples;
}

function sameSamples(got, expected) {
  if (got.length !== expected.length) {
    return `${got.length} samples instead of ${expected.length}`;
  }
  for (let i = 0; i < got.length; i++) {
    const a = got[i];
    const b = expected[i];
    const same =
      a.name === b.name &&
      a.family === b.family &&
      a.type === b.type &&
      a.ts === b.ts &&
      Object.is(a.value, b.value) &&
      JSON.stringify(Object.entries(a.labels)) === JSON.stringify(Object.entries(b.labels));
    if (!same) {
      return `sample ${i}: got ${JSON.stringify(a)} (value ${a.value}), expected ${JSON.stringify(b)} (value ${b.value})`;
    }
  }
  return undefined;
}

const format = fc.constantFrom('prometheus', 'openmetrics');

const roundtrip = fc.property(
  format.chain((f) => pageArbitrary(f)),
  splitPoints,
  fc.func(fc.boolean()),
  (page, points, keep) => {
    const body = Buffer.from(page.text);
    const problem =
      sameSamples(parseChunks([body], { format: page.format }), page.samples) ??
      sameSamples(parseChunks(chunksOf(body, points), { format: page.format }), page.samples) ??
      sameSamples(
        parseChunks(chunksOf(body, points), { format: page.format, keepFamily: (f) => keep(f) }),
        page.samples.filter((s) => keep(s.family))
      );
    if (problem !== undefined) {
      throw new Error(problem);
    }
  }
);

const garbage = fc.property(
  format.chain((f) => fc.tuple(fc.constant(f), garbageArbitrary(f))),
  splitPoints,
  ([f, body], points) => {
    const outcome = (run) => {
      try {
        run();
        return 'ok';
      } catch (err) {
        if (!(err instanceof ParseError)) {
          throw new Error(`not a ParseError: ${err && err.stack}`);
        }
        return err.message;
      }
    };
    const options = { format: f, maxLineBytes: 200 };
    const whole = outcome(() => parseText(body, () => undefined, options));
    const chunked = outcome(() => parseChunks(chunksOf(body, points), options));
    if (whole !== chunked) {
      throw new Error(`whole: ${whole}; chunked: ${chunked}`);
    }
  }
);

function runShare(name, property, numRuns, shareSeed) {
  const t0 = process.hrtime.bigint();
  const details = fc.check(property, { numRuns, seed: shareSeed });
  return {
    name,
    runs: details.numRuns,
    seconds: Number(process.hrtime.bigint() - t0) / 1e9,
    failed: details.failed,
    counterexample: details.failed ? fc.stringify(details.counterexample) : undefined,
    error: details.failed && details.errorInstance ? String(details.errorInstance.message) : undefined,
    seed: shareSeed,
    path: details.counterexamplePath,
  };
}

const PROPERTIES = { roundtrip, garbage };

if (!isMainThread) {
  const { share, workerSeed } = workerData;
  parentPort.postMessage(Object.keys(PROPERTIES).map((name) => runShare(name, PROPERTIES[name], share, workerSeed)));
} else {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}

/** Splits the pages over one worker per core; each worker runs both properties on its share with its own seed. */
async function main() {
  const cpus = os.cpus();
  const workers = Math.max(1, Math.min(cpus.length, pages));
  console.log(`machine: ${describeMachine()}`);
  console.log(`pages per property: ${pages.toLocaleString('en-US')} over ${workers} workers, seed ${seed}`);
  const t0 = process.hrtime.bigint();
  const results = await Promise.all(
    Array.from({ length: workers }, (_, i) => {
      const share = Math.floor(pages / workers) + (i < pages % workers ? 1 : 0);
      return new Promise((resolve, reject) => {
        const worker = new Worker(__filename, {
          argv: process.argv.slice(2),
          workerData: { share, workerSeed: seed + i },
        });
        worker.once('message', resolve);
        worker.once('error', reject);
      });
    })
  );
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  let failed = false;
  for (const name of Object.keys(PROPERTIES)) {
    const parts = results.map((r) => r.find((x) => x.name === name));
    const runs = parts.reduce((n, r) => n + r.runs, 0);
    const cpuSeconds = parts.reduce((n, r) => n + r.seconds, 0);
    const rate = Math.round((runs / cpuSeconds) * workers).toLocaleString('en-US');
    const bad = parts.find((r) => r.failed);
    if (bad) {
      failed = true;
      console.log(`${name.padEnd(9)}  FAILED (${rate} pages/s)`);
      console.log(`  counterexample: ${bad.counterexample}`);
      console.log(`  error: ${bad.error}`);
      console.log(`  seed ${bad.seed}, path ${bad.path}`);
    } else {
      console.log(`${name.padEnd(9)}  ok: ${runs.toLocaleString('en-US')} pages (${rate} pages/s)`);
    }
  }
  console.log(`wall time ${wall.toFixed(1)} s; result: ${failed ? 'FAILED' : 'all properties hold'}`);
  process.exit(failed ? 1 : 0);
}
