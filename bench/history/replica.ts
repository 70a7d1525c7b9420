/**
 * THE PART TO WIRE WHEN THE PROMETHEUS HISTORY BACKEND LANDS: the query replica of the history benchmark.
 *
 * Starts the built exporter (build/, `npm run build:exporter`) as a query replica: no targets,
 * `--history-backend prometheus` on the backfilled Prometheus, `--prometheus-scrape-interval` the backfill's
 * resolution (its rate windows and lookback follow it). Until the exporter has those options (its option table is
 * read from the build), it answers `{ skipped }` with the reason, and the benchmark prints the other sides only.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const NEEDED = ['history-backend', 'prometheus-url', 'prometheus-scrape-interval'];

export type Replica = { url: string; stop(): Promise<void> } | { skipped: string };

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export async function startReplica(prometheusUrl: string, scrapeIntervalSeconds: number): Promise<Replica> {
  const options = join(ROOT, 'build', 'exporter', 'config', 'options.js');
  if (!existsSync(options)) {
    return { skipped: 'build/ is missing: run npm run build:exporter' };
  }
  const { OPTION_BY_NAME } = require(options) as { OPTION_BY_NAME: ReadonlyMap<string, unknown> };
  const missing = NEEDED.filter((name) => !OPTION_BY_NAME.has(name));
  if (missing.length > 0) {
    return {
      skipped: `the exporter has no ${missing.map((m) => `--${m}`).join(', ')} yet (the Prometheus history backend)`,
    };
  }
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    [
      join(ROOT, 'bin', 'ciliumscope-exporter.js'),
      `--listen=127.0.0.1:${port}`,
      '--log-level=warn',
      '--history-backend=prometheus',
      `--prometheus-url=${prometheusUrl}`,
      `--prometheus-scrape-interval=${scrapeIntervalSeconds}s`,
      '--prometheus-timeout=60s',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] }
  );
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-16_384)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (exitCode === undefined) {
      child.kill('SIGTERM');
      await exited;
    }
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exitCode !== undefined) {
      return { skipped: `the replica exited (${exitCode}):\n${stderr}` };
    }
    try {
      if ((await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) })).ok) {
        return { url, stop };
      }
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      return { skipped: `the replica did not answer /healthz within 60 s:\n${stderr}` };
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
