#!/usr/bin/env node
/**
 * `npm run bench`: builds the exporter, then runs every benchmark script in bench/ in turn, each in its own process
 * with its full settings (or --quick ones), and ends with a table of what ran, how long it took and whether it
 * passed. A script added to bench/ is picked up without a change here; the order puts the short ones first.
 *
 * Usage: node bench/run-all.js [--quick] [--only name,name] [--skip name,name] [--no-build]
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { parseArgs } = require('node:util');

const BENCH = __dirname;
const ROOT = path.resolve(BENCH, '..');
/** Known scripts in the order to run them; anything else found in bench/ runs after these. */
/** What --quick passes to scripts that have no --quick of their own. */
const QUICK_ARGS = { 'fuzz-parser': ['--pages', '20000'] };
const ORDER = [
  'parser',
  'normalise',
  'simulator',
  'kube-join',
  'anomaly-eval',
  'fuzz-parser',
  'fuzz-api',
  'api-load',
  'scale/run',
  'soak',
];

function scripts() {
  const found = fs
    .readdirSync(BENCH)
    .filter((f) => f.endsWith('.js') && f !== 'run-all.js')
    .map((f) => f.slice(0, -3));
  if (fs.existsSync(path.join(BENCH, 'scale', 'run.js'))) {
    found.push('scale/run');
  }
  const rank = (name) => (ORDER.includes(name) ? ORDER.indexOf(name) : ORDER.length);
  return found.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

function main() {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean' },
      only: { type: 'string' },
      skip: { type: 'string' },
      'no-build': { type: 'boolean' },
    },
  });
  const only = values.only ? new Set(values.only.split(',')) : null;
  const skip = new Set((values.skip ?? '').split(',').filter(Boolean));
  const selected = scripts().filter((s) => (!only || only.has(s)) && !skip.has(s));
  if (!values['no-build']) {
    console.log('=== build: npm run build:exporter');
    const build = spawnSync('npm', ['run', '--silent', 'build:exporter'], { cwd: ROOT, stdio: 'inherit' });
    if (build.status !== 0) {
      console.error('build failed: no benchmark run');
      process.exit(1);
    }
  }
  const results = [];
  for (const name of selected) {
    const extra = values.quick ? (QUICK_ARGS[name] ?? ['--quick']) : [];
    const args = [path.join(BENCH, `${name}.js`), ...extra];
    console.log(`\n=== ${name}: node ${path.relative(ROOT, args[0])} ${extra.join(' ')}`);
    const started = Date.now();
    const run = spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'inherit' });
    results.push({ name, seconds: (Date.now() - started) / 1000, status: run.status ?? `signal ${run.signal}` });
  }
  console.log('\n=== summary');
  for (const r of results) {
    console.log(
      `  ${r.name.padEnd(14)} ${r.status === 0 ? 'ok    ' : `FAILED (${r.status})`} ${r.seconds.toFixed(0).padStart(6)} s`
    );
  }
  process.exit(results.every((r) => r.status === 0) ? 0 : 1);
}

main();
