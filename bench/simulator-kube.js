#!/usr/bin/env node
/**
 * The simulator's Kubernetes API at scale (default 5,000 nodes, 20 pods each: about 100,000 pods), in one run, the
 * simulator in its own process (the CLI) and the client in this one:
 *   first list     GET /api/v1/pods when nothing has asked yet: the store is built from the model, then streamed
 *   list           the same list again (time to first byte, total, size, MB/s), the client's JSON.parse apart
 *   ceps           GET /apis/cilium.io/v2/ciliumendpoints
 *   paged          the pod list in pages of 500 (limit/continue), as client-go and the exporter page
 *   one node       GET /api/v1/pods?fieldSelector=spec.nodeName=... (a filter over every record)
 *   tick           POST /control/tick before any Kubernetes request (baseline) and once the store follows the
 *                  model (every tick compared with every record): the ratio is what the API costs per tick
 *   watch          events a tick produces, and the delay from the tick's answer to the last event at the client
 *
 * Usage: npm run build:exporter && node bench/simulator-kube.js [--quick] [--nodes N] [--pods-per-node N]
 */
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const { describeMachine } = require('./scale/proc');
const path = require('node:path');
const http = require('node:http');
const { spawn } = require('node:child_process');

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const NODES = flag('--nodes', quick ? 1000 : 5000);
const PODS_PER_NODE = flag('--pods-per-node', 20);
const RUNS = quick ? 2 : 3;
const TICKS = quick ? 5 : 7;

const root = path.resolve(__dirname, '..');
if (!fs.existsSync(path.join(root, 'build', 'simulator', 'cli.js'))) {
  console.error('build/simulator/cli.js is missing: run `npm run build:exporter` first');
  process.exit(1);
}

function machine() {
  const load = os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
  return `${describeMachine()}, load average ${load}`;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function startCli() {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(
      process.execPath,
      [
        path.join(root, 'bin', 'ciliumscope-simulator.js'),
        '--nodes',
        String(NODES),
        '--pods-per-node',
        String(PODS_PER_NODE),
        '--page-kb',
        '20',
        '--tick',
        '0',
        '--listen',
        '127.0.0.1:0',
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] }
    );
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = /operator: (http:\/\/[^/]+)\//.exec(out);
      if (match) {
        resolve({ child, url: match[1], startMs: Date.now() - started });
      }
    });
    child.on('exit', (code) => reject(new Error(`simulator exited with code ${code}: ${out}`)));
  });
}

/** One GET: time to first byte, total time, bytes; the body kept when asked (to parse it afterwards). */
function fetchTimed(url, keep = false) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const ms = () => Number(process.hrtime.bigint() - start) / 1e6;
    http
      .get(url, { agent: false }, (res) => {
        let firstByteMs = null;
        let bytes = 0;
        const chunks = [];
        res.on('data', (chunk) => {
          firstByteMs ??= ms();
          bytes += chunk.length;
          if (keep) {
            chunks.push(chunk);
          }
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode,
            firstByteMs,
            totalMs: ms(),
            bytes,
            body: keep ? Buffer.concat(chunks) : null,
          })
        );
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

function post(url, body) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const req = http.request(
      url,
      { method: 'POST', agent: false, headers: { 'Content-Type': 'application/json' } },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ ms: Number(process.hrtime.bigint() - start) / 1e6, json: JSON.parse(text) }));
      }
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

async function tickMs(url, runs) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    samples.push((await post(`${url}/control/tick`, { n: 1 })).ms);
  }
  return median(samples);
}

/** Opens a watch and resolves once the stream is open; counts events and remembers when the last one came. */
function watch(url) {
  return new Promise((resolve, reject) => {
    const state = { events: 0, lastAt: 0, buffer: '' };
    const req = http.get(url, { agent: false }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        state.buffer += chunk;
        let nl;
        while ((nl = state.buffer.indexOf('\n')) >= 0) {
          const line = state.buffer.slice(0, nl);
          state.buffer = state.buffer.slice(nl + 1);
          if (!line.startsWith('{"type":"BOOKMARK"')) {
            state.events++;
            state.lastAt = Date.now();
          }
        }
      });
      resolve({ state, close: () => req.destroy() });
    });
    req.on('error', (error) => (error.code === 'ECONNRESET' ? undefined : reject(error)));
  });
}

const mb = (bytes) => (bytes / 1e6).toFixed(1);

