/**
 * The query replica of the history benchmark: the built exporter (build/, `npm run build:exporter`, or another
 * build for a baseline) in a process of its own, with no targets and `--history-backend prometheus` on the backfilled Prometheus, its
 * `--prometheus-scrape-interval` the backfill's resolution (its rate windows and lookback follow it). For a backfill
 * that ends in the past (the cached CI shape) its clock is set to the backfill's end, which the benchmark takes as
 * "now": the agent table and the node list are read at that time.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

export interface Replica {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

export function startReplica(
  prometheusUrl: string,
  scrapeIntervalSeconds: number,
  o: { nowMs?: number; cpuProfileDir?: string; build?: string } = {}
): Promise<Replica> {
  const flags = [
    '--listen=127.0.0.1:0',
    '--log-level=warn',
    `--prometheus-scrape-interval=${scrapeIntervalSeconds}s`,
    '--prometheus-timeout=60s',
  ];
  const child: ChildProcess = spawn(
    process.execPath,
    [
      ...(o.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${o.cpuProfileDir}`] : []),
      join(__dirname, 'replica-process.js'),
      o.build ?? join(ROOT, 'build'),
      prometheusUrl,
      String(o.nowMs ?? ''),
      ...flags,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] }
  );
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-16_384)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async () => {
    if (child.exitCode === null) {
      // SIGINT: the process closes the exporter and exits, so a CPU profile is written.
      child.kill('SIGINT');
      await exited;
    }
  };
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        resolve({ ...(JSON.parse(out.slice(0, nl)) as { url: string }), pid: child.pid!, stop });
      }
    });
    void exited.then((code) => reject(new Error(`the query replica exited (${code}):\n${stderr}`)));
  });
}
