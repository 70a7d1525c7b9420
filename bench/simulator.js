#!/usr/bin/env node
/**
 * Simulator cost, in one run:
 *   tick         cluster.tick() for 1,000 nodes, and with Hubble on (--hubble) against off, in turn
 *   render       one agent page from cached filler chunks plus the node's live families (what a scrape after a tick
 *                costs), against the baseline of rendering the whole page from scratch (filler included)
 *   gzip         compressing one page (done at most once per page and tick, off the event loop)
 *   serve        requests/s and MB/s of /agents/<node>/metrics over loopback for 1,000 nodes with cached pages
 *                (identity and gzip), against /healthz as the floor of HTTP overhead; the simulator runs in its own
 *                process (the CLI), autocannon in this one
 * and what 1,000 agents scraped every 30 s need (33 pages/s, about 10 MB/s at 300 KiB).
 *
 * Usage: npm run build:exporter && node bench/simulator.js [--quick] [--nodes N] [--page-kb N]
 */
'use strict';

const fs = require('node:fs');
const { describeMachine } = require('./scale/proc');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { gzipSync } = require('node:zlib');

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const NODES = flag('--nodes', 1000);
const PAGE_KB = flag('--page-kb', 300);
const SERVE_SECONDS = quick ? 2 : 6;

const root = path.resolve(__dirname, '..');
const build = path.join(root, 'build', 'simulator');
if (!fs.existsSync(path.join(build, 'index.js'))) {
  console.error(`${build}/index.js is missing: run \`npm run build:exporter\` first`);
  process.exit(1);
}
const { SimulatedCluster, AgentPageRenderer } = require(path.join(build, 'index.js'));
const autocannon = require('autocannon');

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function time(fn, runs) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    fn(i);
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(samples);
}

function inProcess() {
  const setupStart = process.hrtime.bigint();
  const cluster = new SimulatedCluster({ nodes: NODES, seed: 1 });
  const renderer = new AgentPageRenderer(cluster, PAGE_KB);
  const setupMs = Number(process.hrtime.bigint() - setupStart) / 1e6;
  const tickMs = time(() => cluster.tick(), quick ? 5 : 20);
  const hubble = hubbleTicks(quick ? 5 : 20);
  const sample = Math.min(NODES, 200);
  const renderMs =
    time(
      () => {
        for (let i = 0; i < sample; i++) {
          renderer.render(cluster.nodes[i]);
        }
      },
      quick ? 3 : 7
    ) / sample;
  // Baseline: everything from scratch, as without the static/dynamic split (a new renderer renders its filler).
  const small = new SimulatedCluster({ nodes: 1, seed: 1 });
  const scratchMs = time(() => new AgentPageRenderer(small, PAGE_KB).render(small.nodes[0]), quick ? 3 : 7);
  const page = renderer.render(cluster.nodes[0]);
  const body = Buffer.concat(page.chunks);
  let gzipped = 0;
  const gzipMs = time(
    () => {
      gzipped = gzipSync(body, { level: 1 }).length;
    },
    quick ? 5 : 15
  );
  return { setupMs, tickMs, hubble, renderMs, scratchMs, gzipMs, pageBytes: body.length, gzipBytes: gzipped };
}

/**
 * A tick with Hubble on (every agent drop attributed to a flow) against the same cluster without it, ticks taken in
 * turn so both see the same load on a shared machine.
 */
function hubbleTicks(runs) {
  const off = new SimulatedCluster({ nodes: NODES, seed: 1 });
  const on = new SimulatedCluster({ nodes: NODES, seed: 1, hubble: true });
  const offMs = [];
  const onMs = [];
  for (let i = 0; i < runs; i++) {
    offMs.push(time(() => off.tick(), 1));
    onMs.push(time(() => on.tick(), 1));
  }
  return { offMs: median(offMs), onMs: median(onMs) };
}

function startCli() {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        path.join(root, 'bin', 'ciliumscope-simulator.js'),
        '--nodes',
        String(NODES),
        '--page-kb',
        String(PAGE_KB),
        '--tick',
        '0',
        '--listen',
        '127.0.0.1:0',
        '--max-connections',
        '4096',
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] }
    );
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = /operator: (http:\/\/[^/]+)\//.exec(out);
      if (match) {
        resolve({ child, url: match[1] });
      }
    });
    child.on('exit', (code) => reject(new Error(`simulator exited with code ${code}: ${out}`)));
  });
}

/** CPU seconds (user + system) a process has used, from /proc; null where /proc is unavailable. */
function cpuSeconds(pid) {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/** Resident memory of a process in MiB, from /proc; null where /proc is unavailable. */
function rssMiB(pid) {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

async function measured(pid, run) {
  const before = cpuSeconds(pid);
  const result = await run();
  const after = cpuSeconds(pid);
  result.serverCpuSeconds = before === null || after === null ? null : after - before;
  return result;
}

function cannon(url, paths, headers) {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url,
        connections: 32,
        duration: SERVE_SECONDS,
        headers,
        requests: paths.map((p) => ({ method: 'GET', path: p })),
      },
      (error, result) => (error ? reject(error) : resolve(result))
    );
  });
}

async function warm(url, paths, headers) {
  const started = process.hrtime.bigint();
  const queue = [...paths];
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (queue.length > 0) {
        const res = await fetch(url + queue.shift(), { headers });
        await res.arrayBuffer();
      }
    })
  );
  return Number(process.hrtime.bigint() - started) / 1e6;
}

