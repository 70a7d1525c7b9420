import { ConfigError, loadConfig } from '../../../exporter/config/config';
import { renderHelp } from '../../../exporter/config/options';
import { parseBytes, parseDurationMs } from '../../../exporter/config/units';

const files: Record<string, string> = {};
const readFile = (p: string) => {
  if (!(p in files)) {
    const err = new Error(`ENOENT: ${p}`) as NodeJS.ErrnoException;
    err.code = 'ENOENT';
    throw err;
  }
  return files[p];
};
const load = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
  const r = loadConfig({ argv, env, readFile });
  if (r.kind !== 'config') {
    throw new Error(`expected a config, got ${r.kind}`);
  }
  return r.config;
};
const failure = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
  try {
    loadConfig({ argv, env, readFile });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
};

describe('units', () => {
  test.each([
    ['30s', 30_000],
    ['1m30s', 90_000],
    ['500ms', 500],
    ['2h', 7_200_000],
    ['1.5s', 1500],
    ['45', 45_000],
  ])('duration %s', (text, ms) => expect(parseDurationMs(text)).toBe(ms));
  test.each(['', 's', '3x', '1m 30s', '-1s', '1sec'])('not a duration: %p', (text) =>
    expect(parseDurationMs(text)).toBeNull()
  );
  test.each([
    ['16MiB', 16 * 1024 * 1024],
    ['500kB', 500_000],
    ['1024', 1024],
    ['1GiB', 1024 ** 3],
  ])('size %s', (text, n) => expect(parseBytes(text)).toBe(n));
  test.each(['', 'MiB', '1XB', '-5'])('not a size: %p', (text) => expect(parseBytes(text)).toBeNull());
});

