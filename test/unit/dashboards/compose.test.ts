/**
 * docker-compose.yml, the Dockerfiles and the Prometheus configuration, without a Docker engine: the file is
 * parsed and checked (services, pinned images, mounts, health checks, ports, the plugin allow-list), the exporter
 * and simulator command lines go through their real parsers, and `docker-compose config` (Debian's
 * docker-compose) validates the file against the Compose schema where it is installed.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../../exporter/config/config';
import { parseCliArgs } from '../../../simulator/cli';
import { PLUGIN_ID } from '../../../tools/dashboards/ids';
import { ROOT, describeWith, which } from '../../support/tools';
import { type Json, readText, readYaml } from './files';

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  read_only?: boolean;
}

const compose = readYaml('docker-compose.yml') as { services: Record<string, Service>; volumes: Json };
const services = compose.services;

describe('docker-compose.yml', () => {
  test('runs Grafana, Prometheus, the exporter and the simulator, each with a health check and the ones it needs started first', () => {
    expect(Object.keys(services).sort()).toEqual(['exporter', 'grafana', 'prometheus', 'simulator']);
    for (const [name, s] of Object.entries(services)) {
      expect({ name, test: s.healthcheck?.test?.[0] }).toEqual({ name, test: 'CMD' });
    }
    expect(services.grafana.depends_on).toEqual({
      prometheus: { condition: 'service_healthy' },
      exporter: { condition: 'service_healthy' },
    });
    expect(services.prometheus.depends_on).toEqual({ exporter: { condition: 'service_healthy' } });
    expect(services.exporter.depends_on).toEqual({ simulator: { condition: 'service_healthy' } });
  });

  test('pins third-party images to a version and builds ours from the Dockerfiles in the repository', () => {
    expect(services.grafana.image).toMatch(/^grafana\/grafana(-oss)?:12\.\d+\.\d+$/);
    expect(services.prometheus.image).toMatch(/^prom\/prometheus:v\d+\.\d+\.\d+$/);
    for (const [name, file] of [
      ['exporter', 'Dockerfile.exporter'],
      ['simulator', 'Dockerfile.simulator'],
    ] as const) {
      expect(services[name].build).toEqual({ context: '.', dockerfile: file });
      expect(existsSync(join(ROOT, file))).toBe(true);
      expect(services[name].read_only).toBe(true);
    }
  });

  test('Grafana loads the unsigned plugin from dist/ and the provisioning folder', () => {
    const g = services.grafana;
    expect(g.environment?.GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS?.split(',')).toContain(PLUGIN_ID);
    expect(g.volumes).toEqual(
      expect.arrayContaining([
        `./dist:/var/lib/grafana/plugins/${PLUGIN_ID}:ro`,
        './provisioning:/etc/grafana/provisioning:ro',
      ])
    );
    expect(g.ports).toContain('3000:3000');
    const home = g.environment?.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH ?? '';
    expect(existsSync(join(ROOT, home.replace('/etc/grafana/provisioning', 'provisioning')))).toBe(true);
    // The dashboard provider's path is where the provisioning folder is mounted.
    const provider = (readYaml('provisioning/dashboards/ciliumscope.yaml').providers as Json[])[0];
    const providerPath = String((provider.options as Json).path);
    expect(existsSync(join(ROOT, providerPath.replace('/etc/grafana/provisioning', 'provisioning')))).toBe(true);
  });

  test('Prometheus mounts its configuration and the rule files, and scrapes the exporter service', () => {
    const p = services.prometheus;
    expect(p.volumes).toEqual(
      expect.arrayContaining([
        './prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro',
        './prometheus/rules:/etc/prometheus/rules:ro',
      ])
    );
    const config = readYaml('prometheus/prometheus.yml') as {
      rule_files: string[];
      scrape_configs: Array<{ static_configs: Array<{ targets: string[] }> }>;
    };
    expect(config.rule_files).toEqual(['/etc/prometheus/rules/*.rules.yml']);
    const exporterPort = services.exporter
      .command!.find((a) => a.startsWith('--listen='))!
      .split(':')
      .pop();
    expect(config.scrape_configs[0].static_configs[0].targets).toEqual([`exporter:${exporterPort}`]);
    // The datasource provisioning points Grafana at the same services.
    const ds = readText('provisioning/datasources/ciliumscope.yaml');
    expect(ds).toContain(`url: http://exporter:${exporterPort}`);
    expect(ds).toContain('url: http://prometheus:9090');
  });

  test("the exporter's and the simulator's command lines are accepted by their own parsers", () => {
    const loaded = loadConfig({ argv: services.exporter.command!, env: {} });
    expect(loaded.kind).toBe('config');
    if (loaded.kind === 'config') {
      expect(loaded.config.agents.map((a) => a.url)).toEqual(
        loaded.config.agents.map((a) => `http://simulator:9970/agents/${a.node}/metrics`)
      );
      expect(loaded.config.listen).toEqual({ host: '0.0.0.0', port: 9967 });
    }
    const sim = parseCliArgs(services.simulator.command!);
    expect(sim).toMatchObject({ host: '0.0.0.0', port: 9970 });
    expect(sim !== 'help' && sim.nodes).toBe((loaded as { config: { agents: unknown[] } }).config.agents.length);
  });
});

describe.each(['Dockerfile.exporter', 'Dockerfile.simulator'])('%s', (file) => {
  const text = readText(file);
  test('builds in stages on node:20-bookworm-slim: npm ci, build, npm ci --omit=dev; runs as the node user', () => {
    expect(text.match(/^FROM node:20-bookworm-slim/gm)?.length).toBe(2);
    const order = ['RUN npm ci --no-audit', 'RUN npm run build:exporter', 'RUN npm ci --omit=dev'].map((s) =>
      text.indexOf(s)
    );
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(text).toMatch(/^USER node$/m);
    expect(text).toMatch(/^HEALTHCHECK /m);
    expect(text.indexOf('USER node')).toBeGreaterThan(text.lastIndexOf('FROM '));
  });

  test('copies only files the build context keeps (.dockerignore)', () => {
    const ignored = readText('.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    const copied = [...text.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1].split(' '));
    expect(copied.length).toBeGreaterThan(3);
    for (const source of copied) {
      expect({ source, ignored: ignored.some((i) => source === i || source.startsWith(`${i}/`)) }).toEqual({
        source,
        ignored: false,
      });
    }
  });
});

describeWith([{ binary: 'promtool' }], 'prometheus/prometheus.yml', () => {
  test('promtool check config accepts it', () => {
    expect(
      execFileSync('promtool', ['check', 'config', 'prometheus/prometheus.yml'], {
        cwd: ROOT,
        stdio: 'pipe',
      }).toString()
    ).toMatch(/SUCCESS/);
  });
});

// Debian's docker-compose (apt-get install docker-compose) validates against the Compose schema without an engine.
const dockerCompose = which('docker-compose');
(dockerCompose ? describe : describe.skip)('docker-compose config', () => {
  test('accepts the file and resolves every service', () => {
    const out = execFileSync(dockerCompose!, ['-f', 'docker-compose.yml', 'config', '--services'], {
      cwd: ROOT,
      stdio: 'pipe',
      timeout: 60_000,
    }).toString();
    expect(out.split('\n').filter(Boolean).sort()).toEqual(['exporter', 'grafana', 'prometheus', 'simulator']);
  });
});
if (!dockerCompose) {
  console.warn(
    '\n*** SKIPPED "docker-compose config": docker-compose is not installed (apt-get install -y docker-compose) ***\n'
  );
}