async function serving() {
  const { child, url } = await startCli();
  try {
    const paths = Array.from({ length: NODES }, (_, i) => `/agents/node-${String(i).padStart(3, '0')}/metrics`);
    const identity = { 'accept-encoding': 'identity' };
    const gzip = { 'accept-encoding': 'gzip' };
    const idleRss = rssMiB(child.pid);
    const coldIdentityMs = await warm(url, paths, identity);
    const coldGzipMs = await warm(url, paths, gzip);
    const cachedRss = rssMiB(child.pid);
    const floor = await measured(child.pid, () => cannon(url, ['/healthz'], {}));
    const plain = await measured(child.pid, () => cannon(url, paths, identity));
    const zipped = await measured(child.pid, () => cannon(url, paths, gzip));
    return { coldIdentityMs, coldGzipMs, floor, plain, zipped, idleRss, cachedRss };
  } finally {
    child.kill('SIGTERM');
  }
}

async function main() {
  console.log(`simulator benchmark: ${NODES} nodes, ${PAGE_KB} KiB pages${quick ? ' (quick)' : ''}`);
  console.log(`machine: ${describeMachine()}`);
  const p = inProcess();
  console.log('\nin process');
  console.log(`  cluster + renderer setup      ${p.setupMs.toFixed(0)} ms`);
  console.log(`  tick (${NODES} nodes)             ${p.tickMs.toFixed(2)} ms`);
  console.log(
    `  tick, Hubble off / on         ${p.hubble.offMs.toFixed(2)} / ${p.hubble.onMs.toFixed(2)} ms  (${(p.hubble.onMs / p.hubble.offMs).toFixed(2)}x with --hubble)`
  );
  console.log(
    `  page render (cached filler)   ${p.renderMs.toFixed(3)} ms/page  (${(p.pageBytes / 1024).toFixed(0)} KiB)`
  );
  console.log(`  page render from scratch      ${p.scratchMs.toFixed(3)} ms/page  (baseline)`);
  console.log(`  ratio scratch / cached        ${(p.scratchMs / p.renderMs).toFixed(1)}x`);
  console.log(
    `  gzip level 1                  ${p.gzipMs.toFixed(3)} ms/page  (${(p.gzipBytes / 1024).toFixed(0)} KiB, ${(p.pageBytes / p.gzipBytes).toFixed(1)}x smaller)`
  );
  // Every 30 s: six ticks, and each agent scraped once (its page rendered and compressed once, since ticks invalidate).
  const perRound = 6 * p.tickMs + NODES * (p.renderMs + p.gzipMs);
  console.log(
    `  CPU per 30 s, ${NODES} agents scraped with gzip, a tick every 5 s: ${(perRound / 1000).toFixed(2)} s = ${((perRound / 30000) * 100).toFixed(1)}% of one core`
  );

  const s = await serving();
  const rps = (r) => r.requests.average;
  const mbps = (r) => r.throughput.average / 1e6;
  // Server CPU per request: what the simulator itself spends, whatever limits the client.
  const cpuPerRequest = (r) =>
    r.serverCpuSeconds === null
      ? 'n/a'
      : `${((r.serverCpuSeconds * 1e6) / r.requests.total).toFixed(0)} us CPU/req (~${(r.requests.total / r.serverCpuSeconds).toFixed(0)} req/s per core)`;
  console.log('\nover loopback (simulator CLI in a child process, autocannon 32 connections)');
  console.log(
    `  first pass after start, ${NODES} pages rendered on demand: identity ${s.coldIdentityMs.toFixed(0)} ms, gzip ${s.coldGzipMs.toFixed(0)} ms`
  );
  if (s.idleRss !== null) {
    console.log(
      `  simulator RSS: ${s.idleRss.toFixed(0)} MiB at start, ${s.cachedRss.toFixed(0)} MiB with all ${NODES} pages cached (identity + gzip)`
    );
  }
  console.log(`  /healthz (baseline)       ${rps(s.floor).toFixed(0)} req/s  server ${cpuPerRequest(s.floor)}`);
  console.log(
    `  pages, identity, cached   ${rps(s.plain).toFixed(0)} req/s  ${mbps(s.plain).toFixed(0)} MB/s  p99 ${s.plain.latency.p99} ms  errors ${s.plain.errors + s.plain.non2xx}  server ${cpuPerRequest(s.plain)}`
  );
  console.log(
    `  pages, gzip, cached       ${rps(s.zipped).toFixed(0)} req/s  ${mbps(s.zipped).toFixed(0)} MB/s  p99 ${s.zipped.latency.p99} ms  errors ${s.zipped.errors + s.zipped.non2xx}  server ${cpuPerRequest(s.zipped)}`
  );
  console.log('  (client and server share this machine; req/s is bounded by whichever saturates first)');
  console.log(
    `  ratio pages / healthz     identity ${(rps(s.plain) / rps(s.floor)).toFixed(2)}, gzip ${(rps(s.zipped) / rps(s.floor)).toFixed(2)}`
  );
  console.log(
    `  headroom over 1,000 agents every 30 s (33.3 pages/s): identity ${(rps(s.plain) / 33.3).toFixed(0)}x, gzip ${(rps(s.zipped) / 33.3).toFixed(0)}x`
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
