import { CliError, parseCliArgs, parseDurationMs, parseListen } from '../../../simulator/cli';

describe('ciliumscope-simulator flags', () => {
  test('defaults', () => {
    expect(parseCliArgs([])).toEqual({
      nodes: 20,
      seed: 1,
      ciliumVersion: '1.18',
      pageKB: 300,
      autoTickMs: 5000,
      tickSeconds: 5,
      host: '127.0.0.1',
      port: 9970,
      podsPerNode: 30,
      scenario: 'default',
      maxConnections: 1024,
    });
  });

  test('Hubble flags', () => {
    expect(parseCliArgs(['--hubble'])).toMatchObject({ hubble: true });
    expect(parseCliArgs(['--hubble-context', 'mixed', '--hubble-relay-listen', '127.0.0.1:4245'])).toMatchObject({
      hubbleContext: 'mixed',
      hubbleRelay: { host: '127.0.0.1', port: 4245 },
    });
    expect(() => parseCliArgs(['--hubble-context', 'ip'])).toThrow(
      /--hubble-context must be one of pod, namespace, workload, labels or mixed/
    );
    expect(() => parseCliArgs(['--hubble-relay-listen', 'nowhere'])).toThrow(/--hubble-relay-listen must be HOST:PORT/);
  });

  test('every flag', () => {
    const options = parseCliArgs([
      '--nodes=1000',
      '--seed',
      '42',
      '--cilium-version',
      '1.11',
      '--page-kb',
      '500',
      '--tick',
      '0',
      '--tick-seconds',
      '30',
      '--listen',
      '[::1]:9000',
      '--pods-per-node',
      '60',
      '--scenario',
      'default',
    ]);
    expect(options).toMatchObject({
      nodes: 1000,
      seed: 42,
      ciliumVersion: '1.11',
      pageKB: 500,
      autoTickMs: 0,
      tickSeconds: 30,
      host: '::1',
      port: 9000,
      podsPerNode: 60,
    });
    expect(parseCliArgs(['--help'])).toBe('help');
  });

  test('durations and listen addresses', () => {
    expect(parseDurationMs('--tick', '5s')).toBe(5000);
    expect(parseDurationMs('--tick', '250ms')).toBe(250);
    expect(parseDurationMs('--tick', '2')).toBe(2000);
    expect(parseListen(':9970')).toEqual({ host: '0.0.0.0', port: 9970 });
    expect(parseListen('localhost:1')).toEqual({ host: 'localhost', port: 1 });
  });

  test.each([
    [['--nodes', 'ten'], /--nodes must be a whole number from 1 to 5000, got "ten"/],
    [['--nodes', '0'], /--nodes must be a whole number/],
    [['--tick', 'soon'], /--tick must be a duration such as 5s, 500ms or 0/],
    [['--tick', '1ms'], /--tick must be 0 or between 10ms and 24h/],
    [['--listen', '9970'], /--listen must be HOST:PORT/],
    [['--listen', 'h:70000'], /--listen must be HOST:PORT/],
    [['--page-kb=-1'], /--page-kb must be a whole number/],
    [['--page-kb=9000'], /--page-kb must be a whole number from 0 to 8192/],
    [['--cilium-version', '1.8'], /--cilium-version: unsupported Cilium version "1.8"/],
    [['--scenario', 'chaos'], /--scenario: unknown scenario "chaos"; known scenarios are default/],
    [['--bogus'], /Unknown option '--bogus'/],
    [['extra'], /Unexpected argument 'extra'/],
  ])('%p is refused with a clear message', (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(CliError);
    expect(() => parseCliArgs(argv)).toThrow(message);
  });
});
