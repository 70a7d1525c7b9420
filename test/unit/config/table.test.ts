/** The settings table: the README's flag reference is its --help, and every setting is checked whatever its area. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../../exporter/config/config';
import { OPTIONS, renderHelp } from '../../../exporter/config/options';
import { envName } from '../../../exporter/config/setting';

const ROOT = join(__dirname, '..', '..', '..');

function load(argv: string[], env: NodeJS.ProcessEnv = {}, files: Record<string, string> = {}) {
  const result = loadConfig({ argv, env, readFile: (p) => files[p] ?? '' });
  if (result.kind !== 'config') {
    throw new Error(`expected a config, got ${result.kind}`);
  }
  return result.config;
}

function failure(argv: string[]): string {
  try {
    load(argv);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

test("the README's `ciliumscope-exporter --help` block is the help the exporter prints", () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const block = /`ciliumscope-exporter --help`:\n\n```\n([\s\S]*?)\n```/.exec(readme);
  expect(block).not.toBeNull();
  expect(block![1]).toBe(renderHelp('ciliumscope-exporter'));
});

test('flag, environment variable and YAML key are one name each, none taken twice', () => {
  const names = OPTIONS.map((o) => o.name);
  expect(new Set(names).size).toBe(names.length);
  expect(new Set(OPTIONS.map(envName)).size).toBe(names.length);
  for (const name of names) {
    expect(name).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
  }
});

test('an area setting follows flags over environment over YAML like the others', () => {
  const files = { '/cs.yaml': 'anomaly-k: 3\nagent-port: 1234\n' };
  expect(load(['--config', '/cs.yaml'], {}, files).anomaly?.k).toBe(3);
  expect(load(['--config', '/cs.yaml'], { CILIUMSCOPE_ANOMALY_K: '4' }, files).anomaly?.k).toBe(4);
  expect(load(['--config', '/cs.yaml', '--anomaly-k', '5'], { CILIUMSCOPE_ANOMALY_K: '4' }, files).anomaly?.k).toBe(5);
  const kube = load(['--config', '/cs.yaml', '--kubeconfig', '/k'], {}, files).kube;
  expect(kube?.agent.port).toBe(1234);
});

test.each([
  [['--agent-port', '0'], '--agent-port: 0 is not a port (1-65535)'],
  [
    ['--agent-url-template', 'http://{ip}/'],
    expect.stringMatching(/^--agent-url-template: unknown placeholder \{ip\}/),
  ],
  [['--prometheus-timeout', '5m'], '--prometheus-timeout: must be between 100ms and 2m'],
  [
    ['--prometheus-header', 'X-Scope-OrgID'],
    '--prometheus-header: "X-Scope-OrgID" must be NAME=VALUE, e.g. X-Scope-OrgID=tenant-1',
  ],
  [['--prometheus-max-concurrency', '100'], '--prometheus-max-concurrency: 100 must be an integer from 1 to 64'],
  [['--hubble-top-k', '0'], '--hubble-top-k: must be from 1 to 10000'],
  [['--hubble-relay-timeout', '1h'], '--hubble-relay-timeout: must be from 100ms to 10m'],
])('a bad value is refused even while its area is off: %p', (argv, message) => {
  expect(failure(argv)).toEqual(message);
});