describe('loadConfig', () => {
  test('defaults', () => {
    const c = load([]);
    expect(c).toMatchObject({
      agents: [],
      operator: null,
      listen: { host: '0.0.0.0', port: 9967 },
      scrapeIntervalMs: 30_000,
      scrapeTimeoutMs: 10_000,
      maxConcurrency: 64,
      maxBodyBytes: 16 * 1024 * 1024,
      staleAfterMs: 90_000,
      token: null,
      logLevel: 'info',
      nonPodEndpoints: 2,
    });
  });

  test('repeatable --agent NODE=URL, operator with and without node', () => {
    const c = load([
      '--agent',
      'n1=http://10.0.0.1:9962/metrics',
      '--agent',
      'n2=http://10.0.0.2:9962/metrics',
      '--operator',
      'http://10.0.0.9:9963/metrics',
    ]);
    expect(c.agents).toEqual([
      { node: 'n1', url: 'http://10.0.0.1:9962/metrics' },
      { node: 'n2', url: 'http://10.0.0.2:9962/metrics' },
    ]);
    expect(c.operator).toEqual({ node: '', url: 'http://10.0.0.9:9963/metrics' });
    expect(load(['--operator', 'cp-1=http://10.0.0.9:9963/metrics']).operator).toEqual({
      node: 'cp-1',
      url: 'http://10.0.0.9:9963/metrics',
    });
  });

  test('a short interval lowers the default timeout to the interval', () => {
    const c = load(['--scrape-interval', '1s']);
    expect(c.scrapeTimeoutMs).toBe(1000);
    expect(c.staleAfterMs).toBe(3000);
  });

  test('flags override environment, which overrides the YAML file', () => {
    files['/etc/cs.yaml'] =
      'scrape-interval: 1m\nmax-concurrency: 8\nlog-level: debug\nagent:\n  - n1=http://a:9962/metrics\n  - node: n2\n    url: http://b:9962/metrics\n';
    const c = load(['--config', '/etc/cs.yaml', '--max-concurrency', '4'], { CILIUMSCOPE_SCRAPE_INTERVAL: '45s' });
    expect(c.scrapeIntervalMs).toBe(45_000);
    expect(c.maxConcurrency).toBe(4);
    expect(c.logLevel).toBe('debug');
    expect(c.agents.map((a) => a.node)).toEqual(['n1', 'n2']);
  });

  test('environment lists are comma separated', () => {
    const c = load([], { CILIUMSCOPE_AGENT: 'n1=http://a:9962/metrics, n2=http://b:9962/metrics' });
    expect(c.agents).toHaveLength(2);
  });

  test('token file is read and trimmed; protect-metrics needs it', () => {
    files['/run/token'] = 's3cret-token\n';
    expect(load(['--token-file', '/run/token']).token).toBe('s3cret-token');
    expect(failure(['--protect-metrics'])).toBe('--protect-metrics: needs --token-file');
    files['/run/empty'] = '  \n';
    expect(failure(['--token-file', '/run/empty'])).toBe('--token-file: /run/empty is empty');
    expect(failure(['--token-file', '/run/missing'])).toBe('--token-file: cannot read /run/missing: ENOENT');
  });

  test.each([
    [['--scrape-interval', '3x'], '--scrape-interval: "3x" is not a duration (examples: 30s, 1m30s, 500ms)'],
    [['--scrape-interval', '1s', '--scrape-timeout', '2s'], '--scrape-timeout: must not exceed scrape-interval'],
    [
      ['--agent', 'http://a:9962/metrics'],
      '--agent: "http://a:9962/metrics" must be NODE=URL, e.g. node-1=http://10.0.0.5:9962/metrics',
    ],
    [['--agent', 'n1=ftp://a/metrics'], '--agent: must be an http:// or https:// URL'],
    [['--agent', 'n1=http://a/x', '--agent', 'n1=http://b/x'], '--agent: node "n1" is given twice'],
    [['--agent', 'bad node=http://a/x'], '--agent: is not a valid Kubernetes node name'],
    [['--listen', '9967'], '--listen: "9967" must be HOST:PORT, e.g. 0.0.0.0:9967 or [::]:9967'],
    [['--max-concurrency', 'many'], '--max-concurrency: "many" is not an integer'],
    [['--max-concurrency', '0'], '--max-concurrency: Too small: expected number to be >=1'],
    [['--log-level', 'loud'], expect.stringMatching(/^--log-level: /)],
    [
      ['--max-body-bytes', '12 parsecs'],
      '--max-body-bytes: "12 parsecs" is not a size (examples: 16MiB, 500kB, 1048576)',
    ],
    [['--bogus'], expect.stringMatching(/Unknown option '--bogus'.*\(see --help\)/)],
    [['--config', '/nope.yaml'], '--config: cannot read /nope.yaml: ENOENT'],
  ])('rejects %p', (argv, message) => {
    expect(failure(argv as string[])).toEqual(message);
  });

  test('YAML errors name the file and the key', () => {
    files['/bad.yaml'] = 'scrape-interval: [1, 2';
    expect(failure(['--config', '/bad.yaml'])).toMatch(/^--config: \/bad\.yaml is not valid YAML/);
    files['/unknown.yaml'] = 'scrape_interval: 30s\n';
    expect(failure(['--config', '/unknown.yaml'])).toBe(
      '--config: /unknown.yaml: unknown setting "scrape_interval" (see --help for the names)'
    );
    files['/list.yaml'] = '- a\n- b\n';
    expect(failure(['--config', '/list.yaml'])).toBe(
      '--config: /list.yaml must be a mapping of setting names to values'
    );
  });

  test('TLS files are read; a certificate needs its key', () => {
    files['/tls/ca.pem'] = 'CA';
    files['/tls/crt.pem'] = 'CRT';
    files['/tls/key.pem'] = 'KEY';
    const c = load([
      '--tls-ca-file',
      '/tls/ca.pem',
      '--tls-cert-file',
      '/tls/crt.pem',
      '--tls-key-file',
      '/tls/key.pem',
    ]);
    expect(c.tls).toEqual({
      ca: Buffer.from('CA'),
      cert: Buffer.from('CRT'),
      key: Buffer.from('KEY'),
      insecureSkipVerify: false,
    });
    expect(load([]).tls).toEqual({ ca: null, cert: null, key: null, insecureSkipVerify: false });
    expect(load(['--tls-insecure-skip-verify']).tls.insecureSkipVerify).toBe(true);
    expect(failure(['--tls-cert-file', '/tls/crt.pem'])).toBe(
      '--tls-cert-file: give both --tls-cert-file and --tls-key-file, or neither'
    );
    expect(failure(['--tls-ca-file', '/tls/none.pem'])).toBe('--tls-ca-file: cannot read /tls/none.pem: ENOENT');
  });

  test('shard N/M', () => {
    expect(load(['--shard', '1/3']).shard).toEqual({ index: 1, count: 3 });
    expect(load([]).shard).toBeNull();
    expect(failure(['--shard', '3/3'])).toBe('--shard: shard index 3 is out of range 0..2');
    expect(failure(['--shard', 'two'])).toBe('--shard: "two" must be N/M, e.g. 0/3 for the first of three replicas');
  });

  test('history backend: embedded by default; prometheus needs a URL; client settings from files', () => {
    expect(load([]).history.backend).toBe('embedded');
    expect(load([]).prometheus).toBeNull();
    files['/prom/token'] = 'abc123\n';
    files['/prom/basic'] = 'grafana:s3cr:et\n';
    files['/prom/ca.pem'] = 'CA';
    const c = load([
      '--history-backend',
      'prometheus',
      '--prometheus-url',
      'https://mimir.example:8080/prometheus/',
      '--prometheus-bearer-token-file',
      '/prom/token',
      '--prometheus-ca-file',
      '/prom/ca.pem',
      '--prometheus-header',
      'X-Scope-OrgID=tenant-1',
      '--prometheus-header',
      'X-Extra=a=b',
      '--prometheus-timeout',
      '5s',
      '--scrape-interval',
      '15s',
    ]);
    expect(c.history.backend).toBe('prometheus');
    expect(c.prometheus).toEqual({
      url: 'https://mimir.example:8080/prometheus',
      bearerToken: 'abc123',
      basicAuth: null,
      ca: Buffer.from('CA'),
      headers: [
        ['X-Scope-OrgID', 'tenant-1'],
        ['X-Extra', 'a=b'],
      ],
      timeoutMs: 5000,
      scrapeIntervalMs: 15_000,
      maxSeries: 50_000,
      maxResponseBytes: 64 * 1024 * 1024,
      maxConcurrency: 4,
    });
    const env = {
      CILIUMSCOPE_HISTORY_BACKEND: 'prometheus',
      CILIUMSCOPE_PROMETHEUS_URL: 'http://prom:9090',
      CILIUMSCOPE_PROMETHEUS_BASIC_AUTH_FILE: '/prom/basic',
    };
    expect(load(['--prometheus-scrape-interval', '10s'], env).prometheus).toMatchObject({
      url: 'http://prom:9090',
      basicAuth: { username: 'grafana', password: 's3cr:et' },
      scrapeIntervalMs: 10_000,
    });
  });

  test('history backend: bad settings name the setting', () => {
    const prom = ['--history-backend', 'prometheus'];
    expect(failure(['--history-backend', 'thanos'])).toBe('--history-backend: "thanos" must be embedded or prometheus');
    expect(failure(prom)).toBe(
      '--prometheus-url: is required with --history-backend prometheus (e.g. http://prometheus:9090)'
    );
    expect(failure([...prom, '--prometheus-url', 'prometheus:9090'])).toBe(
      '--prometheus-url: "prometheus:9090" must be an http:// or https:// URL'
    );
    expect(failure([...prom, '--prometheus-url', 'not a url'])).toBe(
      '--prometheus-url: "not a url" is not a URL (e.g. http://prometheus:9090)'
    );
    expect(failure([...prom, '--prometheus-url', 'http://u:p@prom:9090'])).toBe(
      '--prometheus-url: must not carry credentials: put them in --prometheus-basic-auth-file'
    );
    expect(failure(['--prometheus-url', 'http://prom:9090'])).toBe(
      '--prometheus-url: needs --history-backend prometheus'
    );
    const url = [...prom, '--prometheus-url', 'http://prom:9090'];
    expect(failure([...url, '--prometheus-header', 'X-Scope-OrgID'])).toBe(
      '--prometheus-header: "X-Scope-OrgID" must be NAME=VALUE, e.g. X-Scope-OrgID=tenant-1'
    );
    expect(failure([...url, '--prometheus-header', 'Authorization=Bearer x'])).toMatch(
      /^--prometheus-header: Authorization is set by the exporter itself/
    );
    files['/prom/bad-basic'] = 'no-colon';
    expect(failure([...url, '--prometheus-basic-auth-file', '/prom/bad-basic'])).toBe(
      '--prometheus-basic-auth-file: must hold one line USER:PASSWORD'
    );
    expect(failure([...url, '--prometheus-bearer-token-file', '/prom/missing'])).toBe(
      '--prometheus-bearer-token-file: cannot read /prom/missing: ENOENT'
    );
    expect(failure([...url, '--prometheus-max-series', '0'])).toBe(
      '--prometheus-max-series: 0 must be an integer from 1 to 10000000'
    );
  });

  test('boolean flags take an explicit value too', () => {
    expect(load(['--metrics-timestamps=false']).metricsTimestamps).toBe(false);
    expect(load([]).metricsTimestamps).toBe(true);
    expect(load(['--protect-metrics=true', '--token-file', '/prom/token']).protectMetrics).toBe(true);
    expect(failure(['--metrics-timestamps=maybe'])).toBe('--metrics-timestamps: "maybe" is not true or false');
  });

  test('help and version', () => {
    expect(loadConfig({ argv: ['--help'], env: {} }).kind).toBe('help');
    expect(loadConfig({ argv: ['--version'], env: {} }).kind).toBe('version');
    const help = renderHelp('ciliumscope-exporter');
    expect(help).toContain('--agent NODE=URL');
    expect(help).toContain('env CILIUMSCOPE_SCRAPE_INTERVAL');
  });
});
