/**
 * The three processes of the side-by-side benchmark, each started on loopback in its own process: the simulator
 * (its CLI), the exporter (the built CLI, optionally under --cpu-prof) and a real Prometheus with a generated scrape
 * configuration of the same targets. Every process is stopped by `stop()`; temporary directories are removed.
 */
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const net = require('node:net');
const { spawn } = require('node:child_process');

const ROOT = path.resolve(__dirname, '..', '..');
const LOG_LIMIT = 64 * 1024;

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A child process with its stderr tail kept for error messages, and a stop that escalates to SIGKILL. */
function launch(name, command, args, options = {}) {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (c) => (stderr = (stderr + c).slice(-LOG_LIMIT)));
  child.stdout.on('data', (c) => (stdout = (stdout + c).slice(-LOG_LIMIT)));
  let exited = false;
  const exit = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  void exit.then(() => (exited = true));
  return {
    name,
    child,
    pid: child.pid,
    stdout: () => stdout,
    stderr: () => stderr,
    alive: () => !exited,
    exit,
    async stop(graceMs = 15_000) {
      if (!exited) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exit;
        clearTimeout(timer);
      }
    },
  };
}

async function waitFor(proc, what, check, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!proc.alive()) {
      throw new Error(`${proc.name} exited before ${what}:\n${proc.stderr()}${proc.stdout()}`);
    }
    try {
      const value = await check();
      if (value) {
        return value;
      }
    } catch {
      // not there yet
    }
    if (Date.now() > deadline) {
      throw new Error(`${proc.name}: no ${what} within ${timeoutMs} ms:\n${proc.stderr()}`);
    }
    await sleep(200);
  }
}

/** Ticks only when asked (POST /control/tick), so the benchmark chooses when pages change. */
async function startSimulator({ nodes, pageKB, tickSeconds = 5, seed = 1 }) {
  const port = await freePort();
  const proc = launch('simulator', process.execPath, [
    path.join(ROOT, 'bin', 'ciliumscope-simulator.js'),
    '--nodes',
    String(nodes),
    '--page-kb',
    String(pageKB),
    '--tick',
    '0',
    '--tick-seconds',
    String(tickSeconds),
    '--seed',
    String(seed),
    '--listen',
    `127.0.0.1:${port}`,
    '--max-connections',
    '8192',
  ]);
  const url = `http://127.0.0.1:${port}`;
  const list = await waitFor(proc, 'its node list', async () => (await fetch(`${url}/agents`)).json(), 120_000);
  return { ...proc, url, nodes: list.nodes, agentPath: (n) => `/agents/${encodeURIComponent(n)}/metrics` };
}

async function startExporter({
  sim,
  intervalMs,
  profileDir,
  extraArgs = [],
  nodeArgs: extraNodeArgs = [],
  env = {},
  root = ROOT,
}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ciliumscope-scale-exporter-'));
  const port = await freePort();
  const lines = [
    `listen: 127.0.0.1:${port}`,
    `scrape-interval: ${intervalMs}ms`,
    'log-level: warn',
    `operator: ${sim.url}/operator/metrics`,
    'agent:',
    ...sim.nodes.map((n) => `  - ${n}=${sim.url}${sim.agentPath(n)}`),
  ];
  const configFile = path.join(dir, 'exporter.yaml');
  fs.writeFileSync(configFile, lines.join('\n') + '\n');
  const nodeArgs = [...extraNodeArgs, ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [])];
  const proc = launch(
    'exporter',
    process.execPath,
    [...nodeArgs, path.join(root, 'bin', 'ciliumscope-exporter.js'), '--config', configFile, ...extraArgs],
    { env: { ...process.env, ...env } }
  );
  const url = `http://127.0.0.1:${port}`;
  await waitFor(proc, 'an HTTP listener', async () => (await fetch(`${url}/healthz`)).ok, 60_000);
  const stop = proc.stop;
  return {
    ...proc,
    url,
    async stop() {
      await stop(60_000);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Prometheus scraping every agent page of the simulator, one target per node (the path set per target). */
async function startPrometheus({ sim, intervalMs, timeoutMs, binary = 'prometheus' }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ciliumscope-scale-prometheus-'));
  const port = await freePort();
  const host = new URL(sim.url).host;
  const seconds = (ms) => `${Math.max(1, Math.round(ms / 1000))}s`;
  const groups = sim.nodes.map(
    (n) => `      - targets: ['${host}']\n        labels: { __metrics_path__: '${sim.agentPath(n)}', node: '${n}' }`
  );
  const config = [
    'global:',
    `  scrape_interval: ${seconds(intervalMs)}`,
    `  scrape_timeout: ${seconds(timeoutMs)}`,
    `  evaluation_interval: ${seconds(intervalMs)}`,
    'scrape_configs:',
    '  - job_name: cilium-agent',
    '    static_configs:',
    ...groups,
    '  - job_name: cilium-operator',
    `    metrics_path: /operator/metrics`,
    `    static_configs: [{ targets: ['${host}'] }]`,
    '',
  ].join('\n');
  const configFile = path.join(dir, 'prometheus.yml');
  fs.writeFileSync(configFile, config);
  const proc = launch('prometheus', binary, [
    `--config.file=${configFile}`,
    `--storage.tsdb.path=${path.join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--storage.tsdb.retention.time=2h',
    '--log.level=warn',
  ]);
  const url = `http://127.0.0.1:${port}`;
  await waitFor(proc, 'readiness', async () => (await fetch(`${url}/-/ready`)).ok, 60_000);
  const stop = proc.stop;
  return {
    ...proc,
    url,
    async query(expr) {
      const res = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: expr })}`, {
        signal: AbortSignal.timeout(30_000),
      });
      const body = await res.json();
      if (body.status !== 'success') {
        throw new Error(`Prometheus query ${expr}: ${body.error}`);
      }
      return body.data.result.map((r) => ({ labels: r.metric, value: Number(r.value[1]) }));
    },
    async stop() {
      await stop(30_000);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * bench/scale/api-server.js in its own process: an exporter holding `backfill` cycles of history of a simulated
 * cluster, still scraping every `scrapeEvery` ms, under node flags `nodeArgs` (e.g. --cpu-prof). Resolves with its
 * first stdout line (url, nowMs, nodes, series, pid) and the child.
 */
function startApiServer(o) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        ...(o.nodeArgs ?? []),
        path.join(__dirname, 'api-server.js'),
        '--nodes',
        String(o.nodes),
        '--page-kb',
        String(o.pageKB),
        '--backfill',
        String(o.backfill),
        '--scrape-every',
        String(o.scrapeEvery),
        ...(o.interval ? ['--interval', String(o.interval)] : []),
        ...(o.build ? ['--build', o.build] : []),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] }
    );
    let out = '';
    let err = '';
    child.stderr.on('data', (c) => {
      err = (err + c).slice(-16384);
      process.stderr.write(c);
    });
    child.stdout.on('data', (c) => {
      out += c;
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        resolve({ child, ...JSON.parse(out.slice(0, nl)) });
      }
    });
    child.once('exit', (code) => reject(new Error(`api server exited (${code}):\n${err}`)));
  });
}

module.exports = { startSimulator, startExporter, startPrometheus, startApiServer, freePort, sleep, ROOT };
