#!/usr/bin/env node
/**
 * Soak by hand: --minutes of back-to-back scrape cycles of a simulated cluster (in this process, on the
 * simulator's clock) with faults moving over 10% of the agents every few cycles, dashboard queries and /metrics
 * scrapes in between, and memory sampled after a full GC (bench/scale/soak-driver.js, the same as
 * test/integration/soak.test.ts runs for two minutes). Prints progress, then heapUsed and RSS after warm-up with
 * their trend, against the bound the CI test holds (heap growth < 8 MiB + 5%, RSS growth < 64 MiB).
 *
 * Usage: npm run build:exporter && node bench/soak.js [--minutes 60] [--nodes 50] [--page-kb 40] [--seed 1]
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');
const { soak, analyse, format } = require('./scale/soak-driver');
const { describeMachine } = require('./scale/proc');

const ROOT = path.resolve(__dirname, '..');

async function main() {
  const { values } = parseArgs({
    options: {
      minutes: { type: 'string', default: '60' },
      nodes: { type: 'string', default: '50' },
      'page-kb': { type: 'string', default: '40' },
      seed: { type: 'string', default: '1' },
      quick: { type: 'boolean' },
    },
  });
  for (const file of ['build/exporter/app.js', 'build/simulator/index.js']) {
    if (!fs.existsSync(path.join(ROOT, file))) {
      console.error(`${file} is missing: run \`npm run build:exporter\` first`);
      process.exit(1);
    }
  }
  const minutes = values.quick ? 2 : Number(values.minutes);
  const { startExporter } = require(path.join(ROOT, 'build', 'exporter', 'app.js'));
  const { startSimulator } = require(path.join(ROOT, 'build', 'simulator', 'index.js'));
  console.log(
    `soak: ${minutes} min, ${values.nodes} nodes × ${values['page-kb']} KiB, faults moving over 10% of the agents`
  );
  console.log(`machine: ${describeMachine()}`);
  let lastPrint = 0;
  const result = await soak({
    startSimulator,
    startExporter,
    durationMs: minutes * 60_000,
    nodes: Number(values.nodes),
    pageKB: Number(values['page-kb']),
    seed: Number(values.seed),
    onSample: (s, r) => {
      if (s.seconds - lastPrint >= Math.min(60, minutes * 6)) {
        lastPrint = s.seconds;
        console.log(
          `  ${s.seconds.toFixed(0).padStart(5)} s  cycle ${String(s.cycle).padStart(6)}  heapUsed ${(s.heapUsed / 2 ** 20).toFixed(1)} MiB  RSS ${(s.rss / 2 ** 20).toFixed(1)} MiB  history ${s.historySeries} series  API errors ${r.apiErrors.length}`
        );
      }
    },
  });
  const a = analyse(result.samples);
  console.log(format(result, a));
  const MiB = 2 ** 20;
  const heapOk = a.heapGrowth < 8 * MiB + 0.05 * a.heapStart;
  const rssOk = a.rssGrowth < 64 * MiB;
  console.log(
    `bounds: heap growth ${heapOk ? 'within' : 'OVER'} 8 MiB + 5%; RSS growth ${rssOk ? 'within' : 'OVER'} 64 MiB; API errors ${result.apiErrors.length}`
  );
  for (const e of result.apiErrors.slice(0, 5)) {
    console.log(`  ${e}`);
  }
  process.exit(heapOk && rssOk && result.apiErrors.length === 0 ? 0 : 1);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
