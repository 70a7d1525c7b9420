import { ConfigError, loadConfig } from '../../../exporter/config/config';

const load = (argv: string[], files: Record<string, string> = {}) => {
  const result = loadConfig({
    argv,
    env: {},
    readFile: (p) =>
      files[p] ??
      (() => {
        throw Object.assign(new Error('nope'), { code: 'ENOENT' });
      })(),
  });
  if (result.kind !== 'config') {
    throw new Error('not a config');
  }
  return result.config;
};

describe('Hubble settings', () => {
  test('off unless asked for', () => {
    expect(load([]).hubble).toBeNull();
  });

  test('--hubble targets, --hubble-port on static agents, defaults', () => {
    const c = load([
      '--agent',
      'n1=https://10.0.0.1:9962/metrics',
      '--agent',
      'n2=http://10.0.0.2:9962/x',
      '--hubble',
      'n2=http://10.9.9.9:9965/metrics',
      '--hubble-port',
      '9965',
    ]);
    expect(c.hubble).toMatchObject({
      targets: [
        { node: 'n2', url: 'http://10.9.9.9:9965/metrics' },
        { node: 'n1', url: 'https://10.0.0.1:9965/metrics' },
      ],
      discoverPort: 9965,
      context: 'auto',
      topK: 50,
      maxSeries: 5000,
      halfLifeMs: 3_600_000,
      relay: null,
    });
  });

  test('from the environment and the YAML file, by the same names', () => {
    const result = loadConfig({
      argv: ['--config', '/cs.yaml'],
      env: { CILIUMSCOPE_HUBBLE_RELAY: 'relay:4245', CILIUMSCOPE_HUBBLE_TOP_K: '7' },
      readFile: () => 'hubble:\n  - { node: n1, url: "http://10.0.0.1:9965/metrics" }\nhubble-context: workload-name\n',
    });
    expect(result.kind === 'config' && result.config.hubble).toMatchObject({
      targets: [{ node: 'n1', url: 'http://10.0.0.1:9965/metrics' }],
      context: 'workload-name',
      topK: 7,
      relay: { address: 'relay:4245', tls: null },
    });
  });

  test('Relay with TLS and a server name', () => {
    const c = load(
      [
        '--hubble-relay',
        'hubble-relay.kube-system:443',
        '--hubble-relay-ca-file',
        '/ca',
        '--hubble-relay-server-name',
        'ui.hubble-relay.cilium.io',
      ],
      { '/ca': 'CA' }
    );
    expect(c.hubble!.relay).toEqual({
      address: 'hubble-relay.kube-system:443',
      timeoutMs: 15_000,
      tls: { ca: Buffer.from('CA'), cert: null, key: null, serverName: 'ui.hubble-relay.cilium.io' },
    });
  });

  test.each([
    [['--hubble', 'n1'], /--hubble: "n1" must be NODE=URL/],
    [['--hubble', 'n1=ftp://x'], /--hubble: "ftp:\/\/x" must be an http/],
    [['--hubble-relay', 'relay'], /--hubble-relay: "relay" must be HOST:PORT/],
    [['--hubble-relay', 'r:80', '--hubble-relay-cert-file', '/c'], /--hubble-relay-cert-file: (cannot read|give both)/],
    [
      ['--hubble-port', '9965', '--hubble-context', 'pods'],
      /--hubble-context: "pods" must be auto, namespace or workload-name/,
    ],
    [['--hubble-port', '9965', '--hubble-top-k', '0'], /--hubble-top-k: must be from 1 to 10000/],
    [['--hubble-relay', 'r:80', '--hubble-relay-timeout', '10ms'], /--hubble-relay-timeout: must be from 100ms to 10m/],
  ])('%j is refused with a message naming the setting', (argv, message) => {
    expect(() => load(argv)).toThrow(ConfigError);
    expect(() => load(argv)).toThrow(message);
  });
});
