#!/usr/bin/env node
/**
 * `npm run bench`: builds the exporter, then runs every benchmark script in bench/ in turn, each in its own process
 * with its full settings (or --quick ones), and ends with a table of what ran, how long it took and whether it
 * passed. A script added to bench/ is picked up without a change here; the order puts the short ones first.
 * bench/NAME.js runs with node, bench/NAME.ts with ts-node (the "ts-node" section of tsconfig.json: transpile only).
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
/** What --quick passes to scripts that have no --quick of their own. */
const QUICK_ARGS = { 'fuzz-parser': ['--pages', '20000'] };
/** Known scripts in the order to run them; anything else found in bench/ runs after these. */
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

/** The scripts as { name, file }: the name without its extension, the file relative to bench/. */
function scripts() {
  const found = fs
    .readdirSync(BENCH)
    .filter((f) => /\.(js|ts)$/.test(f) && !f.endsWith('.d.ts') && f !== 'run-all.js')
    .map((file) => ({ name: file.slice(0, -3), file }));
  if (fs.existsSync(path.join(BENCH, 'scale', 'run.js'))) {
    found.push({ name: 'scale/run', file: 'scale/run.js' });
  }
  const rank = (name) => (ORDER.includes(name) ? ORDER.indexOf(name) : ORDER.length);
  return found.sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));
}

/** How to run a script: node for JavaScript, ts-node's command line (in this node) for TypeScript. */
function command(file) {
  const script = path.join(BENCH, file);
  return file.endsWith('.ts')
    ? { shown: 'ts-node', args: [require.resolve('ts-node/dist/bin'), script] }
    : { shown: 'node', args: [script] };
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
  const all = scripts();
  const unknown = [...(only ?? []), ...skip].filter((n) => !all.some((s) => s.name === n));
  if (unknown.length) {
    console.error(`no benchmark named ${unknown.join(', ')}; there are ${all.map((s) => s.name).join(', ')}`);
    process.exit(1);
  }
  const selected = all.filter((s) => (!only || only.has(s.name)) && !skip.has(s.name));
  if (!values['no-build']) {
    console.log('=== build: npm run build:exporter');
    const build = spawnSync('npm', ['run', '--silent', 'build:exporter'], { cwd: ROOT, stdio: 'inherit' });
    if (build.status !== 0) {
      console.error('build failed: no benchmark run');
      process.exit(1);
    }
  }
  const results = [];
  for (const { name, file } of selected) {
    const extra = values.quick ? (QUICK_ARGS[name] ?? ['--quick']) : [];
    const { shown, args } = command(file);
    console.log(`\n=== ${name}: ${shown} ${path.join('bench', file)} ${extra.join(' ')}`);
    const started = Date.now();
    const run = spawnSync(process.execPath, [...args, ...extra], { cwd: ROOT, stdio: 'inherit' });
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
