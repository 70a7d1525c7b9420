#!/usr/bin/env node
/**
 * The top of a V8 CPU profile (`node --cpu-prof` output): self time by function and by source file (the project's
 * modules, each dependency package, node internals, GC), so a profile can be read without DevTools.
 *
 * Usage: node bench/scale/profile-top.js FILE.cpuprofile [--top N]
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');

function summarise(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map();
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    selfUs.set(id, (selfUs.get(id) ?? 0) + Math.max(0, deltas[i] ?? 0));
  }
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const byFunction = new Map();
  const byFile = new Map();
  for (const [id, us] of selfUs) {
    const frame = byId.get(id).callFrame;
    const file = area(frame.url, frame.functionName);
    const fn = `${frame.functionName || '(anonymous)'} ${file}${frame.url ? ':' + (frame.lineNumber + 1) : ''}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
    byFile.set(file, (byFile.get(file) ?? 0) + us);
  }
  const sorted = (m) => [...m.entries()].sort((a, b) => b[1] - a[1]);
  return { totalUs: total, functions: sorted(byFunction), files: sorted(byFile) };
}

/** A short name for where a function lives: a project file, a package, node internals or a V8 pseudo-frame. */
function area(url, functionName) {
  if (!url) {
    return functionName.startsWith('(') ? functionName : '(native)';
  }
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) {
    return pkg[1];
  }
  if (url.startsWith('node:')) {
    return url;
  }
  const build = /\/build\/(.+)$/.exec(url);
  if (build) {
    return build[1];
  }
  return path.basename(url);
}

function render(summary, top = 25) {
  const ms = (us) => (us / 1000).toFixed(0).padStart(7);
  const pct = (us) => ((100 * us) / Math.max(1, summary.totalUs)).toFixed(1).padStart(5) + '%';
  const lines = [`sampled ${(summary.totalUs / 1e6).toFixed(2)} s`, '', 'self time by file/package:'];
  for (const [file, us] of summary.files.slice(0, 15)) {
    lines.push(`  ${ms(us)} ms ${pct(us)}  ${file}`);
  }
  lines.push('', 'self time by function:');
  for (const [fn, us] of summary.functions.slice(0, top)) {
    lines.push(`  ${ms(us)} ms ${pct(us)}  ${fn}`);
  }
  return lines.join('\n');
}

if (require.main === module) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: node bench/scale/profile-top.js FILE.cpuprofile [--top N]');
    process.exit(2);
  }
  const i = process.argv.indexOf('--top');
  const top = i > 0 ? Number(process.argv[i + 1]) : 25;
  console.log(render(summarise(JSON.parse(fs.readFileSync(file, 'utf8'))), top));
}

module.exports = { summarise, render };
