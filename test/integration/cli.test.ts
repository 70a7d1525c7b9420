/** The installed command, as a user runs it: `ciliumscope-exporter` against an agent page served over HTTP. */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { type TestServer, startServer } from '../support/http';
import { readExposition } from '../support/exposition';
import { BUILT_EXPORTER, ROOT, describeWith } from '../support/tools';

const BIN = join(ROOT, 'bin', 'ciliumscope-exporter.js');
const PAGE =
  '# TYPE cilium_endpoint gauge\ncilium_endpoint 9\n# TYPE cilium_drop_count_total counter\ncilium_drop_count_total{direction="EGRESS",reason="Policy denied"} 1.5e+06\n';

describeWith([BUILT_EXPORTER], 'ciliumscope-exporter command', () => {
  let agent: TestServer;
  let child: ChildProcess | null = null;

  beforeAll(async () => {
    agent = await startServer((_req, res) => res.end(PAGE));
  });
  afterAll(async () => {
    child?.kill('SIGTERM');
    await agent.close();
  });

  test("scrapes at the interval and serves the page's values on /metrics; stops on SIGTERM", async () => {
    child = spawn(
      process.execPath,
      [
        BIN,
        '--agent',
        `n1=${agent.url}/x`,
        '--listen',
        '127.0.0.1:0',
        '--scrape-interval',
        '1s',
        '--log-level',
        'warn',
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      }
    );
    let stderr = '';
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed: ${stderr}`)), 10_000);
      child!.stderr!.on('data', (d: Buffer) => {
        stderr += d.toString();
        const m = /metrics at (http:\/\/\S+)\/metrics/.exec(stderr);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
    });
    let metrics = new Map<string, number>();
    for (let i = 0; i < 50 && !metrics.has('ciliumscope_endpoints_total{node="n1"}'); i++) {
      await new Promise((r) => setTimeout(r, 100));
      metrics = readExposition(await (await fetch(`${url}/metrics`)).text());
    }
    expect(metrics.get('ciliumscope_endpoints_total{node="n1"}')).toBe(9);
    expect(metrics.get('ciliumscope_dropped_packets_total{direction="EGRESS",node="n1",reason="Policy denied"}')).toBe(
      1_500_000
    );
    expect(metrics.get('ciliumscope_target_up{component="agent",node="n1"}')).toBe(1);
    const exited = new Promise<number | null>((resolve) => child!.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    child = null;
  });

  test('bad flags: exit code 2 and a message naming the flag', () => {
    const r = spawnSync(process.execPath, [BIN, '--scrape-interval', 'soon'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      'ciliumscope-exporter: --scrape-interval: "soon" is not a duration (examples: 30s, 1m30s, 500ms)\n'
    );
  });

  test('a bad --prometheus-url: exit code 2 naming the setting', () => {
    const r = spawnSync(
      process.execPath,
      [BIN, '--history-backend', 'prometheus', '--prometheus-url', 'ftp://prom:9090'],
      { encoding: 'utf8' }
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      'ciliumscope-exporter: --prometheus-url: "ftp://prom:9090" must be an http:// or https:// URL\n'
    );
  });

  test('--help lists every flag', () => {
    const r = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    for (const flag of [
      '--agent NODE=URL',
      '--operator',
      '--listen',
      '--scrape-interval',
      '--scrape-timeout',
      '--max-concurrency',
      '--max-body-bytes',
      '--token-file',
      '--log-level',
      '--history-backend embedded|prometheus',
      '--prometheus-url URL',
      '--prometheus-header NAME=VALUE',
    ]) {
      expect(r.stdout).toContain(flag);
    }
  });

  test('a taken port is a clear error', async () => {
    const busy = await startServer((_req, res) => res.end());
    const port = new URL(busy.url).port;
    const r = spawnSync(process.execPath, [BIN, '--listen', `127.0.0.1:${port}`, '--log-level', 'silent'], {
      encoding: 'utf8',
      timeout: 10_000,
    });
    await busy.close();
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`cannot listen on 127.0.0.1:${port}: the address is in use (--listen)`);
  });
});