async function main() {
  console.log(
    `simulator Kubernetes API benchmark: ${NODES} nodes, ${PODS_PER_NODE} pods per node${quick ? ' (quick)' : ''}`
  );
  console.log(`machine: ${machine()}`);
  const { child, url, startMs } = await startCli();
  try {
    console.log(`\nsimulator started in ${startMs} ms`);
    await tickMs(url, 3); // warm-up: the first ticks include compilation
    const tickBefore = await tickMs(url, TICKS);

    const first = await fetchTimed(`${url}/api/v1/pods`, true);
    const items = JSON.parse(first.body.toString('utf8')).items.length;
    console.log(`pods: ${items}`);
    console.log(
      `  first list (store built)   ${first.totalMs.toFixed(0)} ms, first byte after ${first.firstByteMs.toFixed(0)} ms, ${mb(first.bytes)} MB`
    );
    const lists = [];
    for (let i = 0; i < RUNS; i++) {
      lists.push(await fetchTimed(`${url}/api/v1/pods`));
    }
    const list = lists.sort((a, b) => a.totalMs - b.totalMs)[Math.floor(lists.length / 2)];
    console.log(
      `  list                       ${list.totalMs.toFixed(0)} ms (median of ${RUNS}), first byte after ${list.firstByteMs.toFixed(0)} ms, ${mb(list.bytes)} MB, ${(list.bytes / 1e6 / (list.totalMs / 1000)).toFixed(0)} MB/s`
    );
    const parseStart = process.hrtime.bigint();
    JSON.parse(first.body.toString('utf8'));
    console.log(
      `  client JSON.parse          ${(Number(process.hrtime.bigint() - parseStart) / 1e6).toFixed(0)} ms (this process)`
    );

    const ceps = await fetchTimed(`${url}/apis/cilium.io/v2/ciliumendpoints`);
    console.log(`  CiliumEndpoint list        ${ceps.totalMs.toFixed(0)} ms, ${mb(ceps.bytes)} MB`);

    let pages = 0;
    let pagedBytes = 0;
    let token = '';
    const pagedStart = Date.now();
    do {
      const page = await fetchTimed(
        `${url}/api/v1/pods?limit=500${token ? `&continue=${encodeURIComponent(token)}` : ''}`,
        true
      );
      pagedBytes += page.bytes;
      pages++;
      token = JSON.parse(page.body.toString('utf8')).metadata.continue ?? '';
    } while (token && pages < 10_000);
    console.log(
      `  paged list (500 a page)    ${Date.now() - pagedStart} ms for ${pages} pages, ${mb(pagedBytes)} MB (client parse included)`
    );

    const oneNode = [];
    for (let i = 0; i < RUNS; i++) {
      oneNode.push(
        (
          await fetchTimed(
            `${url}/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-${String(NODES >> 1).padStart(3, '0')}`
          )
        ).totalMs
      );
    }
    console.log(`  one node's pods            ${median(oneNode).toFixed(0)} ms (field selector over every record)`);

    const rv = JSON.parse((await fetchTimed(`${url}/api/v1/pods?limit=1`, true)).body.toString('utf8')).metadata
      .resourceVersion;
    const podWatch = await watch(`${url}/api/v1/pods?watch=1&resourceVersion=${rv}`);
    const cepWatch = await watch(`${url}/apis/cilium.io/v2/ciliumendpoints?watch=1&resourceVersion=${rv}`);
    const tickAfter = await tickMs(url, TICKS);
    const answeredAt = Date.now();
    await new Promise((r) => setTimeout(r, 1500));
    const ticks = TICKS;
    console.log(`\nticks (${NODES} nodes)`);
    console.log(`  tick, Kubernetes API unused        ${tickBefore.toFixed(0)} ms (baseline, median)`);
    console.log(`  tick, store following the model    ${tickAfter.toFixed(0)} ms (median)`);
    console.log(`  ratio                              ${(tickAfter / tickBefore).toFixed(2)}x`);
    console.log(
      `  watch events per tick              ${(podWatch.state.events / ticks).toFixed(0)} pod, ${(cepWatch.state.events / ticks).toFixed(0)} CiliumEndpoint`
    );
    console.log(
      `  last event after the last tick     ${Math.max(0, Math.max(podWatch.state.lastAt, cepWatch.state.lastAt) - answeredAt)} ms`
    );
    podWatch.close();
    cepWatch.close();
    const stats = await new Promise((resolve, reject) =>
      http
        .get(`${url}/control/kube`, (res) => {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () => resolve(JSON.parse(text)));
        })
        .on('error', reject)
    );
    console.log(`\nrequests: ${JSON.stringify(stats.requests)}; resourceVersion ${stats.resourceVersion}`);
    console.log(
      `machine load average at the end: ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`
    );
  } finally {
    child.kill('SIGTERM');
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
